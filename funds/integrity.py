"""Proof that the ledger is whole (``manage.py funds_check``; invariants in ``funds.models.ledger``).

Everything is recomputed from the stored rows, trusting nothing a service
wrote besides them:

1. every transaction has entries, and its general-ledger entries sum to zero;
2. in every transaction the unit sub-ledger entries sum to the area-fund
   (control) entry, and every entry's account belongs to the transaction's area;
3. every transaction's entries still hash to the digest stored when it was
   posted (so no amount, account or date was changed afterwards), and a
   reversal is the exact negation of the transaction it reverses;
4. per area, the sub-ledgers sum to the area fund account (Order 165 art. 10),
   and no bank account or sub-ledger is below zero (RULES.md §4).

Each check is one aggregate query, except 3, which streams the entries once
in transaction order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from core.integrity import RecordsReport

from .models import Account, Entry, Transaction
from .services.ledger import _digest

Kind = Account.Kind


class Broken(Exception):
    """The first thing found wrong, in words naming the transaction, account or area."""


@dataclass
class Summary:
    transactions: int = 0
    entries: int = 0
    areas: int = 0
    accounts: int = 0
    stages: list[str] = field(default_factory=list)


def _zero(expr):
    return Coalesce(expr, Value(0), output_field=IntegerField())


def _check_balanced() -> None:
    per_txn = Transaction.objects.annotate(
        n=Count("entries"),
        general=_zero(Sum("entries__amount_fen", filter=~Q(entries__account__kind=Kind.UNIT))),
        units=_zero(Sum("entries__amount_fen", filter=Q(entries__account__kind=Kind.UNIT))),
        control=_zero(Sum("entries__amount_fen", filter=Q(entries__account__kind=Kind.AREA_FUND))),
    )
    empty = per_txn.filter(n__lt=2).order_by("pk").first()
    if empty is not None:
        raise Broken(f"transaction #{empty.pk} ({empty.key}) has {empty.n} entries")
    unbalanced = per_txn.exclude(general=0).order_by("pk").first()
    if unbalanced is not None:
        raise Broken(
            f"transaction #{unbalanced.pk} ({unbalanced.key}) does not balance: "
            f"its general-ledger entries sum to {unbalanced.general} fen"
        )
    mismatch = per_txn.exclude(units=F("control")).order_by("pk").first()
    if mismatch is not None:
        raise Broken(
            f"transaction #{mismatch.pk} ({mismatch.key}): unit sub-ledger entries sum to "
            f"{mismatch.units} fen but the area fund entry is {mismatch.control} fen"
        )
    stray = (
        Entry.objects.exclude(account__area_id=F("transaction__area_id"))
        .order_by("transaction_id", "pk")
        .first()
    )
    if stray is not None:
        raise Broken(
            f"transaction #{stray.transaction_id}: entry {stray.pk} is on account "
            f"{stray.account_id} of another area"
        )


def _entries_by_transaction() -> Iterator[tuple[int, list[tuple[int, int]]]]:
    rows = (
        Entry.objects.order_by("transaction_id", "pk")
        .values_list("transaction_id", "account_id", "amount_fen")
        .iterator(chunk_size=20000)
    )
    current, lines = None, []
    for transaction_id, account_id, amount in rows:
        if transaction_id != current:
            if current is not None:
                yield current, lines
            current, lines = transaction_id, []
        lines.append((account_id, amount))
    if current is not None:
        yield current, lines


def _check_digests() -> tuple[int, int]:
    headers = {
        pk: (kind, area_id, value_date, reverses_id, digest, key)
        for pk, kind, area_id, value_date, reverses_id, digest, key in Transaction.objects.values_list(
            "pk", "kind", "area_id", "value_date", "reverses_id", "digest", "key"
        ).iterator(chunk_size=20000)
    }
    reversed_ids = {h[3] for h in headers.values() if h[3] is not None}
    kept: dict[int, dict[int, int]] = {}
    transactions = entries = 0
    for transaction_id, lines in _entries_by_transaction():
        transactions += 1
        entries += len(lines)
        kind, area_id, value_date, reverses_id, digest, key = headers[transaction_id]
        recomputed = _digest(
            kind=kind, area_id=area_id, value_date=value_date, lines=lines, reverses_id=reverses_id
        )
        if recomputed != digest:
            raise Broken(
                f"transaction #{transaction_id} ({key}): its entries no longer match what was "
                "posted (digest differs)"
            )
        if transaction_id in reversed_ids:
            kept[transaction_id] = dict(lines)
        if reverses_id is not None:
            original = kept.pop(reverses_id, None)
            if original is None or {a: -v for a, v in original.items()} != dict(lines):
                raise Broken(
                    f"transaction #{transaction_id} ({key}) is not the exact reversal of "
                    f"#{reverses_id}"
                )
    return transactions, entries


def _check_areas() -> tuple[int, int]:
    sums = (
        Entry.objects.values("account__area_id")
        .annotate(
            units=_zero(Sum("amount_fen", filter=Q(account__kind=Kind.UNIT))),
            control=_zero(Sum("amount_fen", filter=Q(account__kind=Kind.AREA_FUND))),
        )
        .order_by("account__area_id")
    )
    areas = 0
    for row in sums:
        areas += 1
        if row["units"] != row["control"]:
            raise Broken(
                f"area {row['account__area_id']}: the sub-ledgers sum to {-row['units']} fen "
                f"but the area fund account holds {-row['control']} fen"
            )
    negative = (
        Entry.objects.filter(account__kind__in=Account.NEVER_NEGATIVE)
        .values("account_id", "account__kind")
        .annotate(total=Sum("amount_fen"))
        .order_by("account_id")
    )
    accounts = 0
    for row in negative:
        accounts += 1
        balance = Account.natural(row["account__kind"], row["total"])
        if balance < 0:
            raise Broken(
                f"account {row['account_id']} ({row['account__kind']}) is at {balance} fen"
            )
    return areas, accounts


def ledger_check(progress: Callable[[str], None] | None = None) -> Summary:
    """Run every check; return a summary or raise ``Broken`` at the first problem."""
    step = progress or (lambda stage: None)
    summary = Summary()
    step("balanced")
    _check_balanced()
    step("digests")
    summary.transactions, summary.entries = _check_digests()
    step("areas")
    summary.areas, summary.accounts = _check_areas()
    return summary


# --------------------------------------------------------------------------- audit trail
#
# DESIGN.md "Trust anchors": check 3 above proves that entries still hash to the
# digest stored on their transaction, but whoever rewrites entries can rewrite
# that digest too. The audit event written in the same transaction as the
# posting (``fund.<kind>``, funds.services.ledger) holds the digest of the
# transaction's key, content digest and reversal as they were posted.

TRANSACTION_TYPE = Transaction._meta.label_lower


def transactions_records_check() -> RecordsReport:
    """Every ledger transaction against the audit event of its posting (``core.integrity``)."""
    from audit.selectors import made_events
    from audit.services import state_digest

    actions = [f"fund.{kind}" for kind in Transaction.Kind.values]
    made = made_events(TRANSACTION_TYPE, actions)
    checked = 0
    rows = (
        Transaction.objects.order_by("pk")
        .values_list("pk", "key", "digest", "reverses_id")
        .iterator(chunk_size=2000)
    )
    for pk, key, digest, reverses_id in rows:
        checked += 1
        event = made.get(str(pk))
        if event is None:
            mismatch = f"ledger transaction {pk}: no audit event was written when it was posted"
            return RecordsReport("ledger transactions", checked, mismatch)
        expected = state_digest({"key": key, "digest": digest, "reverses": reverses_id})
        if event[1] != expected:
            mismatch = (
                f"ledger transaction {pk}: key/digest/reversal do not match audit event "
                f"#{event[0]} written when it was posted"
            )
            return RecordsReport("ledger transactions", checked, mismatch)
    return RecordsReport("ledger transactions", checked)
