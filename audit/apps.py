from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计链")

    def ready(self) -> None:
        # The audit chain's own anchor check (core.integrity, DESIGN.md "Trust anchors").
        from core import integrity

        from .selectors import CHAIN, audit_anchor_check

        integrity.register_anchor_chain(CHAIN, audit_anchor_check)
