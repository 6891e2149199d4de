"""API routes of the fund ledger (read only). The lead mounts them under ``api/v1/`` with
``path("funds/", include("funds.ledger.api_urls"))``, beside ``funds.api_urls_applications``
(whose paths — ``applications/``, ``my-shares/`` — and names do not overlap these)."""

from django.urls import path

from . import api

urlpatterns = [
    path("mine/", api.MyUnitsView.as_view(), name="fund-mine"),
    path("mine/<int:unit_id>/entries/", api.UnitEntriesView.as_view(), name="fund-mine-entries"),
    path(
        "mine/<int:unit_id>/statement/",
        api.UnitStatementView.as_view(),
        name="fund-mine-statement",
    ),
    path("areas/<str:code>/", api.AreaFundView.as_view(), name="fund-area"),
    path("areas/<str:code>/units/", api.AreaUnitsView.as_view(), name="fund-area-units"),
]
