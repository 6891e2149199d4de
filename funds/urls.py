"""The fund's pages (RULES.md §4). Mounted by gongzhi/urls.py at ``funds/``; bank
reconciliation and the annual statement are mounted at ``funds/reconciliation/``
(``funds.ledger.reconciliation.urls``)."""

from django.urls import include, path

app_name = "funds"
urlpatterns = [
    # The ledger half: owners' sub-ledgers, the areas' ledgers.
    path("", include("funds.ledger.urls")),
    # The use procedure (RULES.md §4 arts. 22–25), in the same namespace.
    path("applications/", include("funds.procedure.urls")),
]
