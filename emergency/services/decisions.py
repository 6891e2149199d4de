"""The bureau's decision on an emergency application (RULES.md §5): maker ≠ checker.

A reviewer takes the application under review (``application.review``) and
records the checklist (``application_checklist_record``); an approver other
than the reviewer and the applicant approves (``application.approve``,
TOTP) once the checklist is recorded. Either may refuse, with reasons. Every
step is one transaction: the row locked, the transition checked against
``EmergencyApplication.TRANSITIONS``, an audit event written. The review
must be decided within the item's working days; with
``GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE`` on, an overdue review *is* an
approval (``EmergencyApplication.current_status``), recorded by
``materialise_deemed`` the first time a service acts on it — never for an
application inside warranty, with an unknown completion date or with an
exclusion ticked (``EmergencyApplication.deemed_bar``).

The checklist (RULES.md §5 last paragraph; §4 "Exclusions", "Warranty"):

- the four exclusions of Order 165 art. 25 (``funds.procedure.models.applications.EXCLUSIONS``,
  the funds path's list): ticking one needs the reason the fund still pays now
  (an emergency cannot wait for the party who owes it), else the reviewer
  refuses the application instead;
- the art. 18 warranty (质量管理条例 art. 40), checked again for every building
  of the 列支范围 on the filing day with the repair type the reviewer records:
  inside warranty, or with an unknown completion date, the reviewer writes why
  the repair is paid now; an urgent repair inside warranty is paid now and a
  recovery claim (追偿) against the developer or the builder is recorded with
  it (``emergency.services.recovery``), as it is when the developer exclusion
  is ticked. No approval without the checklist, nor without that claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from core.errors import Conflict, DomainError
from core.text import clean_text
from funds.models import RepairType
from funds.procedure.services.application_review import exclusions_clean

from .. import deadlines
from ..models import EmergencyApplication, RecoveryClaim, WarrantyStatus
from ._common import application_lock, district_tz, record, transition
from .applications import times_of, warranty_snapshot
from .money import fund_use_open_for
from .recovery import ClaimInput, recovery_claim_open

Status = EmergencyApplication.Status
REVIEW = "application.review"
APPROVE = "application.approve"


def materialise_deemed(locked: EmergencyApplication, now: datetime) -> bool:
    """Record a deemed approval the clock already made (module and model docstrings).

    Called on a locked row by every service that acts on an application; the
    approval dates from the moment the review was due. True if it recorded one.
    """
    if not locked.deemed_approved_now(now):
        return False
    approved_at = locked.review_due_at
    times = times_of(locked.item)
    transition(
        locked,
        Status.APPROVED,
        actor=None,
        action="emergency.deemed_approve",
        fields={
            "approved_at": approved_at,
            "deemed_approved": True,
            "payment_due_at": (
                deadlines.payment_due(approved_at, times, district_tz())
                if locked.prepayment_fen
                else None
            ),
            "works_start_due_at": deadlines.works_start_due(approved_at, times),
        },
        summary={"reason": "review_overdue"},
    )
    fund_use_open_for(locked, None)
    locked.save(update_fields=["fund_use"])
    return True


def _undecided(locked: EmergencyApplication, now: datetime) -> None:
    # Only read here: the refusal below rolls the transaction back, and the first
    # service that can go on (works, payment) records the deemed approval.
    if locked.deemed_approved_now(now):
        raise Conflict(
            "deemed_approved",
            _("住建局审核已逾期，按本平台设置该申请视为批准，不能再审核或不予批准。"),
        )


def application_review_start(
    *, application: EmergencyApplication, actor, now: datetime | None = None
) -> EmergencyApplication:
    """A reviewer takes the application under review (filed → under review)."""
    permissions.require(actor, REVIEW, application)
    now = now or timezone.now()
    with transaction.atomic():
        locked = application_lock(application)
        _undecided(locked, now)
        if locked.applicant_id == actor.pk:
            raise DomainError("own_application", _("不能审核自己提出的申请。"))
        return transition(
            locked,
            Status.UNDER_REVIEW,
            actor=actor,
            action="emergency.review_start",
            fields={"reviewer": actor, "review_started_at": now},
        )


def needs_recovery(application: EmergencyApplication) -> bool:
    """Inside warranty, or the developer's exclusion ticked: someone else owes the repair."""
    return application.warranty_status == WarrantyStatus.IN or application.excl_developer


