"""Calendar quarters, the period of the public-revenue notice — a pure module, no Django.

RULES.md §6 asks for the ledger to be published "at least quarterly"; a
quarter can be published (or its net allocated) only once it is over, since
until its last day has passed more income or cost may still fall into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

FIRST_YEAR = 2000  # no estate on the platform kept a revenue ledger before this
_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self):
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise ValueError(f"year must be an int, got {self.year!r}")
        if isinstance(self.quarter, bool) or not isinstance(self.quarter, int):
            raise ValueError(f"quarter must be an int, got {self.quarter!r}")
        if not FIRST_YEAR <= self.year <= 9998:
            raise ValueError(f"year must be between {FIRST_YEAR} and 9998, got {self.year}")
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1 to 4, got {self.quarter}")

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        if self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def finished(self, today: date) -> bool:
        """Over only once its last day has passed: on the last day itself it is still running."""
        return today > self.last_day

    def previous(self) -> Quarter:
        if self.quarter == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.quarter - 1)

    @property
    def label(self) -> str:
        """The period as a notice names it: 2026年第一季度."""
        return f"{self.year}年第{_NUMERALS[self.quarter]}季度"

    @property
    def span(self) -> str:
        return f"{self.first_day:%Y-%m-%d}至{self.last_day:%Y-%m-%d}"

    @property
    def key(self) -> str:
        """A short machine form for URLs and file names: 2026Q1."""
        return f"{self.year}Q{self.quarter}"


def last_finished(today: date) -> Quarter:
    """The most recent quarter that is over on ``today``: the one due for publication."""
    return Quarter.of(today).previous()
