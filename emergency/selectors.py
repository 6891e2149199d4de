"""Reads of emergency applications, always within the reader's scope.

Who sees an application: those who may file for its area (``emergency.apply``),
those who oversee it (``oversee``: officers of its street or community, the
bureau), and the area's own staff who read its register (``register.view``: its
committee, and the property company serving it even where a committee files —
the company runs the site the works happen on; docs/permissions.md). Anything else is "not found" (404), never "forbidden", so a page
does not reveal that an application exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import areas_for, streets_for
from estates.models import Community, Street
from funds.models import PaymentInstruction

from . import deadlines
from .models import EmergencyApplication, Problem, RecoveryClaim

APPLY = "emergency.apply"
OVERSEE = "oversee"
REGISTER_VIEW = "register.view"

DEADLINE_LABELS = {
    deadlines.REVIEW: _("住建局审核"),
    deadlines.PAYMENT: _("预拨划款指令（住建局）"),
    deadlines.BANK: _("银行划款确认"),
    deadlines.WORKS_START: _("开工"),
}
STATE_LABELS = {
    deadlines.PENDING: _("进行中"),
    deadlines.DUE_SOON: _("即将到期"),
    deadlines.OVERDUE: _("已逾期"),
    deadlines.MET: _("按时完成"),
    deadlines.LATE: _("逾期完成"),
}


def visible_applications(user) -> QuerySet[EmergencyApplication]:
    return EmergencyApplication.objects.filter(
        Q(area__in=areas_for(user, APPLY).values("pk"))
        | Q(area__in=areas_for(user, OVERSEE).values("pk"))
        | Q(area__in=areas_for(user, REGISTER_VIEW).values("pk"))
    ).select_related("area__community__street", "item__version", "applicant")


def application_get(user, pk: int) -> EmergencyApplication:
    application = visible_applications(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def _first_instruction(application: EmergencyApplication) -> tuple | None:
    """(instructed_at, confirmed_at) of the first (not withdrawn) payment instruction."""
    if not application.fund_use_id or not application.prepayment_fen:
        return None
    return (
        PaymentInstruction.objects.filter(fund_use_id=application.fund_use_id)
        .exclude(status=PaymentInstruction.Status.CANCELLED)
        .order_by("instructed_at", "pk")
        .values_list("instructed_at", "confirmed_at")
        .first()
    )


def payment_instructed_at(application: EmergencyApplication) -> datetime | None:
    """When the first (not withdrawn) payment instruction went out: RULES.md §5 "the payment
    instruction follows within 2 more" working days — the instruction meets it, not the bank."""
    first = _first_instruction(application)
    return first[0] if first else None


def bank_facts(application: EmergencyApplication) -> dict:
    """The payment clock's end and the bank's clock (RULES.md §5: "the bank's confirmation is
    a second deadline … tracked and escalated on its own"): due at ``bank_due_at``, stored
    when the first instruction went out (``services.money.bank_clock_start``: a later setting
    or calendar does not move it), met only when the bank's confirmation of it is recorded."""
    first = _first_instruction(application)
    if first is None:
        return {}
    instructed_at, confirmed_at = first
    return {
        "paid_at": instructed_at,
        "bank_due_at": application.bank_due_at,
        "bank_confirmed_at": confirmed_at,
    }


def facts_of(application: EmergencyApplication, now: datetime) -> deadlines.Facts:
    """The application's clocks as the pure module reads them (a deemed approval included)."""
    if application.deemed_approved_now(now):
        # Derived, not yet recorded: approved at the review's due moment.
        from .services.applications import times_of

        approved_at = application.review_due_at
        times = times_of(application.item)
        tz = timezone.get_default_timezone()
        return deadlines.Facts(
            review_due_at=application.review_due_at,
            decided_at=approved_at,
            approved=True,
            prepayment=bool(application.prepayment_fen),
            payment_due_at=deadlines.payment_due(approved_at, times, tz)
            if application.prepayment_fen
            else None,
            works_start_due_at=deadlines.works_start_due(approved_at, times),
        )
    Status = EmergencyApplication.Status
    approved = application.status not in (Status.FILED, Status.UNDER_REVIEW, Status.REFUSED)
    return deadlines.Facts(
        review_due_at=application.review_due_at,
        decided_at=application.approved_at or application.refused_at,
        approved=approved,
        prepayment=bool(application.prepayment_fen),
        payment_due_at=application.payment_due_at,
        works_start_due_at=application.works_start_due_at,
        works_started_at=application.works_started_at,
        **bank_facts(application),
    )


@dataclass(frozen=True)
class DeadlineRow:
    kind: str
    label: str
    due_at: datetime
    done_at: datetime | None
    state: str
    state_label: str

    @property
    def alert(self) -> bool:
        return self.state in (deadlines.OVERDUE, deadlines.DUE_SOON, deadlines.LATE)