def _live_claims(application: EmergencyApplication) -> int:
    return application.recovery_claims.filter(status__in=RecoveryClaim.LIVE).count()


def _checklist_notes(exclusion_note: str, warranty_note: str) -> tuple[str, str]:
    exclusion_note = clean_text(
        exclusion_note,
        field="exclusion_note",
        required=False,
        limit=2000,
        label=_("仍先行列支的理由"),
        multiline=True,
    )
    warranty_note = clean_text(
        warranty_note,
        field="warranty_note",
        required=False,
        limit=2000,
        label=_("保修期内仍先行列支的理由"),
        multiline=True,
    )
    return exclusion_note, warranty_note


def _checklist_reasons(
    locked: EmergencyApplication,
    *,
    ticked: dict,
    checked: dict,
    exclusion_note: str,
    warranty_note: str,
    recovery: ClaimInput | None,
) -> None:
    """What the checklist flags needs its reason, and a warranty case its recovery claim
    (art. 18, art. 25); sets the flags on the locked row for ``needs_recovery``."""
    if any(ticked.values()) and not exclusion_note:
        message = _(
            "已勾选《住宅专项维修资金管理办法》第二十五条规定的不得列支情形：须写明紧急情况下"
            "仍由维修资金先行列支的理由，否则请作出不予批准的决定。"
        )
        raise DomainError("exclusion_reason", message, fields={"exclusion_note": message})
    flagged = checked["warranty_status"] in (WarrantyStatus.IN, WarrantyStatus.UNKNOWN)
    if flagged and not warranty_note:
        message = _(
            "列支范围内的房屋仍在保修期内（或竣工验收日期未知）：须写明仍由维修资金先行列支的"
            "理由，否则请作出不予批准的决定（《住宅专项维修资金管理办法》第十八条）。"
        )
        raise DomainError("warranty_reason", message, fields={"warranty_note": message})
    locked.warranty_status = checked["warranty_status"]
    locked.excl_developer = ticked["excl_developer"]
    if needs_recovery(locked) and recovery is None and not _live_claims(locked):
        message = _(
            "保修期内的维修应由建设单位或施工单位承担：紧急情况下先行列支的，"
            "须同时登记向其追偿（追偿对象、单位名称、金额）。"
        )
        raise DomainError("recovery_required", message, fields={"recovery_against": message})


def application_checklist_record(
    *,
    application: EmergencyApplication,
    actor,
    exclusions: Mapping[str, bool],
    exclusion_note: str = "",
    warranty_note: str = "",
    repair_type: str | None = None,
    recovery: ClaimInput | None = None,
    now: datetime | None = None,
) -> EmergencyApplication:
    """The reviewer who took the application records the checklist (module docstring).

    May be recorded again while the review is open (each record is audited).
    Refused, with nothing stored: a ticked exclusion without a reason, a
    flagged warranty without a reason, or — inside warranty or with the
    developer's exclusion — no recovery claim recorded or given with it.
    """
    permissions.require(actor, REVIEW, application)
    now = now or timezone.now()
    ticked = exclusions_clean(exclusions)
    if repair_type is not None and repair_type not in RepairType.values:
        message = _("请选择维修类别。")
        raise DomainError("bad_repair_type", message, fields={"repair_type": message})
    exclusion_note, warranty_note = _checklist_notes(exclusion_note, warranty_note)
    with transaction.atomic():
        locked = application_lock(application)
        _undecided(locked, now)
        if locked.status != Status.UNDER_REVIEW or locked.reviewer_id != actor.pk:
            raise Conflict(
                "not_reviewer",
                _("核查清单由受理审核的审核人在审核期间填写。"),
            )
        checked = warranty_snapshot(
            area=locked.area,
            scope_buildings=locked.scope_buildings,
            scope_unit_codes=locked.scope_unit_codes,
            repair_type=repair_type or locked.repair_type,
            on=timezone.localdate(locked.filed_at, district_tz()),
        )
        _checklist_reasons(
            locked,
            ticked=ticked,
            checked=checked,
            exclusion_note=exclusion_note,
            warranty_note=warranty_note,
            recovery=recovery,
        )
        updated = record(
            locked,
            actor=actor,
            action="emergency.checklist",
            fields={
                **checked,
                **ticked,
                "exclusion_note": exclusion_note,
                "warranty_note": warranty_note,
                "checked_by": actor,
                "checked_at": now,
            },
            summary={
                "repair_type": checked["repair_type"],
                "warranty_status": checked["warranty_status"],
                "exclusions": [name for name, value in ticked.items() if value],
            },
        )
        if recovery is not None:
            recovery_claim_open(application=updated, actor=actor, claim=recovery, locked=True)
        return updated


