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
working day, and a weekday it declares a day off is not. Each November the
State Council publishes the next year's schedule. Two sources, in this order:

1. the **bureau's calendar** (``core.models.HolidayNotice``): the bureau enters
   each year's notice (rest days and swapped working days); the newest entry
   for a year is used. Django installs it here as the *calendar source*
   (``set_calendar_source``, done by ``core.apps``), so this module stays pure;
2. the ``holidays`` package's ``China`` (version 0.109 here), for a year the
   bureau has not entered. The package carries the published schedules only
   to 2026; for later years it predicts the fixed holidays without any 调休.
   A deadline counted in such a year is therefore *flagged*
   (``years_from_package``): the pages say the date is provisional.

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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "YearCalendar",
    "is_working_day",
    "next_working_day",
    "notice_earliest_open",
    "period_end",
    "period_expires",
    "set_calendar_source",
    "years_from_package",
]


@dataclass(frozen=True)
class YearCalendar:
    """One year as the State Council's notice sets it: its rest days and swapped working days.

    ``rest_days`` are the days off of the notice (the holidays with the weekend
    days inside their run); ``work_days`` are the Saturdays and Sundays it
    declares working days (调休上班). Any other day follows the week: Monday to
    Friday work, Saturday and Sunday rest.
    """

    year: int
    rest_days: frozenset[date]
    work_days: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.rest_days:
            return False
        if day in self.work_days:
            return True
        return day.weekday() < 5


# year -> the bureau's calendar of that year, or None where none was entered.
_source: Callable[[int], YearCalendar | None] | None = None


def set_calendar_source(source: Callable[[int], YearCalendar | None] | None) -> None:
    """Use ``source(year)`` before the package (the bureau's calendar; ``None`` = package only)."""
    global _source
    _source = source


def _bureau(year: int) -> YearCalendar | None:
    return _source(year) if _source is not None else None


def years_from_package(days: Iterable[date]) -> list[int]:
    """The years among ``days`` that the bureau has not entered: counted from the package, flagged."""
    return sorted({day.year for day in days if _bureau(day.year) is None})


@lru_cache(maxsize=64)
def _package(year: int) -> holidays.HolidayBase:
    # One calendar per year, built once: holidays and swapped working days of that year.
    return holidays.China(years=year)


def is_working_day(day: date) -> bool:
    """True on a working day of China's official calendar (swapped days included).

    The bureau's entry for the year when there is one, else the package.
    """
    bureau = _bureau(day.year)
    if bureau is not None:
        return bureau.is_working_day(day)
    return _package(day.year).is_working_day(day)


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
