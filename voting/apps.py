from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("业主大会表决")

    def ready(self) -> None:
        # Ballots against their cast events, and the ballot-chain anchor of the
        # result notices (core.integrity; DESIGN.md "Trust anchors").
        from core import integrity

        from .integrity import CHAIN, ballot_anchor_check, ballots_records_check

        integrity.register_records("ballots", ballots_records_check)
        integrity.register_anchor_chain(CHAIN, ballot_anchor_check)
