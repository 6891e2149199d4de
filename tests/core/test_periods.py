"""Periods in days (Civil Code arts. 201, 203) on China's official calendar (core.periods).

Dates of 2025 and 2026 are the State Council's published schedules as the
``holidays`` package carries them: National Day 2025 ran 1–8 October with
Sunday 28 September and Saturday 11 October as working days; 2026 has
Sunday 20 September and Saturday 10 October as working days.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import periods


def test_a_weekday_is_a_working_day():
    assert periods.is_working_day(date(2025, 9, 30)) is True


def test_an_ordinary_saturday_is_not_a_working_day():
    assert periods.is_working_day(date(2025, 9, 20)) is False


def test_national_day_is_not_a_working_day():
    assert periods.is_working_day(date(2025, 10, 1)) is False


def test_a_swapped_weekday_day_off_is_not_a_working_day():
    # 2025-10-08 (Wednesday) was given off in exchange for Saturday 11 October.
    assert periods.is_working_day(date(2025, 10, 8)) is False


def test_a_swapped_working_saturday_is_a_working_day():
    assert periods.is_working_day(date(2025, 10, 11)) is True


def test_a_swapped_working_sunday_is_a_working_day():
    assert periods.is_working_day(date(2025, 9, 28)) is True


def test_the_day_of_the_notice_is_not_counted():
    # Art. 201: notice on Monday 3 March 2025, 15 days run 4–18 March (a Tuesday).
    assert periods.period_end(date(2025, 3, 3), 15) == date(2025, 3, 18)


def test_voting_may_open_the_day_after_the_last_day():
    assert periods.notice_earliest_open(date(2025, 3, 3), 15) == date(2025, 3, 19)


def test_a_period_ending_on_national_day_runs_to_the_first_working_day_after_it():
    # Notice 16 September 2025: the 15th day is 1 October; 1–8 October are days off
    # (4–5 October a weekend), so the period ends on Thursday 9 October.
    assert periods.period_end(date(2025, 9, 16), 15) == date(2025, 10, 9)
    assert periods.notice_earliest_open(date(2025, 9, 16), 15) == date(2025, 10, 10)


def test_a_period_ending_the_day_before_national_day_is_not_extended():
    assert periods.period_end(date(2025, 9, 15), 15) == date(2025, 9, 30)


def test_a_period_ending_on_a_swapped_working_saturday_ends_that_saturday():
    # Notice 26 September 2025: the 15th day is Saturday 11 October, a working day.
    assert periods.period_end(date(2025, 9, 26), 15) == date(2025, 10, 11)
    assert periods.notice_earliest_open(date(2025, 9, 26), 15) == date(2025, 10, 12)


def test_a_period_ending_on_an_ordinary_saturday_runs_to_monday():
    # Notice 5 September 2025: the 15th day is Saturday 20 September.
    assert periods.period_end(date(2025, 9, 5), 15) == date(2025, 9, 22)


def test_a_period_ending_on_a_swapped_working_sunday_ends_that_sunday():
    assert periods.period_end(date(2025, 9, 13), 15) == date(2025, 9, 28)


def test_a_period_ending_on_a_swapped_day_off_runs_past_it():
    # 2026: National Day 1–7 October, Saturday 10 October a working day.
    # Notice 22 September 2026: the 15th day is 7 October (a swapped day off) → Thursday 8 October.
    assert periods.period_end(date(2026, 9, 22), 15) == date(2026, 10, 8)


def test_working_days_count_swapped_working_days_and_skip_the_holiday():
    # From Friday 26 September 2025: Sun 28 Sep (1), 29 (2), 30 (3), 9 Oct (4), 10 (5),
    # Sat 11 Oct (6), 13–17 Oct (7–11), 20–23 Oct (12–15).
    assert periods.period_end(date(2025, 9, 26), 15, working_days=True) == date(2025, 10, 23)


def test_a_seven_day_objection_period_over_spring_festival():
    # Published Monday 9 February 2026: the 7th day is 16 February, Spring Festival's eve;
    # 15–23 February are days off (20 and 23 swapped), so the period ends Tuesday 24 February.
    assert periods.period_end(date(2026, 2, 9), 7) == date(2026, 2, 24)
    assert periods.period_expires(date(2026, 2, 9), 7) == date(2026, 2, 25)


@pytest.mark.parametrize("days", [0, -1, True, 1.5])
def test_a_period_needs_a_positive_whole_number_of_days(days):
    with pytest.raises(ValueError):
        periods.period_end(date(2025, 3, 3), days)


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)),
    days=st.integers(min_value=1, max_value=40),
)
def test_a_calendar_period_ends_on_a_working_day_no_earlier_than_n_days_later(start, days):
    end = periods.period_end(start, days)
    assert end >= start + timedelta(days=days)
    assert periods.is_working_day(end)
    # Only rest days lie between the n-th day and the end (art. 203 moves no further).
    day = start + timedelta(days=days)
    while day < end:
        assert not periods.is_working_day(day)
        day += timedelta(days=1)


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)),
    days=st.integers(min_value=1, max_value=30),
)
def test_a_working_day_period_counts_exactly_n_working_days(start, days):
    end = periods.period_end(start, days, working_days=True)
    counted = sum(
        periods.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )
    assert counted == days
    assert periods.is_working_day(end)
