"""Supplementary owners' votes on an excess above the settlement's base (RULES.md §4 "use").

Started from the settlement page by the convener (``assembly.call``): a real
assembly of the same 列支范围 with one item-5 motion on the excess; once its
final result approves it, the settlement may exceed the base by at most that
excess (``approved_excesses``, checked by ``settlement_limits.limit_check``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict
from core.money import yuan
from core.text import clean_text
from funds.models import FundUse, SupplementaryVote
from funds.procedure import ceiling
from funds.procedure.services.fund_use import fund_use_lock
from funds.procedure.services.limit_settings import ceiling_of
from funds.procedure.services.steps import clean_fen
from voting import counting
from voting import services as voting
from voting.models import Assembly, Motion

USE_ITEM = 5  # Civil Code art. 278 para 1 item (5): using the fund — ordinary (RULES §2)


def supplementary_approved(vote: SupplementaryVote) -> bool:
    """Its item-5 motion approved in the assembly's final result, over the use's 列支范围."""
    assembly, motion, fund_use = vote.assembly, vote.motion, vote.fund_use
    voted = motion.fund or {}
    outcome = ((assembly.result or {}).get(motion.code) or {}).get("outcome")
    return (
        motion.item == USE_ITEM
        and motion.assembly_id == assembly.pk
        and assembly.area_id == fund_use.area_id
        and assembly.status == Assembly.Status.FINAL
        and outcome == counting.APPROVED
        and sorted(assembly.scope_buildings) == sorted(fund_use.scope_buildings)
        and sorted(assembly.scope_unit_codes) == sorted(fund_use.scope_unit_codes)
        and voted.get("supplementary") == vote.pk
        and voted.get("excess_fen") == vote.excess_fen
    )


def approved_excesses(fund_use: FundUse) -> list[int]:
    """The excesses the owners approved in supplementary votes on this use, fen each."""
    votes = fund_use.supplementary_votes.select_related("assembly", "motion", "fund_use")
    return [v.excess_fen for v in votes if supplementary_approved(v)]


def supplementary_vote_create(
    *,
    fund_use: FundUse,
    excess_fen: int,
    reason: str,
    opens_at: datetime,
    closes_at: datetime,
    actor,
    base_fen: int | None = None,
    title: str = "",
) -> SupplementaryVote:
    """Put an excess above the settlement's base to the owners of the same 列支范围.

    The convener (``assembly.call``) starts it from the settlement page: a
    draft assembly of exactly the use's scope with one item-5 motion (ordinary,
    RULES §2) stating the base, the excess and the new limit; noticing, voting
    and counting follow on the voting pages as for any assembly. ``base_fen``:
    the ceiling (default) or, for an emergency, the whitelist item's cap.
    """
    permissions.require(actor, "assembly.call", fund_use.area)
    excess = clean_fen(excess_fen, field="excess_fen")
    reason = clean_text(reason, field="reason", limit=1000, multiline=True)
    with transaction.atomic():
        locked = fund_use_lock(fund_use)
        if locked.status != FundUse.Status.OPEN:
            raise Conflict("already_settled", _("该事项已结算，不能再就超支发起补充表决。"))
        base = ceiling_of(locked) if base_fen is None else base_fen
        current = ceiling.settlement_limit_fen(base, approved_excesses(locked))
        assembly = voting.assembly_create(
            area=locked.area,
            title=title or _("%(title)s超支部分补充表决") % {"title": locked.title[:60]},
            opens_at=opens_at,
            closes_at=closes_at,
            actor=actor,
            scope_buildings=locked.scope_buildings,
            scope_unit_codes=locked.scope_unit_codes,
        )
        description = _supplementary_description(locked, current, excess, reason)
        motion = voting.motion_add(
            assembly=assembly,
            title=_("维修资金超支补充表决：%(title)s（超出 %(x)s 元）")
            % {"title": locked.title[:80], "x": yuan(excess)},
            item=USE_ITEM,
            actor=actor,
            description=description,
            # The 列支范围 is the use's, the same as the assembly's (RULES.md §1).
            scope_buildings=locked.scope_buildings,
            scope_unit_codes=locked.scope_unit_codes,
        )
        vote = _supplementary_record(locked, excess, reason, assembly, motion, base, actor)
    return vote


def _supplementary_description(locked: FundUse, current: int, excess: int, reason: str) -> str:
    """The motion's text: the approved amount, the limit now, the excess, why, the scope."""
    return "\n".join(
        [
            _("原批准金额：%(y)s 元；现结算上限：%(c)s 元。")
            % {"y": yuan(locked.budget_fen), "c": yuan(current)},
            _("本次表决超出部分：%(x)s 元；同意后结算上限为 %(n)s 元。")
            % {"x": yuan(excess), "n": yuan(current + excess)},
            _("超支原因：%(r)s") % {"r": reason},
            _("列支范围：%(scope)s。") % {"scope": locked.scope_text()},
            _(
                "超出部分由列支范围内业主按专有部分面积比例分摊（《住宅专项维修资金管理办法》"
                "第二十条、第二十一条），本页显示您本户的预计分摊金额。"
            ),
        ]
    )


def _supplementary_record(locked: FundUse, excess: int, reason: str, assembly, motion, base, actor):
    """Store the vote, tie the motion to it (what ``supplementary_approved`` checks), audit."""
    vote = SupplementaryVote.objects.create(
        fund_use=locked,
        excess_fen=excess,
        reason=reason,
        assembly=assembly,
        motion=motion,
        created_by=actor,
    )
    motion.fund = {
        "supplementary": vote.pk,
        "fund_use": locked.pk,
        "excess_fen": excess,
        "base_fen": base,
        "scope_buildings": locked.scope_buildings,
        "scope_unit_codes": locked.scope_unit_codes,
    }
    Motion.objects.filter(pk=motion.pk).update(fund=motion.fund)
    audit_record(
        actor=actor,
        action="fund_use.supplementary_vote",
        obj=vote,
        after={"excess_fen": excess, "assembly": assembly.pk, "motion": motion.code},
        summary={"fund_use": locked.pk, "excess_fen": excess, "assembly": assembly.pk},
    )
    return vote
