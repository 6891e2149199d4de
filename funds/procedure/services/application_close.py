"""Closing an application: settlement and apportionment, then the signed publication.

RULES.md §4 (Order 165 arts. 20–21, 30): after acceptance, the bureau settles
at the final cost and apportions it (``settlement.fund_use_settle``), then
the use and its apportionment are published as a signed notice
(``use_publication.fund_use_publish``) with the rows only a normal
application has: the owners' vote, the warranty check, the approvals.

Lock order: the FundUse row before the application row (as everywhere).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from funds.models import FundApplication
from funds.procedure.services.applications import application_lock
from funds.procedure.services.fund_use import fund_use_lock
from funds.procedure.services.steps import transition

Status = FundApplication.Status


def application_settle(
    *,
    application: FundApplication,
    actor,
    final_cost_fen: int,
    over_budget_reason: str = "",
    settled_on: date | None = None,
    audit_report=None,
    warranty_ends_on: date | None = None,
) -> FundApplication:
    """Settle an accepted application at its final cost and apportion it (``settlement``).

    Within the owners' ceiling plus any supplementary excess they approved, with
    the 审价 report above the threshold; the 质保金 is held until the works'
    warranty ends (by default art. 40's period of the repair type, from today).
    """
    from funds.procedure.services.settlement import fund_use_settle
    from funds.procedure.services.settlement_limits import warranty_end_default

    if application.fund_use_id is None:
        raise Conflict("not_approved", _("该申请尚未批准。"))
    with transaction.atomic():
        fund_use = fund_use_lock(application.fund_use)
        locked = application_lock(application)
        if locked.status != Status.ACCEPTED:
            raise Conflict("not_accepted", _("验收合格后才能结算。"))
        locked.fund_use = fund_use_settle(
            fund_use=fund_use,
            final_cost_fen=final_cost_fen,
            actor=actor,
            over_budget_reason=over_budget_reason,
            settled_on=settled_on,
            audit_report=audit_report,
            warranty_ends_on=warranty_ends_on
            or warranty_end_default(settled_on or timezone.localdate(), locked.repair_type),
        )
        return transition(locked, Status.SETTLED, actor=actor, action="fund_application.settle")


def publication_extra(application: FundApplication) -> list[tuple[str, str]]:
    """The header rows of the notice that only a normal application has (vote, review, approval)."""
    rows = [(_("维修类别"), str(application.get_repair_type_display()))]
    assembly = application.assembly
    if assembly is not None:
        serial = assembly.final_publication.serial if assembly.final_publication_id else ""
        text = _("%(title)s：表决通过") % {"title": assembly.title}
        if serial:
            text += _("（最终结果公告 %(serial)s）") % {"serial": serial}
        rows.append((_("业主表决"), text))
    if application.in_warranty:
        rows.append(
            (
                _("保修期核查"),
                _("保修期内，仍予列支的理由：%(n)s") % {"n": application.warranty_note},
            )
        )
    else:
        rows.append((_("保修期核查"), _("不在法定保修期内")))
    rows.append(
        (
            _("审核审批"),
            _("住建部门审核通过，经 %(n)d 名审批人批准（%(day)s）")
            % {
                "n": application.approvals.count(),
                "day": timezone.localdate(application.approved_at).isoformat()
                if application.approved_at
                else "",
            },
        )
    )
    return rows


def application_publish(*, application: FundApplication, actor) -> FundApplication:
    """Issue the signed notice of the use and its apportionment (``publication.issue``)."""
    from funds.procedure.services.use_publication import fund_use_publish

    if application.fund_use_id is None:
        raise Conflict("not_approved", _("该申请尚未批准。"))
    with transaction.atomic():
        fund_use = fund_use_lock(application.fund_use)
        locked = application_lock(application)
        if locked.status != Status.SETTLED:
            raise Conflict("not_settled", _("结算分摊后才能公示。"))
        locked.fund_use = fund_use_publish(
            fund_use=fund_use, actor=actor, extra=publication_extra(locked)
        )
        return transition(locked, Status.PUBLISHED, actor=actor, action="fund_application.publish")
