"""API routes of the use procedure. The lead mounts them under ``api/v1/`` with
``path("funds/", include("funds.procedure.api_urls"))``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from funds.procedure import api

router = SimpleRouter()
router.register("applications", api.ApplicationViewSet, basename="fund-application")

urlpatterns = [
    *router.urls,
    path("my-shares/", api.MySharesView.as_view(), name="fund-my-shares"),
]
