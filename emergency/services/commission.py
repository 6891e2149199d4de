"""代修: the bureau commissions the works itself (Order 165 art. 24; RULES.md §5).

Art. 24 para 2: where an emergency repair is not carried out as required,
the housing authority may organise it (组织代修), the cost charged to the
affected owners' sub-ledgers. Our reading, as a rule the code enforces: the
bureau may step in once the item's works-start time has passed while the
works are not done (not started at all, or started and stalled), on an
approved application. The commissioned estimate stays within the item's cap
(our policy: beyond it the normal procedure applies, RULES.md §5). The cost
reaches the sub-ledgers at settlement, like any emergency repair.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.money import yuan
from core.text import clean_text, datetime_text

from ..models import Commission, EmergencyApplication
from ._common import application_lock, normal_procedure_text
from .decisions import materialise_deemed

COMMISSION = "emergency.commission"


def _check_commissionable(locked: EmergencyApplication, estimate_fen: int, now: datetime) -> None:
    """Approved (a deemed approval recorded first), not yet done, not yet taken over, its start
    deadline passed, the estimate within the cap."""
    materialise_deemed(locked, now)
    if locked.status not in EmergencyApplication.WORKS_PENDING:
        raise Conflict(
            "not_pending",
            _("申请当前状态为“%(status)s”，只有已批准、尚未完工的申请才能代修。")
            % {"status": locked.get_status_display()},
        )
    if Commission.objects.filter(application=locked).exists():
        raise Conflict("already_commissioned", _("该申请已决定代修。"))
    if locked.works_start_due_at is None or now < locked.works_start_due_at:
        raise Conflict(
            "not_overdue",
            _("开工时限（%(due)s）尚未届满，暂不能代修。")
            % {
                "due": datetime_text(locked.works_start_due_at)
                if locked.works_start_due_at
                else "—"
            },
        )
    cap = locked.item.cap_fen
    if estimate_fen > cap:
        message = (
            _("代修预算 %(estimate)s 元超过该事项的费用上限 %(cap)s 元。")
            % {"estimate": yuan(estimate_fen), "cap": yuan(cap)}
            + normal_procedure_text()
        )
        raise DomainError("over_cap", message, fields={"estimate": message})


def commission_create(
    *,
    application: EmergencyApplication,
    actor,
    contractor: str,
    estimate_fen: int,
    reason: str,
    contractor_contact: str = "",
    now: datetime | None = None,
) -> Commission:
    permissions.require(actor, COMMISSION, application)
    contractor = clean_text(
        contractor, field="contractor", required=True, limit=200, label=_("施工单位")
    )
    contractor_contact = clean_text(
        contractor_contact,
        field="contractor_contact",
        required=False,
        limit=100,
        label=_("施工单位联系人及电话"),
    )
    reason = clean_text(
        reason, field="reason", required=True, limit=2000, label=_("代修原因"), multiline=True
    )
    if isinstance(estimate_fen, bool) or not isinstance(estimate_fen, int) or estimate_fen <= 0:
        message = _("请填写大于零的代修预算。")
        raise DomainError("bad_estimate", message, fields={"estimate": message})
    now = now or timezone.now()
    with transaction.atomic():
        locked = application_lock(application)
        _check_commissionable(locked, estimate_fen, now)
        commission = Commission.objects.create(
            application=locked,
            contractor=contractor,
            contractor_contact=contractor_contact,
            estimate_fen=estimate_fen,
            reason=reason,
            commissioned_by=actor,
            commissioned_at=now,
        )
        audit_record(
            actor=actor,
            action="emergency.commission",
            obj=commission,
            after={
                "application": locked.pk,
                "contractor": contractor,
                "estimate_fen": estimate_fen,
                "reason": reason,
            },
            summary={
                "application": locked.pk,
                "contractor": contractor,
                "estimate_fen": estimate_fen,
                "works_started": locked.works_started_at is not None,
            },
        )
    return commission
