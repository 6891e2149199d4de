"""Proof that the ledger is whole (``manage.py funds_check``; invariants in ``funds.ledger.models.accounts``).

Everything is recomputed from the stored rows, trusting nothing a service
wrote besides them:

1. every transaction has entries, and its general-ledger entries sum to zero;
2. in every transaction the unit sub-ledger entries sum to the area-fund
   (control) entry, and every entry's account belongs to the transaction's area;
3. every transaction's entries still hash to the digest stored when it was
   posted (so no amount, account or date was changed afterwards), and a
   reversal is the exact negation of the transaction it reverses;
4. per area, the sub-ledgers sum to the area fund account (Order 165 art. 10),
   and no bank account or sub-ledger is below zero (RULES.md §4);
5. reservations (冻结): none negative, none above its sub-ledger's balance, and
   no open use instructed beyond what it holds reserved (``reservations_check``).
6. no bank account or sub-ledger was below zero at the end of **any** value
   date (its running balance), not only today — a charge backdated before the
   money it took came in is found even when later deposits cover it;
7. every interest posting's 积数 and shares, recomputed from the ledger as it
   stands (``funds.ledger.accrual``, every sub-ledger posting dated up to the end
   of its period), equal what was posted — a posting dated inside a period
   already allocated, left out of its 积数, is found.

Each check is one aggregate query, except 3, which streams the entries once
in transaction order, 5, which streams the accounts' daily sums, and 6, one
query per interest posting.
"""

# One piece because the whole-fund proof (``funds_check``) runs over both halves of the
# ledger, one function per invariant; split it when a check is added.

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from audit.selectors import made_events
from audit.services import state_digest
from core.integrity import RecordsReport
from funds.ledger.accrual import interest_for_period
from funds.ledger.models import Account, Entry, InterestPosting, Transaction
from funds.ledger.services.posting import transaction_digest
from funds.models import FundUse, PaymentInstruction, Reservation

Kind = Account.Kind


class Broken(Exception):
    """The first thing found wrong, in words naming the transaction, account or area."""


