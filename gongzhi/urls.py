from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("estates.api_urls")),
    path("", include("audit.api_urls")),
    path("", include("voting.api_urls")),
    path("", include("revenue.api_urls")),
    path("funds/", include("funds.procedure.api_urls")),
    path("funds/", include("funds.ledger.api_urls")),
    path("", include("emergency.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("estates/", include("estates.urls")),
    path("audit/", include("audit.urls")),
    path("voting/", include("voting.urls")),
    path("revenue/", include("revenue.urls")),
    path("funds/reconciliation/", include("funds.ledger.reconciliation.urls")),
    path("funds/", include("funds.urls")),
    path("emergency/", include("emergency.urls")),
    path("", include("publications.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]

# Uploaded files (scans, evidence, vouchers) are never served from MEDIA_ROOT by URL, even
# in development: each is served by a view that checks who may see it.
handler400 = "core.views.error_400"
handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"
