"""One repair split into several uses to stay under the two-approver threshold — pure, no Django.

RULES.md §4 (issue #14 §2): two distinct approvers are needed when the
cumulative amount instructed for one use exceeds the threshold. Splitting one
repair into several uses each under it — same area, same parts, within 90
days (a setting) — is flagged to the approver, who decides; the flag refuses
nothing by itself.

"Same parts": the same repair type (what is repaired, ``RepairType``) on
common parts shared by at least one unit of both 列支范围 (a roof repaired for
building 1 and again for building 1 + 2 is the same roof). "Within 90 days":
the filing dates are at most 90 days apart, both ends counted (89 and 90
flagged, 91 not). The caller passes only uses of the same area.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

WINDOW_DAYS = 90  # default of GONGZHI_FUND_SPLIT_WINDOW_DAYS


@dataclass(frozen=True)
class UseFacts:
    """What the rule reads of one use: its id, what and where it repairs, when, how much."""

    id: int
    repair_type: str
    units: frozenset[int]
    filed_on: date
    budget_fen: int


def same_parts(a: UseFacts, b: UseFacts) -> bool:
    return a.repair_type == b.repair_type and not a.units.isdisjoint(b.units)


def split_suspects(
    this: UseFacts, others: Iterable[UseFacts], *, window_days: int = WINDOW_DAYS
) -> list[UseFacts]:
    """The other uses that look like parts of the same repair as ``this``, oldest first."""
    found = [
        other
        for other in others
        if other.id != this.id
        and same_parts(this, other)
        and abs((other.filed_on - this.filed_on).days) <= window_days
    ]
    return sorted(found, key=lambda u: (u.filed_on, u.id))


def combined_fen(this: UseFacts, suspects: Iterable[UseFacts]) -> int:
    """Σ budgets of ``this`` and its suspects: what one approver would authorise in all."""
    return this.budget_fen + sum(u.budget_fen for u in suspects)