@dataclass
class Summary:
    transactions: int = 0
    entries: int = 0
    areas: int = 0
    accounts: int = 0
    interest_postings: int = 0
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
        recomputed = transaction_digest(
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


def check_running_balances() -> None:
    """Check 5: no bank account or sub-ledger below zero at the end of any value date.

    RULES.md §4 (a sub-ledger is never driven negative) holds on every day, not
    only at the end: the owners' 积数 and the bank's reconciliation read those
    days. Balances are end-of-day, as ``funds.ledger.accrual`` counts them.
    """
    rows = (
        Entry.objects.filter(account__kind__in=Account.NEVER_NEGATIVE)
        .values_list("account_id", "account__kind", "transaction__value_date")
        .annotate(total=Sum("amount_fen"))
        .order_by("account_id", "transaction__value_date")
        .iterator(chunk_size=20000)
    )
    current, running = None, 0
    for account_id, kind, value_date, total in rows:
        if account_id != current:
            current, running = account_id, 0
        running += total
        balance = Account.natural(kind, running)
        if balance < 0:
            raise Broken(
                f"account {account_id} ({kind}) was at {balance} fen at the end of "
                f"{value_date.isoformat()}"
            )


def check_interest_jishu() -> int:
    """Check 6: each interest posting's 积数 and shares, recomputed from the ledger.

    RULES.md §4 (Order 165 art. 26): a period's interest goes to the
    sub-ledgers by 积数. The recomputation reads every sub-ledger entry dated
    up to the period's end except the posting's own, exactly as
    ``funds.ledger.services.interest`` does, and allocates the same amount with the
    same rounding. Returns how many postings were checked.
    """
    postings = InterestPosting.objects.select_related("area").order_by("area_id", "start")
    checked = 0
    for posting in postings.iterator(chunk_size=200):
        rows = (
            Entry.objects.filter(
                account__area_id=posting.area_id,
                account__kind=Kind.UNIT,
                transaction__value_date__lte=posting.end,
            )
            .exclude(transaction_id=posting.transaction_id)
            .values_list("account_id", "account__unit__code", "transaction__value_date")
            .annotate(total=Sum("amount_fen"))
            .order_by()
        )
        ledgers: dict[str, tuple[int, list]] = {}
        accounts: dict[str, int] = {}
        for account_id, code, value_date, total in rows.iterator(chunk_size=20000):
            accounts[code] = account_id
            opening, moves = ledgers.get(code, (0, []))
            if value_date < posting.start:
                ledgers[code] = (opening - total, moves)
            else:
                moves.append((value_date, -total))
                ledgers[code] = (opening, moves)
        where = f"interest posting {posting.start}–{posting.end} of area {posting.area.code}"
        try:
            period = interest_for_period(
                start=posting.start,
                end=posting.end,
                ledgers=ledgers,
                interest_fen=posting.interest_fen,
            )
        except ValueError as exc:
            raise Broken(f"{where}: its 积数 cannot be recomputed ({exc})") from None
        if period.total_jishu != posting.total_jishu:
            raise Broken(
                f"{where}: the ledger gives a 积数 of {period.total_jishu} fen·days, "
                f"{posting.total_jishu} were allocated (a posting dated inside the period "
                "was left out or changed)"
            )
        expected = {accounts[code]: share for code, share in period.shares.items() if share}
        posted = {
            account_id: -amount
            for account_id, amount in Entry.objects.filter(
                transaction_id=posting.transaction_id, account__kind=Kind.UNIT
            ).values_list("account_id", "amount_fen")
        }
        if expected != posted:
            wrong = min(
                set(expected) ^ set(posted) or {a for a in expected if expected[a] != posted[a]}
            )
            raise Broken(
                f"{where}: sub-ledger {wrong} was allocated {posted.get(wrong, 0)} fen, "
                f"its 积数 gives {expected.get(wrong, 0)} fen"
            )
        checked += 1
    return checked


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
    step("reservations")
    reservations_check()
    step("running balances")
    check_running_balances()
    step("interest")
    summary.interest_postings = check_interest_jishu()
    return summary


def reservations_check() -> int:
    """Reservations (冻结, ``funds.models.reservations``) recomputed from the raw rows.

    RULES.md §4 — money is reserved, not fronted:

    - no use holds a negative reservation on a sub-ledger (a release never
      exceeds what was reserved);
    - no sub-ledger holds less than is reserved on it (so it can always pay
      the shares it was reserved for, and is never driven negative);
    - no open use has live payment instructions beyond what it holds reserved.

    Returns the number of sub-ledgers with reservations checked.
    """
    negative = (
        Reservation.objects.values("fund_use_id", "unit_id")
        .annotate(total=Sum("amount_fen"))
        .filter(total__lt=0)
        .order_by("fund_use_id", "unit_id")
        .first()
    )
    if negative is not None:
        raise Broken(
            f"fund use {negative['fund_use_id']}: unit {negative['unit_id']} has a negative "
            f"reservation of {negative['total']} fen"
        )
    held = dict(
        Reservation.objects.values("account_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("account_id", "total")
        .order_by()
    )
    raw = dict(
        Entry.objects.filter(account_id__in=list(held))
        .values("account_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("account_id", "total")
        .order_by()
    )
    for account_id in sorted(held):
        balance = -(raw.get(account_id) or 0)
        if balance < held[account_id]:
            raise Broken(
                f"account {account_id} (unit) holds {balance} fen but {held[account_id]} fen "
                "are reserved on it"
            )
    # Uses approved before reservations existed and not touched since have no frozen basis
    # yet (``reservations.basis_of`` freezes it and reserves for their instructions).
    reserved = dict(
        Reservation.objects.filter(fund_use__status=FundUse.Status.OPEN)
        .values("fund_use_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("fund_use_id", "total")
        .order_by()
    )
    instructed = (
        PaymentInstruction.objects.filter(
            fund_use__status=FundUse.Status.OPEN,
            fund_use__basis__isnull=False,
            status__in=PaymentInstruction.LIVE,
        )
        .values("fund_use_id")
        .annotate(total=Sum("amount_fen"))
        .order_by("fund_use_id")
    )
    for row in instructed:
        if row["total"] > (reserved.get(row["fund_use_id"]) or 0):
            raise Broken(
                f"fund use {row['fund_use_id']}: {row['total']} fen instructed but only "
                f"{reserved.get(row['fund_use_id']) or 0} fen reserved"
            )
    return len(held)


# --------------------------------------------------------------------------- audit trail
#
# DESIGN.md "Trust anchors": check 3 above proves that entries still hash to the
# digest stored on their transaction, but whoever rewrites entries can rewrite
# that digest too. The audit event written in the same transaction as the
# posting (``fund.<kind>``, funds.ledger.services.posting) holds the digest of the
# transaction's key, content digest and reversal as they were posted.

TRANSACTION_TYPE = Transaction._meta.label_lower


def transactions_records_check() -> RecordsReport:
    """Every ledger transaction against the audit event of its posting (``core.integrity``)."""
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
