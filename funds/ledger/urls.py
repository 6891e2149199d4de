"""The ledger's pages (RULES.md §4), in the ``funds`` namespace (``funds/urls.py`` includes them)."""

from django.urls import path

from . import views

urlpatterns = [
    # Owners (fund.view_own): their own units' sub-ledgers only.
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.unit_ledger, name="unit_ledger"),
    path("mine/<int:pk>/csv/", views.unit_ledger_csv, name="unit_ledger_csv"),
    # Committee, officers and the bureau (fund.view_area), within their scope.
    path("areas/", views.areas, name="areas"),
    path("areas/<str:code>/", views.area_ledger, name="area_ledger"),
]
