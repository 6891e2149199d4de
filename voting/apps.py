from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("业主大会表决")

    def ready(self) -> None:
        # Imports inside ready(): these modules import models, which load only now.
        # RULES.md §1 "Scope": assemblies past their notice that break the rule are
        # flagged on the district dashboard (estates.browse.dashboard_flags).
        from estates.browse import dashboard_flag_source
        from voting.selectors import scope_breach_flags

        dashboard_flag_source(scope_breach_flags)

        # Ballots against their cast events, and the ballot-chain anchor of the
        # result notices (core.integrity; DESIGN.md "Trust anchors").
        from core import integrity

        from .integrity import CHAIN, ballot_anchor_check, ballots_records_check

        integrity.register_records("ballots", ballots_records_check)
        integrity.register_anchor_chain(CHAIN, ballot_anchor_check)

        # The task module registers how services queue text messages after commit
        # (voting.services.common.notify_queue_register); import it for that.
        from . import tasks  # noqa: F401
