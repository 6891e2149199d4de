"""Response times of an emergency application (RULES.md §5). Pure: no Django import.

Four clocks, the first three set per whitelist item (defaults in brackets):

- **review** — the bureau decides within ``review_days`` working days [2] of
  the filing;
- **payment** — where a prepayment (预拨) was asked for, the payment
  instruction follows within ``payment_days`` working days [2] of the approval;
- **bank confirmation** — where the payment instruction went out, the custody
  bank confirms the transfer within ``bank_days`` working days [1] of the
  instruction (a setting, ``GONGZHI_EMERGENCY_BANK_CONFIRM_DAYS``; RULES.md §5
  "the bank's confirmation is a second deadline"). The instruction meets only
  the payment clock: no money has moved until the bank confirms;
- **works start** — the works start within ``start_hours`` hours [24] of the
  approval. Our reading: the approval is the go-ahead for spending the fund,
  so the clock cannot run before it (safety measures on the spot do not wait
  for it, and are not what this clock measures).

Working days are China's official calendar with its swapped days (调休),
counted the way ``core.periods`` counts them (reused, not copied): the day
of the starting event is not counted (Civil Code art. 201), the period runs to
the end of its n-th working day (art. 203 para 2), so it is over at 00:00 of
the next day in the district's time zone. Hours are exact hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from core import periods

REVIEW = "review"
PAYMENT = "payment"
BANK = "bank_confirm"
WORKS_START = "works_start"
KINDS = (REVIEW, PAYMENT, BANK, WORKS_START)

# States of one deadline at a moment.
PENDING = "pending"  # running, more than DUE_SOON left
DUE_SOON = "due_soon"  # running, at most DUE_SOON left
OVERDUE = "overdue"  # passed, not met
MET = "met"  # met in time
LATE = "late"  # met after it had passed

DUE_SOON_WINDOW = timedelta(hours=24)


def _check_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("deadlines need timezone-aware moments")


def working_days_due(start: datetime, days: int, tz: tzinfo) -> datetime:
    """The moment a period of ``days`` working days that starts at ``start`` is over.

    ``start``'s own (local) day is not counted; the result is 00:00, in
    ``tz``, of the day after the ``days``-th working day after it.
    """
    _check_aware(start)
    local_day = start.astimezone(tz).date()
    expires = periods.period_expires(local_day, days, working_days=True)
    return datetime.combine(expires, time.min, tzinfo=tz)


def hours_due(start: datetime, hours: int) -> datetime:
    """``hours`` exact hours after ``start``."""
    _check_aware(start)
    if isinstance(hours, bool) or not isinstance(hours, int) or hours < 1:
        raise ValueError(f"a response time needs a whole number of hours ≥ 1, got {hours!r}")
    return start + timedelta(hours=hours)


@dataclass(frozen=True)
class Times:
    """An item's response times."""

    review_days: int = 2
    payment_days: int = 2
    start_hours: int = 24


def review_due(filed_at: datetime, times: Times, tz: tzinfo) -> datetime:
    return working_days_due(filed_at, times.review_days, tz)


def payment_due(approved_at: datetime, times: Times, tz: tzinfo) -> datetime:
    return working_days_due(approved_at, times.payment_days, tz)


def bank_due(instructed_at: datetime, bank_days: int, tz: tzinfo) -> datetime:
    """The bank confirms within ``bank_days`` working days of the payment instruction."""
    return working_days_due(instructed_at, bank_days, tz)


def works_start_due(approved_at: datetime, times: Times) -> datetime:
    return hours_due(approved_at, times.start_hours)


@dataclass(frozen=True)
class Deadline:
    kind: str
    due_at: datetime
    done_at: datetime | None = None

    def state(self, now: datetime) -> str:
        if self.done_at is not None:
            return MET if self.done_at < self.due_at else LATE
        if now >= self.due_at:
            return OVERDUE
        if self.due_at - now <= DUE_SOON_WINDOW:
            return DUE_SOON
        return PENDING

    def open(self) -> bool:
        return self.done_at is None


@dataclass(frozen=True)
class Facts:
    """What happened to an application, as far as its clocks care."""

    review_due_at: datetime
    decided_at: datetime | None = None  # approved or refused (deemed: the review's due moment)
    approved: bool = False
    prepayment: bool = False
    payment_due_at: datetime | None = None
    paid_at: datetime | None = None  # the payment instruction went out
    bank_due_at: datetime | None = None  # set once the instruction went out
    bank_confirmed_at: datetime | None = None  # the bank's confirmation was recorded
    works_start_due_at: datetime | None = None
    works_started_at: datetime | None = None


def deadlines(facts: Facts) -> list[Deadline]:
    """The deadlines that apply to an application, in the order they arise.

    Review always applies; payment only once approved with a prepayment asked
    for, the bank's confirmation once that payment was instructed; works start
    once approved. A refused application has only its review.
    """
    result = [Deadline(REVIEW, facts.review_due_at, facts.decided_at)]
    if not facts.approved:
        return result
    if facts.prepayment and facts.payment_due_at is not None:
        result.append(Deadline(PAYMENT, facts.payment_due_at, facts.paid_at))
        if facts.paid_at is not None and facts.bank_due_at is not None:
            result.append(Deadline(BANK, facts.bank_due_at, facts.bank_confirmed_at))
    if facts.works_start_due_at is not None:
        result.append(Deadline(WORKS_START, facts.works_start_due_at, facts.works_started_at))
    return result
