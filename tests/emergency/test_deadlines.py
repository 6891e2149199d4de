"""Response times in working days of China's calendar, and hours (RULES.md §5; emergency.deadlines).

2026 calendar (State Council schedule as the ``holidays`` package carries it):
National Day Thu 1 – Wed 7 October off; Sun 20 September and Sat 10 October
are swapped working days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from emergency import deadlines
from emergency.deadlines import Deadline, Facts, Times

SH = ZoneInfo("Asia/Shanghai")


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SH)


def midnight(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T00:00").replace(tzinfo=SH)


# --------------------------------------------------------------------------- working days


def test_two_working_days_in_an_ordinary_week_end_at_midnight_after_the_second():
    # Filed Tue 10 Nov 2026: Wed 11, Thu 12 counted; over at 00:00 Fri 13.
    assert deadlines.working_days_due(at("2026-11-10"), 2, SH) == midnight("2026-11-13")


def test_the_filing_day_itself_is_not_counted_even_at_one_minute_past_midnight():
    assert deadlines.working_days_due(at("2026-11-10", "00:01"), 2, SH) == midnight("2026-11-13")
    assert deadlines.working_days_due(at("2026-11-10", "23:59"), 2, SH) == midnight("2026-11-13")


def test_an_ordinary_weekend_is_skipped():
    # Filed Fri 13 Nov: Mon 16, Tue 17 → over at 00:00 Wed 18.
    assert deadlines.working_days_due(at("2026-11-13"), 2, SH) == midnight("2026-11-18")


def test_a_review_over_national_day_runs_past_the_holiday():
    # Filed Wed 30 Sep 2026: 1–7 Oct are off; Thu 8 and Fri 9 are the two working days.
    assert deadlines.working_days_due(at("2026-09-30"), 2, SH) == midnight("2026-10-10")


def test_a_filing_on_the_last_working_day_before_the_holiday_and_the_day_after_it():
    # One day either side of the boundary: 29 Sep counts 30 Sep and 8 Oct.
    assert deadlines.working_days_due(at("2026-09-29"), 2, SH) == midnight("2026-10-09")
    assert deadlines.working_days_due(at("2026-10-08"), 2, SH) == midnight("2026-10-11")


def test_a_filing_during_the_holiday_counts_from_the_first_working_day_after_it():
    assert deadlines.working_days_due(at("2026-10-03"), 2, SH) == midnight("2026-10-10")
    assert deadlines.working_days_due(at("2026-10-07"), 2, SH) == midnight("2026-10-10")


def test_the_swapped_working_saturday_after_national_day_is_counted():
    # Filed Thu 8 Oct: Fri 9 and Sat 10 (a working day by 调休) → over at 00:00 Sun 11.
    assert deadlines.working_days_due(at("2026-10-08"), 2, SH) == midnight("2026-10-11")
    # Filed Fri 9 Oct: Sat 10 counts, Sun 11 does not, Mon 12 does → 00:00 Tue 13.
    assert deadlines.working_days_due(at("2026-10-09"), 2, SH) == midnight("2026-10-13")


def test_the_swapped_working_sunday_before_national_day_is_counted():
    # Filed Fri 18 Sep: Sat 19 off, Sun 20 working (调休), Mon 21 → 00:00 Tue 22.
    assert deadlines.working_days_due(at("2026-09-18"), 2, SH) == midnight("2026-09-22")
    # One day earlier: Fri 18 and Sun 20 → 00:00 Mon 21.
    assert deadlines.working_days_due(at("2026-09-17"), 2, SH) == midnight("2026-09-21")


def test_an_ordinary_sunday_is_not_a_working_day():
    # Filed Fri 11 Sep (no swap that weekend): Mon 14, Tue 15 → 00:00 Wed 16.
    assert deadlines.working_days_due(at("2026-09-11"), 2, SH) == midnight("2026-09-16")


def test_the_local_day_decides_not_the_utc_day():
    # 30 Sep 23:30 in Shanghai is 30 Sep 15:30 UTC; 1 Oct 00:30 in Shanghai is still 30 Sep UTC.
    late_on_30 = at("2026-09-30", "23:30").astimezone(ZoneInfo("UTC"))
    early_on_1 = at("2026-10-01", "00:30").astimezone(ZoneInfo("UTC"))
    assert deadlines.working_days_due(late_on_30, 2, SH) == midnight("2026-10-10")
    assert deadlines.working_days_due(early_on_1, 2, SH) == midnight("2026-10-10")
    assert deadlines.working_days_due(at("2026-09-29", "23:59"), 2, SH) == midnight("2026-10-09")


def test_naive_moments_are_refused():
    with pytest.raises(ValueError):
        deadlines.working_days_due(datetime(2026, 9, 30, 10), 2, SH)


def test_working_days_reuse_the_voting_calendar():
    # One calendar for the platform: emergency.deadlines counts with core.periods.
    from core import periods

    assert deadlines.periods is periods


# --------------------------------------------------------------------------- hours


def test_works_start_is_exact_hours_after_approval_holidays_or_not():
    approved = at("2026-10-01", "09:15")
    assert deadlines.hours_due(approved, 24) == at("2026-10-02", "09:15")
    assert deadlines.works_start_due(approved, Times(start_hours=48)) == at("2026-10-03", "09:15")


@pytest.mark.parametrize("hours", [0, -1, 1.5, True])
def test_hours_must_be_a_whole_positive_number(hours):
    with pytest.raises(ValueError):
        deadlines.hours_due(at("2026-10-01"), hours)


def test_item_times_drive_review_and_payment():
    times = Times(review_days=5, payment_days=3)
    # 8, 9, 10 (swapped Saturday), 12, 13 October.
    assert deadlines.review_due(at("2026-09-30"), times, SH) == midnight("2026-10-14")
    # 10 (swapped Saturday), 12, 13 October.
    assert deadlines.payment_due(at("2026-10-09"), times, SH) == midnight("2026-10-14")


# --------------------------------------------------------------------------- states


def test_a_deadline_is_pending_then_due_soon_then_overdue_at_its_exact_moment():
    due = midnight("2026-10-10")
    d = Deadline(deadlines.REVIEW, due)
    assert d.state(due - timedelta(hours=24, microseconds=1)) == deadlines.PENDING
    assert d.state(due - timedelta(hours=24)) == deadlines.DUE_SOON
    assert d.state(due - timedelta(microseconds=1)) == deadlines.DUE_SOON
    assert d.state(due) == deadlines.OVERDUE


def test_a_deadline_met_before_its_moment_is_met_and_at_or_after_it_late():
    due = midnight("2026-10-10")
    now = due + timedelta(days=3)
    assert Deadline("review", due, due - timedelta(microseconds=1)).state(now) == deadlines.MET
    assert Deadline("review", due, due).state(now) == deadlines.LATE


def test_only_the_review_applies_before_approval():
    facts = Facts(review_due_at=midnight("2026-10-10"))
    assert [d.kind for d in deadlines.deadlines(facts)] == [deadlines.REVIEW]


def test_after_approval_works_start_applies_and_payment_only_with_a_prepayment():
    base = {
        "review_due_at": midnight("2026-10-10"),
        "decided_at": at("2026-10-09"),
        "approved": True,
        "payment_due_at": midnight("2026-10-13"),
        "works_start_due_at": at("2026-10-10"),
    }
    without = deadlines.deadlines(Facts(**base))
    with_prepayment = deadlines.deadlines(Facts(**base, prepayment=True))
    assert [d.kind for d in without] == [deadlines.REVIEW, deadlines.WORKS_START]
    assert [d.kind for d in with_prepayment] == [
        deadlines.REVIEW,
        deadlines.PAYMENT,
        deadlines.WORKS_START,
    ]
