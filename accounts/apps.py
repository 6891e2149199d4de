from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账户与权限")

    def ready(self) -> None:
        # Every page and API guard (core.guards) asks accounts' permissions; handed down
        # here so that apps below accounts (audit) guard their pages without importing it.
        from core import guards

        from .policy import AccountsPolicy

        guards.set_policy(AccountsPolicy())
