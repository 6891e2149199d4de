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
        # Register the fund's Celery tasks by name: services queue them by name only.
        from . import tasks  # noqa: F401
