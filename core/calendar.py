"""The bureau's holiday calendar as ``core.periods`` reads it (RULES.md §2 "Periods").

``bureau_year(year)`` turns the newest entered notice of a year into a
``periods.YearCalendar``; ``core.apps`` installs it as the calendar source, so
every working-day deadline (assembly notice and objection periods, emergency
review and payment clocks) uses the bureau's entry in preference to the
``holidays`` package.

A year is read from the database once and kept for ``CACHE_SECONDS`` in the
process (a deadline counts day by day); an entry made in this process clears
it at once (``on_commit`` in the service), another web worker sees it within
the same number of seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from . import periods
from .models import HolidayNotice, HolidayNoticeDay

CACHE_SECONDS = 60

_cache: dict[int, tuple[float, periods.YearCalendar | None]] = {}

# While set, the calendar as it stood at that moment: entries made later are ignored.
_as_of: ContextVar[datetime | None] = ContextVar("calendar_as_of", default=None)


@contextmanager
def as_of(moment: datetime | None) -> Iterator[None]:
    """Count with the calendar as it stood at ``moment`` (entries made later are ignored).

    A date fixed in a published notice is not moved by a later entry (RULES.md
    §2 "Periods"): a check repeated later — an assembly opening at the moment
    its notice announced — counts with the calendar the notice was counted with.
    """
    token = _as_of.set(moment)
    try:
        yield
    finally:
        _as_of.reset(token)


def cache_clear() -> None:
    _cache.clear()


def newest_notice(year: int, *, entered_by_then: datetime | None = None) -> HolidayNotice | None:
    notices = HolidayNotice.objects.filter(year=year)
    if entered_by_then is not None:
        notices = notices.filter(entered_at__lte=entered_by_then)
    return notices.order_by("-version").first()


def _load(year: int, moment: datetime | None = None) -> periods.YearCalendar | None:
    notice = newest_notice(year, entered_by_then=moment)
    if notice is None:
        return None
    rest, work = set(), set()
    for day, kind in notice.days.values_list("day", "kind"):
        (rest if kind == HolidayNoticeDay.Kind.REST else work).add(day)
    return periods.YearCalendar(year=year, rest_days=frozenset(rest), work_days=frozenset(work))


def bureau_year(year: int) -> periods.YearCalendar | None:
    """The bureau's calendar of ``year``, or ``None`` where the bureau has not entered it."""
    moment = _as_of.get()
    if moment is not None:
        return _load(year, moment)
    now = time.monotonic()
    hit = _cache.get(year)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = _load(year)
    _cache[year] = (now, value)
    return value


def missing_years(*days: date) -> list[int]:
    """The years of ``days`` with no bureau calendar: a deadline in them is provisional (flagged)."""
    return periods.years_from_package(day for day in days if day is not None)


# From this day of December the dashboards warn that next year's calendar is missing.
WARN_FROM_MONTH, WARN_FROM_DAY = 12, 1


def next_year_missing(today: date) -> int | None:
    """Next year, when it is 1 December or later and the bureau has not entered it; else None."""
    if (today.month, today.day) < (WARN_FROM_MONTH, WARN_FROM_DAY):
        return None
    year = today.year + 1
    return year if bureau_year(year) is None else None