def deadline_rows(
    application: EmergencyApplication, now: datetime | None = None
) -> list[DeadlineRow]:
    now = now or timezone.now()
    rows = []
    for deadline in deadlines.deadlines(facts_of(application, now)):
        state = deadline.state(now)
        rows.append(
            DeadlineRow(
                kind=deadline.kind,
                label=str(DEADLINE_LABELS[deadline.kind]),
                due_at=deadline.due_at,
                done_at=deadline.done_at,
                state=state,
                state_label=str(STATE_LABELS[state]),
            )
        )
    return rows


def open_deadlines(application, now: datetime) -> list[DeadlineRow]:
    """The deadlines still running or overdue (not met), for the dashboard and reminders."""
    return [
        row
        for row in deadline_rows(application, now)
        if row.state in (deadlines.PENDING, deadlines.DUE_SOON, deadlines.OVERDUE)
    ]


def running(queryset: QuerySet[EmergencyApplication]) -> QuerySet[EmergencyApplication]:
    """Applications with a clock that may still be running (undecided, or works pending)."""
    Status = EmergencyApplication.Status
    return queryset.filter(
        Q(status__in=EmergencyApplication.UNDECIDED)
        | Q(status__in=EmergencyApplication.WORKS_PENDING, works_started_at__isnull=True)
        | Q(status=Status.APPROVED, prepayment_fen__gt=0)
    )


@dataclass
class DashboardRow:
    application: EmergencyApplication
    deadlines: list[DeadlineRow]

    @property
    def worst(self) -> str:
        states = {row.state for row in self.deadlines}
        for state in (deadlines.OVERDUE, deadlines.DUE_SOON, deadlines.PENDING):
            if state in states:
                return state
        return deadlines.MET


def dashboard(
    user, *, street: Street | None = None, now: datetime | None = None
) -> list[DashboardRow]:
    """Applications the user oversees with a running or overdue deadline, the overdue first."""
    now = now or timezone.now()
    areas = areas_for(user, OVERSEE)
    if street is not None:
        areas = areas.filter(community__street=street)
    queryset = running(
        EmergencyApplication.objects.filter(area__in=areas.values("pk")).select_related(
            "area__community__street", "item__version", "applicant"
        )
    )
    rows = []
    for application in queryset.order_by("review_due_at", "pk"):
        open_rows = open_deadlines(application, now)
        if open_rows:
            rows.append(DashboardRow(application, open_rows))
    order = {deadlines.OVERDUE: 0, deadlines.DUE_SOON: 1, deadlines.PENDING: 2}
    rows.sort(key=lambda row: (order[row.worst], min(d.due_at for d in row.deadlines)))
    return rows


# --------------------------------------------------------------------------- recovery claims


def visible_claims(user) -> QuerySet[RecoveryClaim]:
    """Recovery claims (追偿) of the applications the user may see (the bureau: all)."""
    return RecoveryClaim.objects.filter(
        application__in=visible_applications(user).values("pk")
    ).select_related("application__area__community__street", "application__item")


def claim_get(user, pk: int) -> RecoveryClaim:
    claim = visible_claims(user).filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim


def warranty_rows(application: EmergencyApplication) -> list[dict]:
    """The stored warranty check, one row per building; a missing date reads "未知"."""
    labels = {
        "in": _("保修期内"),
        "out": _("已过保修期"),
        "unknown": _("竣工日期未知"),
        "none": _("无法定保修期"),
    }
    unknown = _("未知")
    rows = []
    for building, (status, completed, ends) in sorted((application.warranty or {}).items()):
        rows.append(
            {
                "building": building,
                "status": status,
                "label": labels.get(status, status),
                "completed_on": completed or (unknown if status == "unknown" else "—"),
                "ends_on": ends or (unknown if status == "unknown" else "—"),
            }
        )
    return rows


# --------------------------------------------------------------------------- problems


def overseen_communities(user) -> QuerySet[Community]:
    """Communities the user oversees: a whole street's, or their own community's."""
    return (
        Community.objects.filter(
            Q(street__in=streets_for(user, OVERSEE).values("pk"))
            | Q(areas__in=areas_for(user, OVERSEE).values("pk"))
        )
        .select_related("street")
        .distinct()
        .order_by("street__code", "code")
    )


def visible_problems(user) -> QuerySet[Problem]:
    return Problem.objects.filter(
        community__in=overseen_communities(user).values("pk")
    ).select_related("community__street", "area")


def problem_get(user, pk: int) -> Problem:
    problem = visible_problems(user).filter(pk=pk).first()
    if problem is None:
        raise Http404
    return problem


def linkable_problems(area) -> QuerySet[Problem]:
    """Open problems an application of ``area`` may reference (its own, or its community's)."""
    return Problem.objects.filter(
        Q(area=area) | Q(area__isnull=True, community=area.community_id), closed=False
    ).order_by("created_at", "pk")
