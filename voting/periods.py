"""Periods counted in days: the notice period and the objection period (RULES.md §2 "Periods").

Pure: no Django import; dates in, dates out. The services turn a moment into
its local date (Asia/Shanghai) and a returned date back into a moment.

The Civil Code fixes how a period counted in days runs:

- art. 201: the day on which the period starts (the day the notice or the
  result is published) is not counted; counting starts the next day;
- art. 203 para 1: when the last day is a statutory rest day (法定休假日),
  the period ends on the first working day after it;
- art. 203 para 2: the last day ends at 24:00.

"Working day" follows China's official calendar with its swapped days
(调休): a Saturday or Sunday the State Council declares a working day *is* a
working day, and a weekday it declares a day off is not. The calendar is the
``holidays`` package's ``China`` (version 0.109 here), whose ``is_working_day``
consults both the holidays and ``weekend_workdays``. The package carries the
State Council's published schedule up to the latest announced year; for later
years it only predicts the fixed holidays (no 调休), so the package must be
kept current — an announcement each November is what moves the dates.

Two ways of counting, chosen by a setting (``GONGZHI_PERIODS_IN_WORKING_DAYS``):

- calendar days (default): the last day is the n-th day after the start,
  moved to the next working day if it is a rest day (art. 203);
- working days: the last day is the n-th working day after the start (it is
  then a working day, so art. 203 never moves it).

When voting may open (our reading, tested): the owners must have the whole
notice period (物业管理条例 art. 14: notified "at least 15 days before"), so
voting opens no earlier than the day *after* the period's last day, at 00:00
— the moment the last day has ended (art. 203 para 2). Reading "15 days
before" as allowing an opening on the last day itself would give owners one
day less; a vote opened one day later than necessary is never unlawful, one
opened a day early could be annulled (SPC art. 12), so we take the safe side.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "is_working_day",
    "next_working_day",
    "notice_earliest_open",
    "period_end",
    "period_expires",
]


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    # One calendar per year, built once: holidays and swapped working days of that year.
    return holidays.China(years=year)


def is_working_day(day: date) -> bool:
    """True on a working day of China's official calendar (swapped days included)."""
    return _calendar(day.year).is_working_day(day)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it (art. 203)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def period_end(start: date, days: int, *, working_days: bool = False) -> date:
    """The last day of a period of ``days`` days that starts on ``start``.

    ``start`` itself is not counted (art. 201). In calendar days the last day
    is ``start + days``, moved to the next working day when it is a rest day
    (art. 203); in working days it is the ``days``-th working day after ``start``.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"a period needs a whole number of days ≥ 1, got {days!r}")
    if not working_days:
        return next_working_day(start + timedelta(days=days))
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def period_expires(start: date, days: int, *, working_days: bool = False) -> date:
    """The date at whose 00:00 the period is over: the day after its last day (art. 203 para 2)."""
    return period_end(start, days, working_days=working_days) + timedelta(days=1)


def notice_earliest_open(notice_day: date, days: int, *, working_days: bool = False) -> date:
    """The first date on which voting may open after a notice published on ``notice_day``.

    Voting may open at 00:00 of the returned date, once the whole notice
    period has run (module docstring).
    """
    return period_expires(notice_day, days, working_days=working_days)
