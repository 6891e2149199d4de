"""Match the bank's statement lines to the ledger's bank-account entries — pure, no Django.

RULES.md §4 "Publication" (Order 165 art. 30): reconcile with the account
bank. Each side is a list of movements of the custody account in fen
(+ money in). A bank line and a ledger entry match when their amounts are
equal and, in this order of preference:

1. **reference**: the bank line's reference is one the ledger knows for the
   entry (the transaction's idempotency key — a deposit is keyed by the
   bank's reference —, the bank reference recorded when a payment was
   confirmed), or the payment instruction's key appears in the bank line's
   reference or memo (we sent it to the bank with the instruction);
2. **date**: the same value date;
3. **near date**: value dates at most ``tolerance_days`` apart (the bank
   books a day after we recorded it, or before), the closest first.

Greedy in the bank's order, ties to the earlier ledger date, then the lower
entry id: the result is the same on every run. What is left over is *in the
bank but not in the ledger* and *in the ledger but not in the bank*.

The balance difference then decomposes exactly (``Reconciliation.explain``):
closing difference = opening difference + Σ bank-only − Σ ledger-only
+ Σ matched entries the ledger dates outside the statement's period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "BankItem",
    "LedgerItem",
    "Match",
    "Reconciliation",
    "match",
]

REFERENCE = "reference"
SAME_DATE = "date"
NEAR_DATE = "near_date"
# A key shorter than this could appear in a memo by chance ("12"), so it is not searched for.
MIN_KEY_LENGTH = 6


@dataclass(frozen=True)
class BankItem:
    id: int
    value_date: date
    amount_fen: int
    reference: str = ""
    memo: str = ""
    counterparty: str = ""  # shown, not matched on


@dataclass(frozen=True)
class LedgerItem:
    id: int
    value_date: date
    amount_fen: int
    # Exact identifiers of the movement (idempotency key, bank references).
    refs: frozenset[str] = frozenset()
    # Keys we sent to the bank (payment instructions), searched for inside the bank's text.
    keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Match:
    bank: BankItem
    ledger: LedgerItem
    method: str

    @property
    def days(self) -> int:
        """Ledger date minus bank date, in days."""
        return (self.ledger.value_date - self.bank.value_date).days


@dataclass(frozen=True)
class Reconciliation:
    matched: tuple[Match, ...]
    bank_only: tuple[BankItem, ...]
    ledger_only: tuple[LedgerItem, ...]

    @property
    def bank_only_fen(self) -> int:
        return sum(item.amount_fen for item in self.bank_only)

    @property
    def ledger_only_fen(self) -> int:
        return sum(item.amount_fen for item in self.ledger_only)

    def timing_fen(self, start: date, end: date) -> int:
        """Σ matched amounts the bank has within ``start``–``end`` but the ledger dates outside."""
        return sum(
            m.bank.amount_fen
            for m in self.matched
            if not start <= m.ledger.value_date <= end and start <= m.bank.value_date <= end
        ) - sum(
            m.ledger.amount_fen
            for m in self.matched
            if start <= m.ledger.value_date <= end and not start <= m.bank.value_date <= end
        )

    def explain(self, *, opening_difference_fen: int, start: date, end: date) -> int:
        """The closing difference (bank − ledger) these items account for."""
        return (
            opening_difference_fen
            + self.bank_only_fen
            - self.ledger_only_fen
            + self.timing_fen(start, end)
        )


def _norm(text: str) -> str:
    return "".join(text.split()).casefold()


def match(
    bank: Sequence[BankItem],
    ledger: Iterable[LedgerItem],
    *,
    tolerance_days: int = 3,
    ledger_period: tuple[date, date] | None = None,
) -> Reconciliation:
    """Pair ``bank`` lines with ``ledger`` entries (module docstring).

    ``ledger`` may hold entries a little outside the statement's period (so a
    line on the last day can meet an entry booked the next day); only the
    unmatched ones within ``ledger_period`` (both days included) are reported
    as missing from the bank.
    """
    if tolerance_days < 0:
        raise ValueError("tolerance_days must be >= 0")
    entries = sorted(ledger, key=lambda e: (e.value_date, e.id))
    free: dict[int, LedgerItem] = {e.id: e for e in entries}
    by_ref: dict[str, list[LedgerItem]] = defaultdict(list)
    with_keys: list[tuple[str, LedgerItem]] = []
    for entry in entries:
        for ref in entry.refs:
            if _norm(ref):
                by_ref[_norm(ref)].append(entry)
        for key in entry.keys:
            if len(_norm(key)) >= MIN_KEY_LENGTH:
                with_keys.append((_norm(key), entry))

    matched: dict[int, Match] = {}

    def take(line: BankItem, entry: LedgerItem, method: str) -> None:
        matched[line.id] = Match(bank=line, ledger=entry, method=method)
        del free[entry.id]

    def best(line: BankItem, candidates: Iterable[LedgerItem]) -> LedgerItem | None:
        usable = [e for e in candidates if e.id in free and e.amount_fen == line.amount_fen]
        if not usable:
            return None
        return min(
            usable,
            key=lambda e: (abs((e.value_date - line.value_date).days), e.value_date, e.id),
        )

    # 1. By reference.
    for line in bank:
        text = _norm(line.reference) + "\n" + _norm(line.memo)
        candidates = list(by_ref.get(_norm(line.reference), ())) if _norm(line.reference) else []
        candidates += [entry for key, entry in with_keys if key in text]
        entry = best(line, candidates)
        if entry is not None:
            take(line, entry, REFERENCE)

    # 2. Same amount, same date.
    by_amount_date: dict[tuple[int, date], list[LedgerItem]] = defaultdict(list)
    for entry in entries:
        by_amount_date[(entry.amount_fen, entry.value_date)].append(entry)
    for line in bank:
        if line.id in matched:
            continue
        entry = best(line, by_amount_date.get((line.amount_fen, line.value_date), ()))
        if entry is not None:
            take(line, entry, SAME_DATE)

    # 3. Same amount, date within the tolerance, closest first.
    if tolerance_days:
        by_amount: dict[int, list[LedgerItem]] = defaultdict(list)
        for entry in entries:
            by_amount[entry.amount_fen].append(entry)
        for line in bank:
            if line.id in matched:
                continue
            near = [
                e
                for e in by_amount.get(line.amount_fen, ())
                if abs((e.value_date - line.value_date).days) <= tolerance_days
            ]
            entry = best(line, near)
            if entry is not None:
                take(line, entry, NEAR_DATE)

    start, end = ledger_period if ledger_period else (date.min, date.max)
    return Reconciliation(
        matched=tuple(matched[line.id] for line in bank if line.id in matched),
        bank_only=tuple(line for line in bank if line.id not in matched),
        ledger_only=tuple(e for e in entries if e.id in free and start <= e.value_date <= end),
    )
