"""First deposit and the top-up flag of the maintenance fund — a pure module, no Django.

Order 165 (《住宅专项维修资金管理办法》) art. 7: the first deposit of a unit is
its area × 5%–8% of the local construction cost per m² (the rate and the
cost are settings per area, RULES.md §4). Art. 17: when a unit's balance
falls below 30% of its first deposit the owner must top it up (续交).

Money is integer fen and everything is computed in exact integers: Decimal
inputs are turned into exact fractions, never floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

__all__ = [
    "MAX_RATE",
    "MIN_RATE",
    "RULE_VERSION",
    "TOP_UP_THRESHOLD",
    "Backfill",
    "Terms",
    "backfill_demand",
    "first_deposit_fen",
    "needs_top_up",
]

# Stored with every demand: how its amount was computed from its basis
# (``first_deposit_fen`` below: area × cost × rate, half up to the fen). A new
# rounding or formula gets a new version; stored demands keep theirs.
RULE_VERSION = "order165-art7/half-up/1"

# Order 165 art. 7: "5%至8%", read with both ends included (RULES.md §4).
MIN_RATE = Decimal("0.05")
MAX_RATE = Decimal("0.08")
# Order 165 art. 17 / RULES.md §4: flag a balance below 30% of the first deposit.
TOP_UP_THRESHOLD = Decimal("0.30")


def _check_decimal(value: object, what: str) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"{what} is a float; use Decimal (never float)")
    if not isinstance(value, Decimal):
        raise ValueError(f"{what} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{what} is not a finite number: {value}")
    return value


def _check_fen(value: object, what: str) -> int:
    # bool is a subclass of int; True fen is a bug, not one fen.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an int number of fen, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    return value


def first_deposit_fen(area: Decimal, cost_per_m2_fen: int, rate: Decimal) -> int:
    """The first deposit of a unit in fen: ``area × cost_per_m2_fen × rate``.

    Order 165 art. 7. ``rate`` must lie within 5%–8%, both ends included
    (``Decimal("0.05")`` and ``Decimal("0.08")`` are accepted), else
    ``ValueError``. ``area`` is the unit's area in m² (RULES.md §1, a positive
    Decimal), ``cost_per_m2_fen`` the local construction cost per m² in fen.

    Rounding (our policy; Order 165 does not say): the exact product is
    rounded to the nearest fen, halves **up** (0.5 fen → 1 fen) — the
    "四舍五入" an owner expects when checking the bill by hand. It is computed
    as an exact fraction, so no intermediate precision is lost.
    """
    _check_decimal(area, "area")
    if area <= 0:
        raise ValueError(f"area must be positive, got {area}")
    _check_fen(cost_per_m2_fen, "cost_per_m2_fen")
    _check_decimal(rate, "rate")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ValueError(
            f"rate must be within {MIN_RATE}–{MAX_RATE} (Order 165 art. 7), got {rate}"
        )
    exact = Fraction(area) * cost_per_m2_fen * Fraction(rate)
    # Half up for a non-negative amount: floor(x + 1/2).
    return (2 * exact.numerator + exact.denominator) // (2 * exact.denominator)


def needs_top_up(
    balance_fen: int, first_deposit_fen: int, threshold: Decimal = TOP_UP_THRESHOLD
) -> bool:
    """Whether a unit must top up its sub-ledger: ``balance < threshold × first deposit``.

    Order 165 art. 17, RULES.md §4: strictly less — a balance of exactly 30%
    of the first deposit is not flagged. Compared in integers (for the default
    30%: ``10 × balance < 3 × first``), never through a rounded product.
    ``threshold`` is a Decimal between 0 and 1 (a setting); a negative balance
    or first deposit raises ``ValueError`` (a sub-ledger is never negative).
    """
    _check_fen(balance_fen, "balance_fen")
    _check_fen(first_deposit_fen, "first_deposit_fen")
    _check_decimal(threshold, "threshold")
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be within 0–1, got {threshold}")
    numerator, denominator = threshold.as_integer_ratio()
    return balance_fen * denominator < numerator * first_deposit_fen


class Terms(NamedTuple):
    """An area's deposit terms (Order 165 art. 7) and when they came into force."""

    since: datetime | None
    cost_per_m2_fen: int
    rate: Decimal


class Backfill(NamedTuple):
    terms: Terms
    amount_fen: int
    # "posting": the unit's first deposit posting is this amount; "history": no
    # posting (or one matching no recorded terms), the terms recorded in force.
    source: str


def _in_force(history: Sequence[Terms], at: datetime | None) -> Terms:
    if at is None:
        return history[0]
    current = history[0]
    for terms in history:
        if terms.since is not None and terms.since > at:
            break
        current = terms
    return current


def backfill_demand(
    *,
    area: Decimal,
    history: Sequence[Terms],
    first_posting: tuple[datetime, int] | None,
) -> Backfill:
    """The first deposit a unit was demanded before demands were stored (RULES.md §4).

    Never today's price: ``history`` is the area's recorded deposit terms,
    oldest first (the audited profile settings; at least one).

    - A unit that paid: its first deposit posting ``(recorded at, fen)`` is
      what it was asked for when that amount is the first deposit under one
      of the recorded terms (the terms in force when it was recorded are
      preferred, else the latest matching ones). An amount matching none (an
      instalment) takes the terms in force when it was recorded.
    - A unit that never paid was demanded when the area's terms were first
      set: the oldest recorded terms.
    """
    if not history:
        raise ValueError("history must hold at least one set of terms")
    if first_posting is None:
        terms = history[0]
        return Backfill(
            terms, first_deposit_fen(area, terms.cost_per_m2_fen, terms.rate), "history"
        )
    recorded_at, paid_fen = first_posting
    in_force = _in_force(history, recorded_at)
    for terms in [in_force, *reversed(history)]:
        amount = first_deposit_fen(area, terms.cost_per_m2_fen, terms.rate)
        if amount == paid_fen:
            return Backfill(terms, amount, "posting")
    amount = first_deposit_fen(area, in_force.cost_per_m2_fen, in_force.rate)
    return Backfill(in_force, amount, "history")
