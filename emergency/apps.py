from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("紧急维修")

    def ready(self):
        # The funds payment services pay a FundUse only through the gate its source
        # registered: ours lets an emergency repair be paid once approved (no vote).
        from .services.money import register_payment_source

        register_payment_source()
