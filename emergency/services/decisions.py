"""The bureau's decision on an emergency application (RULES.md §5): maker ≠ checker.

A reviewer takes the application under review (``application.review``); an
approver other than the reviewer and the applicant approves
(``application.approve``, TOTP). Either may refuse, with reasons. Every step
is one transaction: the row locked, the transition checked against
``EmergencyApplication.TRANSITIONS``, an audit event written. The review
must be decided within the item's working days; with
``GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE`` on, an overdue review *is* an
approval (``EmergencyApplication.current_status``), recorded by
``materialise_deemed`` the first time a service acts on it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from gongzhi.errors import DomainError

from .. import deadlines
from ..models import EmergencyApplication
from ._common import application_lock, clean_text, district_tz, transition
from .applications import times_of
from .money import fund_use_open_for

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
        raise DomainError(
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


def application_approve(
    *, application: EmergencyApplication, actor, note: str = "", now: datetime | None = None
) -> EmergencyApplication:
    """An approver approves an application under review; the works clocks start now."""
    permissions.require(actor, APPROVE, application)
    note = clean_text(note, field="note", required=False, limit=2000, label=_("审批意见"))
    now = now or timezone.now()
    with transaction.atomic():
        locked = application_lock(application)
        _undecided(locked, now)
        if locked.status == Status.FILED:
            # Only a deemed approval moves filed → approved; a person approves what was reviewed.
            raise DomainError("not_reviewed", _("申请须先由审核人受理审核，才能审批。"))
        # Maker ≠ checker: the approver is neither the reviewer nor the applicant.
        if actor.pk in (locked.reviewer_id, locked.applicant_id):
            raise DomainError(
                "same_person",
                _("审批人不能是本申请的审核人或申请人（审核与审批须由不同的人完成）。"),
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
        reason, field="reason", required=True, limit=2000, label=_("不予批准的理由")
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
