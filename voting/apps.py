from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("业主大会表决")

    def ready(self) -> None:
        # RULES.md §1 "Scope": assemblies past their notice that break the rule are
        # flagged on the district dashboard (estates.browse.dashboard_flags).
        from estates.browse import dashboard_flag_source
        from voting.selectors import scope_breach_flags

        dashboard_flag_source(scope_breach_flags)
