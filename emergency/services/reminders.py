"""Reminders and escalation of response times (RULES.md §5: "enforced by reminders and escalation").

Nothing here decides anything: whether a deadline is due or overdue is read
from the clock (``emergency.deadlines``) by every page and service; this
only tells people. Within the last 24 hours of a deadline the ones who must
act are reminded; once it has passed, it is escalated to the officers of the
area's street and to the bureau's approvers and admins (who may commission
the works, 代修).

Idempotent like the voting notices: a ``DeadlineNotice`` row per
(application, deadline, stage, person) is inserted before the message goes
out, so a run that repeats (redelivery, two schedulers) sends nothing twice;
a failed send gives its claim back for the next run. People without a phone
get the row only (it shows on the dashboard). Texts name the application,
the area and the item — never a person, a phone or a unit.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import permissions
from accounts.models import Role, RoleAssignment, User
from accounts.sms import sms_send
from core.text import cn_datetime

from .. import deadlines, selectors
from ..models import DeadlineNotice, EmergencyApplication

logger = logging.getLogger("gongzhi.emergency")

Stage = DeadlineNotice.Stage
APPLY = "emergency.apply"
OVERSEE = "oversee"


def _holders(roles, **scope) -> list[User]:
    """Active users holding one of ``roles`` (with ``scope`` when given), in a stable order."""
    user_ids = RoleAssignment.objects.filter(role__in=roles, **scope).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def responsible(application: EmergencyApplication, kind: str) -> list[User]:
    """Who must act before deadline ``kind`` passes."""
    if kind == deadlines.WORKS_START:
        people = [application.applicant]
        return [u for u in people if u.is_active and permissions.can(u, APPLY, application)]
    if kind == deadlines.BANK:
        # The reviewer records the bank's confirmation (payment.confirm); the approver who
        # instructed follows it up with the bank.
        people = _holders([Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER])
    elif kind == deadlines.PAYMENT:
        # The approver issues the payment instruction (funds.procedure.services.payments).
        people = _holders([Role.BUREAU_APPROVER])
    elif application.status == EmergencyApplication.Status.UNDER_REVIEW:
        people = [application.reviewer, *_holders([Role.BUREAU_APPROVER])]
    else:
        # Not yet taken under review: the bureau's reviewers and approvers.
        people = _holders([Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER])
    return [u for u in people if u is not None and u.is_active]


def escalation(application: EmergencyApplication) -> list[User]:
    """The street's officers and the bureau's approvers and admins (RULES.md §5)."""
    street_id = application.area.community.street_id
    officers = [
        u
        for u in _holders([Role.STREET_OFFICER], street_id=street_id)
        if permissions.can(u, OVERSEE, application)
    ]
    return officers + _holders([Role.BUREAU_APPROVER, Role.BUREAU_ADMIN])


def _text(application: EmergencyApplication, row: selectors.DeadlineRow, stage: str) -> str:
    where = f"{application.area.name}紧急维修申请第{application.pk}号（{application.item.name}）"
    prefix = f"【{settings.GONGZHI_BUREAU_NAME}】"
    if stage == Stage.REMIND:
        return f"{prefix}{where}的{row.label}时限将于{cn_datetime(row.due_at)}届满，请及时办理。"
    return f"{prefix}{where}的{row.label}时限已于{cn_datetime(row.due_at)}届满仍未办结，请督办。"


def _send(application, row, stage: str, user: User) -> str:
    """Claim, then send one message; returns "sent", "recorded", "skipped" or "failed"."""
    try:
        with transaction.atomic():
            DeadlineNotice.objects.create(
                application=application,
                deadline=row.kind,
                stage=stage,
                recipient=user,
                by_sms=bool(user.phone),
            )
    except IntegrityError:
        return "skipped"
    if not user.phone:
        return "recorded"
    try:
        sms_send(phone=user.phone, text=_text(application, row, stage))
    except Exception:
        # Give the claim back so the next run sends it; never log the number.
        DeadlineNotice.objects.filter(
            application=application, deadline=row.kind, stage=stage, recipient=user
        ).delete()
        logger.exception("emergency reminder %s/%s of %s failed", row.kind, stage, application.pk)
        return "failed"
    return "sent"


def reminders_send(*, now: datetime | None = None) -> dict:
    """Remind and escalate every running deadline that is due soon or overdue (idempotent)."""
    now = now or timezone.now()
    report = {"sent": 0, "recorded": 0, "skipped": 0, "failed": 0}
    undecided = EmergencyApplication.UNDECIDED
    soon = now + deadlines.DUE_SOON_WINDOW
    queryset = selectors.running(
        EmergencyApplication.objects.select_related(
            "area__community__street", "item", "applicant", "reviewer"
        )
    ).filter(
        # A deadline due later than the window has nothing to say yet: each is stored when
        # its clock starts (the deemed approval's clocks start at the review's due moment).
        Q(status__in=undecided, review_due_at__lte=soon)
        | (
            ~Q(status__in=undecided)
            & (
                Q(payment_due_at__lte=soon)
                | Q(works_start_due_at__lte=soon)
                | Q(bank_due_at__lte=soon)
            )
        )
    )
    for application in queryset.order_by("pk"):
        for row in selectors.open_deadlines(application, now):
            if row.state == deadlines.DUE_SOON:
                stage, people = Stage.REMIND, responsible(application, row.kind)
            elif row.state == deadlines.OVERDUE:
                stage = Stage.ESCALATE
                people = responsible(application, row.kind) + escalation(application)
            else:
                continue
            seen: set[int] = set()
            for user in people:
                if user.pk in seen:
                    continue
                seen.add(user.pk)
                report[_send(application, row, stage, user)] += 1
    return report
