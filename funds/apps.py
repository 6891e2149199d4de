from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("专项维修资金")

    def ready(self) -> None:
        # Ledger transactions against their posting events (core.integrity).
        from core import integrity

        from .integrity import transactions_records_check

        integrity.register_records("ledger transactions", transactions_records_check)

        # RULES §4: a fund-use motion shows its budget, 列支范围 and the owner's share on
        # the owner's ballot page (voting.ballot_panels; voting never imports funds).
        from voting import ballot_panels

        from .procedure.selectors.applications import ballot_fund_uses

        ballot_panels.register(
            ballot_fund_uses, template="funds/applications/_ballot_fund.html", name="fund"
        )

        # Register the fund's Celery tasks by name: services queue them by name only.
        from . import tasks  # noqa: F401
