"""Allocation of a period's interest by day-weighted balance (积数) — a pure module, no Django.

RULES.md §4 (Order 165 art. 26 — interest and other returns roll into the
fund): each period's interest is allocated to the sub-ledgers (分户账, art. 10)
in proportion to their 积数, with the apportionment rounding of
``funds.apportion`` (largest remainders, ties by key), so the shares add up
to the interest exactly.

Conventions (ours; they follow the banks' 积数 and its 算头不算尾 — a deposit
earns from its own day, a withdrawal stops earning on its own day):

- The period runs from ``start`` to ``end``, **both days included**: it has
  ``(end − start).days + 1`` days.
- A sub-ledger's *opening balance* is its balance at the start of ``start``
  (after every posting dated before ``start``).
- A posting dated ``d`` (``start ≤ d ≤ end``) counts from the end of day
  ``d``: 积数 = Σ over the days of the period of the **end-of-day** balance.
  So a deposit on the last day counts for one day, and a withdrawal on the
  first day removes the money for the whole period.
- 积数 is an int in fen·days. It is computed without a loop over days:
  ``opening × days + Σ delta × (end − d + 1)`` — linear in the postings.
- A balance is never negative (RULES.md §4: a sub-ledger is never driven
  negative): an opening balance or an end-of-day balance below zero raises
  ``ValueError`` rather than quietly shrinking the others' share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from funds.apportion import apportion

__all__ = [
    "InterestLine",
    "InterestPeriod",
    "LedgerActivity",
    "allocate_interest",
    "interest_for_period",
    "jishu",
    "period_days",
]


class LedgerActivity(NamedTuple):
    """One sub-ledger's input: balance at the start of the period and the postings in it.

    A plain ``(opening_fen, postings)`` tuple is accepted wherever this is.
    ``postings`` are ``(date, delta_fen)`` pairs in any order; a deposit is
    positive, a charge negative.
    """

    opening_fen: int
    postings: Iterable[tuple[date, int]] = ()


class InterestLine(NamedTuple):
    """One sub-ledger's result: its 积数, its balance at the end of the period
    (before the interest is posted) and its share of the interest."""

    jishu: int
    closing_fen: int
    interest_fen: int


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """The allocation of one period's interest, with the totals a statement shows.

    Per sub-ledger results are plain dicts keyed like the input (building
    300,000 small objects would cost more than computing the 积数).
    """

    start: date
    end: date
    days: int
    interest_fen: int
    total_jishu: int
    total_opening_fen: int
    total_closing_fen: int
    jishu: dict[str, int]
    closing_fen: dict[str, int]
    shares: dict[str, int]

    @property
    def ledgers(self) -> int:
        return len(self.jishu)

    @property
    def allocated_fen(self) -> int:
        """Always equals ``interest_fen`` (the apportionment adds up exactly)."""
        return sum(self.shares.values())

    def line(self, key: str) -> InterestLine:
        return InterestLine(self.jishu[key], self.closing_fen[key], self.shares[key])


def _check_day(value: object, what: str) -> date:
    # datetime is a subclass of date, but a time of day has no place in 积数:
    # refuse it rather than silently dropping the time.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime.date, got {type(value).__name__}")
    return value


def _check_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an int number of fen, got {type(value).__name__}")
    return value


def period_days(start: date, end: date) -> int:
    """Number of days of the period, both ``start`` and ``end`` included."""
    _check_day(start, "start")
    _check_day(end, "end")
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    return (end - start).days + 1


def _day_weights(first: int, last: int) -> dict[date, int]:
    """For each day of the period, how many end-of-day balances a posting on it is in."""
    after_last = last + 1
    return {date.fromordinal(ordinal): after_last - ordinal for ordinal in range(first, after_last)}


def _ledger_jishu(
    key: str,
    opening_fen: int,
    postings: Iterable[tuple[date, int]],
    days: int,
    day_weights: dict[date, int],
) -> tuple[int, int]:
    """(积数, closing balance) of one sub-ledger over a period of ``days`` days.

    Hot path (300,000 sub-ledgers a year): one dict look-up per posting
    (``day_weights`` misses for a day outside the period and for anything
    that is not a ``date``, datetimes included), and the per-day replay that
    checks for a negative balance only runs for a sub-ledger with a withdrawal.
    """
    if type(opening_fen) is not int:
        _check_int(opening_fen, f"opening balance of {key!r}")
        opening_fen = int(opening_fen)
    if opening_fen < 0:
        raise ValueError(f"opening balance of {key!r} is negative: {opening_fen}")
    total = opening_fen * days
    balance = opening_fen
    withdrawn = False
    if not isinstance(postings, list | tuple):
        postings = list(postings)
    for posted_on, delta in postings:
        # `type(...) is int` also refuses bool: True is not one fen.
        if type(delta) is not int:
            raise ValueError(
                f"posting of {key!r} must be an int number of fen, got {type(delta).__name__}"
            )
        weight = day_weights.get(posted_on)
        if weight is None:
            _refuse_posting_date(key, posted_on, day_weights)
        total += delta * weight
        balance += delta
        if delta < 0:
            withdrawn = True
    if withdrawn:
        _check_never_negative(key, opening_fen, postings)
    return total, balance


def _refuse_posting_date(key: str, posted_on: object, day_weights: dict[date, int]) -> None:
    # A time of day has no place in 积数: a datetime is refused, not truncated.
    if type(posted_on) is not date:
        raise ValueError(
            f"posting date of {key!r} must be a datetime.date, got {type(posted_on).__name__}"
        )
    first, last = min(day_weights), max(day_weights)
    raise ValueError(f"posting of {key!r} on {posted_on} is outside the period {first}–{last}")


def _check_never_negative(key: str, opening_fen: int, postings: list[tuple[date, int]]) -> None:
    # Only end-of-day balances count, so the postings of one day are netted
    # first: their order inside the day does not matter.
    per_day: dict[date, int] = {}
    for posted_on, delta in postings:
        per_day[posted_on] = per_day.get(posted_on, 0) + delta
    balance = opening_fen
    for posted_on in sorted(per_day):
        balance += per_day[posted_on]
        if balance < 0:
            raise ValueError(f"balance of {key!r} is negative at the end of {posted_on}: {balance}")


def jishu(
    *, start: date, end: date, opening_fen: int, postings: Iterable[tuple[date, int]] = ()
) -> int:
    """积数 (fen·days) of one sub-ledger over ``start``–``end`` inclusive (see the module doc)."""
    days = period_days(start, end)
    first = start.toordinal()
    weights = _day_weights(first, first + days - 1)
    total, _ = _ledger_jishu("ledger", opening_fen, postings, days, weights)
    return total


def allocate_interest(
    *,
    start: date,
    end: date,
    ledgers: Mapping[str, LedgerActivity | tuple[int, Iterable[tuple[date, int]]]],
    interest_fen: int,
) -> dict[str, InterestLine]:
    """Each sub-ledger's 积数, closing balance and share of ``interest_fen``.

    The shares are ``apportion(interest_fen, {key: 积数})`` (RULES.md §4), so
    they add up to ``interest_fen`` exactly and a sub-ledger with no balance
    during the period gets 0. Interest that has no balance to go to (every
    积数 zero, or no sub-ledgers) raises ``ValueError`` — unless it is 0.
    """
    period = interest_for_period(start=start, end=end, ledgers=ledgers, interest_fen=interest_fen)
    return {key: period.line(key) for key in period.jishu}


def interest_for_period(
    *,
    start: date,
    end: date,
    ledgers: Mapping[str, LedgerActivity | tuple[int, Iterable[tuple[date, int]]]],
    interest_fen: int,
) -> InterestPeriod:
    """Allocate a period's interest and report the totals (see ``allocate_interest``)."""
    days = period_days(start, end)
    _check_int(interest_fen, "interest_fen")
    if interest_fen < 0:
        raise ValueError(f"interest_fen must not be negative, got {interest_fen}")
    first = start.toordinal()
    day_weights = _day_weights(first, first + days - 1)

    jishus: dict[str, int] = {}
    closings: dict[str, int] = {}
    total_opening = 0
    for key, (opening_fen, postings) in ledgers.items():
        jishus[key], closings[key] = _ledger_jishu(key, opening_fen, postings, days, day_weights)
        total_opening += opening_fen
    total_jishu = sum(jishus.values())

    if total_jishu == 0 and interest_fen == 0:
        shares = dict.fromkeys(jishus, 0)
    elif total_jishu == 0:
        raise ValueError(
            f"cannot allocate {interest_fen} fen of interest: no sub-ledger had a balance "
            f"between {start} and {end}"
        )
    else:
        # int weights are exactly Decimal(jishu) to apportion, without 300,000
        # Decimal conversions.
        shares = apportion(interest_fen, jishus)

    return InterestPeriod(
        start=start,
        end=end,
        days=days,
        interest_fen=interest_fen,
        total_jishu=total_jishu,
        total_opening_fen=total_opening,
        total_closing_fen=sum(closings.values()),
        jishu=jishus,
        closing_fen=closings,
        shares=shares,
    )