def application_approve(
    *, application: EmergencyApplication, actor, note: str = "", now: datetime | None = None
) -> EmergencyApplication:
    """An approver approves an application under review; the works clocks start now."""
    permissions.require(actor, APPROVE, application)
    note = clean_text(
        note, field="note", required=False, limit=2000, label=_("审批意见"), multiline=True
    )
    now = now or timezone.now()
    with transaction.atomic():
        locked = application_lock(application)
        _undecided(locked, now)
        if locked.status == Status.FILED:
            # Only a deemed approval moves filed → approved; a person approves what was reviewed.
            raise Conflict("not_reviewed", _("申请须先由审核人受理审核，才能审批。"))
        # Maker ≠ checker: the approver is neither the reviewer nor the applicant.
        if actor.pk in (locked.reviewer_id, locked.applicant_id):
            raise DomainError(
                "same_person",
                _("审批人不能是本申请的审核人或申请人（审核与审批须由不同的人完成）。"),
            )
        if not locked.checklist_done:
            raise Conflict(
                "no_checklist",
                _("审核人尚未填写核查清单（不得列支情形、保修期），不能审批。"),
            )
        if needs_recovery(locked) and not _live_claims(locked):
            raise Conflict(
                "recovery_required",
                _("保修期内先行列支的紧急维修须先登记向建设单位或施工单位的追偿，才能审批。"),
            )
        times = times_of(locked.item)
        # The money record opens with the approval (funds.FundUse; emergency.services.money).
        fund_use_open_for(locked, actor)
        return transition(
            locked,
            Status.APPROVED,
            actor=actor,
            action="emergency.approve",
            fields={
                "approver": actor,
                "approved_at": now,
                "approval_note": note,
                "payment_due_at": (
                    deadlines.payment_due(now, times, district_tz())
                    if locked.prepayment_fen
                    else None
                ),
                "works_start_due_at": deadlines.works_start_due(now, times),
                "fund_use": locked.fund_use,
            },
        )


def application_refuse(
    *, application: EmergencyApplication, actor, reason: str, now: datetime | None = None
) -> EmergencyApplication:
    """The reviewer or an approver refuses, with reasons the applicant reads."""
    if not (
        permissions.can(actor, REVIEW, application) or permissions.can(actor, APPROVE, application)
    ):
        permissions.require(actor, APPROVE, application)  # raises with the right message
    reason = clean_text(
        reason, field="reason", required=True, limit=2000, label=_("不予批准的理由"), multiline=True
    )
    now = now or timezone.now()
    with transaction.atomic():
        locked = application_lock(application)
        _undecided(locked, now)
        if locked.applicant_id == actor.pk:
            raise DomainError("own_application", _("不能审核自己提出的申请。"))
        return transition(
            locked,
            Status.REFUSED,
            actor=actor,
            action="emergency.refuse",
            fields={"refused_by": actor, "refused_at": now, "refusal_reason": reason},
        )
