"""Statutory warranty periods of a building's parts — a pure module, no Django.

RULES.md §4, Order 165 art. 18 (the fund pays for common parts only after their
warranty has run out) and 《建设工程质量管理条例》 art. 40 (minimum warranty
periods, counted from the day the works passed completion acceptance,
竣工验收合格 — not from hand-over):

1. foundations and the main structure: the design life in the design documents
   (``design_life_years``, 50 by default: GB 50068 "普通房屋和构筑物");
2. roof waterproofing, and leak-proofing of walls and of rooms that need it: 5 years;
3. heating and cooling systems: 2 heating seasons / 2 cooling seasons;
4. electrical lines, water-supply and drainage pipes, equipment installation
   and decoration: 2 years.

Other work (e.g. replacing a worn-out part whose warranty class is none of the
above, or greening and roads) has no statutory warranty: ``warranty_end`` is None.

Exact day rule (our policy, from Civil Code arts. 201–202):

- a period in years: the completion day is not counted (art. 201); the period
  ends on the day of the last year's month that corresponds to the completion
  day, or on that month's last day when it has none (art. 202): completed on
  2020-06-15, 5 years → last day 2025-06-15; completed 2020-02-29, 2 years →
  2022-02-28;
- a period in seasons: the seasons counted are those that *begin after* the
  completion day (a season already running on that day is not a whole season);
  the warranty ends on the last day of the second such season. Heating season
  defaults to 15 Nov – 15 Mar, cooling season to 1 Jun – 30 Sep (settings);
- Civil Code art. 203 (a last day on a holiday moves to the next working day) is
  not applied: a warranty is the builder's liability for defects that appear
  within it, not a time limit for an act;
- an application is *in warranty* when the day it was filed is on or before the
  last day. A building without a recorded completion date is *unknown*, and is
  flagged like one in warranty: the reviewer must record why the fund pays.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

# Repair types and how their warranty runs: ("years", n) / ("seasons", "heating"|"cooling")
# / ("design_life", None) / None (no statutory warranty).
STRUCTURE = "structure"
WATERPROOFING = "waterproofing"
HEATING = "heating"
COOLING = "cooling"
ELECTRICAL = "electrical"
PLUMBING = "plumbing"
DRAINAGE = "drainage"
EQUIPMENT = "equipment"
DECORATION = "decoration"
OTHER = "other"

RULES: dict[str, tuple[str, object] | None] = {
    STRUCTURE: ("design_life", None),
    WATERPROOFING: ("years", 5),
    HEATING: ("seasons", "heating"),
    COOLING: ("seasons", "cooling"),
    ELECTRICAL: ("years", 2),
    PLUMBING: ("years", 2),
    DRAINAGE: ("years", 2),
    EQUIPMENT: ("years", 2),
    DECORATION: ("years", 2),
    OTHER: None,
}

# (start month, start day, end month, end day); an end before the start is in the next year.
HEATING_SEASON = (11, 15, 3, 15)
COOLING_SEASON = (6, 1, 9, 30)
DESIGN_LIFE_YEARS = 50
SEASONS_COUNTED = 2

IN = "in"
OUT = "out"
UNKNOWN = "unknown"
NONE = "none"


def add_years(day: date, years: int) -> date:
    """The last day of a period of ``years`` years starting after ``day`` (Civil Code art. 202)."""
    if years < 0:
        raise ValueError("years must not be negative")
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


def _season_bounds(start_year: int, season: tuple[int, int, int, int]) -> tuple[date, date]:
    sm, sd, em, ed = season
    start = date(start_year, sm, sd)
    end_year = start_year if (em, ed) >= (sm, sd) else start_year + 1
    return start, date(end_year, em, ed)


def seasons_end(day: date, season: tuple[int, int, int, int], count: int = SEASONS_COUNTED) -> date:
    """The last day of the ``count``-th season that begins after ``day`` (module docstring)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    year = day.year
    seen = 0
    while True:
        start, end = _season_bounds(year, season)
        if start > day:
            seen += 1
            if seen == count:
                return end
        year += 1


def warranty_end(
    repair_type: str,
    completed_on: date,
    *,
    heating: tuple[int, int, int, int] = HEATING_SEASON,
    cooling: tuple[int, int, int, int] = COOLING_SEASON,
    design_life_years: int = DESIGN_LIFE_YEARS,
) -> date | None:
    """The last day of the statutory warranty of ``repair_type`` work, or None if it has none."""
    if repair_type not in RULES:
        raise ValueError(f"unknown repair type {repair_type!r}")
    rule = RULES[repair_type]
    if rule is None:
        return None
    how, value = rule
    if how == "years":
        return add_years(completed_on, int(value))
    if how == "design_life":
        return add_years(completed_on, design_life_years)
    return seasons_end(completed_on, heating if value == "heating" else cooling)


@dataclass(frozen=True)
class WarrantyCheck:
    """One building's warranty position for one repair type on a given day."""

    building: str
    status: str  # IN, OUT, UNKNOWN (no completion date) or NONE (no statutory warranty)
    completed_on: date | None
    ends_on: date | None

    @property
    def flagged(self) -> bool:
        """In warranty, or unknown: the reviewer must record why the fund still pays."""
        return self.status in (IN, UNKNOWN)


def warranty_check(
    repair_type: str,
    buildings: dict[str, date | None],
    on: date,
    **periods,
) -> list[WarrantyCheck]:
    """Each building (name → completion date or None) checked on ``on``, by name."""
    if repair_type not in RULES:
        raise ValueError(f"unknown repair type {repair_type!r}")
    checks = []
    for name in sorted(buildings):
        completed = buildings[name]
        if RULES[repair_type] is None:
            checks.append(WarrantyCheck(name, NONE, completed, None))
        elif completed is None:
            checks.append(WarrantyCheck(name, UNKNOWN, None, None))
        else:
            ends = warranty_end(repair_type, completed, **periods)
            checks.append(WarrantyCheck(name, IN if on <= ends else OUT, completed, ends))
    return checks


def overall(checks: list[WarrantyCheck]) -> str:
    """One status for a whole scope: IN if any building is in warranty, else UNKNOWN if any
    completion date is missing (or there is no building at all), else OUT if any building
    had a warranty that has run out, else NONE. Unknown is never read as "out" (RULES §5)."""
    statuses = {check.status for check in checks}
    if IN in statuses:
        return IN
    if UNKNOWN in statuses or not statuses:
        return UNKNOWN
    if OUT in statuses:
        return OUT
    return NONE
