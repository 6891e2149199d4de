"""Totals of the public-revenue ledger — a pure module, no Django.

Civil Code art. 282: income from the common parts belongs to the owners
*after reasonable costs*; so the ledger's figure that matters is the net,
income less cost. Every amount is an integer number of fen; a reversing
entry (the only correction of an append-only ledger) counts with the
opposite sign in the category of the entry it reverses, so an entry and its
reversal add up to nothing in every total.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

INCOME = "income"
COST = "cost"

# 1,000,000,000.00 yuan: far beyond any estate's parking income, small enough
# that a slip of the keyboard (an account number typed as an amount) is refused.
MAX_FEN = 100_000_000_000


@dataclass(frozen=True)
class Line:
    direction: str  # INCOME or COST
    category: str
    amount_fen: int  # always > 0 as stored
    reversal: bool = False

    @property
    def signed_fen(self) -> int:
        return -self.amount_fen if self.reversal else self.amount_fen


@dataclass(frozen=True)
class Totals:
    income_fen: int
    cost_fen: int
    by_category: dict[str, int] = field(default_factory=dict)

    @property
    def net_fen(self) -> int:
        return self.income_fen - self.cost_fen


def totals(lines: Iterable[Line], categories: Sequence[str] = ()) -> Totals:
    """Income, cost and each category's total, reversals netted (module docstring).

    ``categories`` lists the categories to show even when nothing was booked
    in them (a notice lists every category, with 0.00 where there was none),
    in the order given; categories met in ``lines`` but not listed follow.
    """
    income = cost = 0
    by_category = dict.fromkeys(categories, 0)
    for line in lines:
        if line.direction not in (INCOME, COST):
            raise ValueError(f"unknown direction {line.direction!r}")
        if isinstance(line.amount_fen, bool) or not isinstance(line.amount_fen, int):
            raise ValueError(f"amount must be int fen, got {type(line.amount_fen).__name__}")
        if line.amount_fen <= 0:
            raise ValueError(f"amount must be positive, got {line.amount_fen}")
        signed = line.signed_fen
        if line.direction == INCOME:
            income += signed
        else:
            cost += signed
        by_category[line.category] = by_category.get(line.category, 0) + signed
    return Totals(income_fen=income, cost_fen=cost, by_category=by_category)
