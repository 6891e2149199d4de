"""The fund's pages (RULES.md §4). Mounted by gongzhi/urls.py at ``funds/``."""

from django.urls import include, path

from . import views

app_name = "funds"
urlpatterns = [
    # Owners (fund.view_own): their own units' sub-ledgers only.
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.unit_ledger, name="unit_ledger"),
    path("mine/<int:pk>/csv/", views.unit_ledger_csv, name="unit_ledger_csv"),
    # Committee, officers and the bureau (fund.view_area), within their scope.
    path("areas/", views.areas, name="areas"),
    path("areas/<str:code>/", views.area_ledger, name="area_ledger"),
    # The use procedure (RULES.md §4 arts. 22–25), in the same namespace.
    path("applications/", include("funds.procedure.urls")),
]
