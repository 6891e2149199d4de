"""Reads for bank reconciliation: the difference report of a bank statement against the ledger.

RULES.md §4 "Publication" (Order 165 art. 30): reconcile with the account
bank. The report is computed when it is read (``funds.ledger.reconciliation.matching.match``), so
an entry posted after the statement was imported — the missing deposit found
by the last report — shows as matched the next time. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.db.models import Sum

from estates.models import ManagementArea
from funds.ledger.models import Account, Entry

from . import matching as reconcile
from .models import BankStatement

# A bank may book a movement a day or two before or after the day we recorded it
# (a deposit paid in on Friday evening, a payment executed on Monday).
DATE_TOLERANCE_DAYS = 3


@dataclass(frozen=True)
class LedgerSide:
    """What the report shows of a ledger entry."""

    entry_id: int
    transaction_id: int
    value_date: date
    amount_fen: int
    kind: str
    kind_label: str
    memo: str
    key: str


@dataclass(frozen=True)
class Report:
    """A bank statement (or a file not yet imported) reconciled with the ledger's bank account."""

    account: Account
    start: date
    end: date
    result: reconcile.Reconciliation
    ledger: dict[int, LedgerSide]  # entry id → what to show
    bank_opening_fen: int
    bank_closing_fen: int
    ledger_opening_fen: int
    ledger_closing_fen: int

    @property
    def opening_difference_fen(self) -> int:
        return self.bank_opening_fen - self.ledger_opening_fen

    @property
    def closing_difference_fen(self) -> int:
        """Bank minus ledger at the end date: what the reconciliation has to explain."""
        return self.bank_closing_fen - self.ledger_closing_fen

    @property
    def ledger_only_effect_fen(self) -> int:
        """What the ledger-only entries do to the difference (bank − ledger): their negation."""
        return -self.result.ledger_only_fen

    @property
    def timing_fen(self) -> int:
        return self.result.timing_fen(self.start, self.end)

    @property
    def explained(self) -> bool:
        """The items found account for the whole closing difference (they always should)."""
        return self.closing_difference_fen == self.result.explain(
            opening_difference_fen=self.opening_difference_fen, start=self.start, end=self.end
        )

    @property
    def reconciled(self) -> bool:
        return (
            self.closing_difference_fen == 0
            and not self.result.bank_only
            and not self.result.ledger_only
        )

    @property
    def matched(self) -> list[tuple[reconcile.Match, LedgerSide]]:
        return [(m, self.ledger[m.ledger.id]) for m in self.result.matched]

    @property
    def ledger_only(self) -> list[LedgerSide]:
        return [self.ledger[item.id] for item in self.result.ledger_only]


def ledger_balance(account: Account, day: date) -> int:
    """``account``'s balance (people's sign) at the end of ``day``."""
    raw = (
        Entry.objects.filter(account=account, transaction__value_date__lte=day).aggregate(
            total=Sum("amount_fen")
        )["total"]
        or 0
    )
    return Account.natural(account.kind, raw)


def ledger_items(
    account: Account, start: date, end: date
) -> tuple[list[reconcile.LedgerItem], dict[int, LedgerSide]]:
    """The entries on ``account`` dated ``start``–``end`` with what identifies them to the bank.

    References a bank line may carry: the transaction's idempotency key (a
    deposit is recorded under the bank's reference), a payment instruction's
    key (we sent it in the bank file; it may come back inside the bank's
    memo) and the bank reference recorded when a payment or a contractor's
    refund was confirmed.
    """
    entries = list(
        Entry.objects.filter(account=account, transaction__value_date__range=(start, end))
        .select_related("transaction")
        .order_by("transaction__value_date", "pk")
    )
    txn_ids = [e.transaction_id for e in entries]
    # The bank references of payments and refunds (use procedure), read by model name.
    PaymentInstruction = apps.get_model("funds", "PaymentInstruction")
    ContractorRefund = apps.get_model("funds", "ContractorRefund")
    refs: dict[int, set[str]] = {txn_id: set() for txn_id in txn_ids}
    keys: dict[int, set[str]] = {txn_id: set() for txn_id in txn_ids}
    for txn_id, key, bank_reference in PaymentInstruction.objects.filter(
        transaction_id__in=txn_ids
    ).values_list("transaction_id", "key", "bank_reference"):
        refs[txn_id].update(r for r in (key, bank_reference) if r)
        keys[txn_id].add(key)
    for txn_id, key, bank_reference in ContractorRefund.objects.filter(
        transaction_id__in=txn_ids
    ).values_list("transaction_id", "key", "bank_reference"):
        refs[txn_id].update(r for r in (key, bank_reference) if r)
    items, sides = [], {}
    for entry in entries:
        txn = entry.transaction
        items.append(
            reconcile.LedgerItem(
                id=entry.pk,
                value_date=txn.value_date,
                amount_fen=entry.amount_fen,
                refs=frozenset({txn.key, *refs[txn.pk]}),
                keys=frozenset(keys[txn.pk]),
            )
        )
        sides[entry.pk] = LedgerSide(
            entry_id=entry.pk,
            transaction_id=txn.pk,
            value_date=txn.value_date,
            amount_fen=entry.amount_fen,
            kind=txn.kind,
            kind_label=str(txn.get_kind_display()),
            memo=txn.memo,
            key=txn.key,
        )
    return items, sides


def reconcile_lines(
    *,
    account: Account,
    lines: Sequence[reconcile.BankItem],
    start: date,
    end: date,
    bank_opening_fen: int,
    bank_closing_fen: int,
) -> Report:
    """Reconcile bank ``lines`` covering ``start``–``end`` with ``account`` (see the module)."""
    margin = timedelta(days=DATE_TOLERANCE_DAYS)
    items, sides = ledger_items(account, start - margin, end + margin)
    result = reconcile.match(
        lines, items, tolerance_days=DATE_TOLERANCE_DAYS, ledger_period=(start, end)
    )
    return Report(
        account=account,
        start=start,
        end=end,
        result=result,
        ledger=sides,
        bank_opening_fen=bank_opening_fen,
        bank_closing_fen=bank_closing_fen,
        ledger_opening_fen=ledger_balance(account, start - timedelta(days=1)),
        ledger_closing_fen=ledger_balance(account, end),
    )


def statement_report(statement: BankStatement) -> Report:
    """The difference report of an imported statement, against the ledger as it is now."""
    lines = [
        reconcile.BankItem(
            id=line.pk,
            value_date=line.value_date,
            amount_fen=line.amount_fen,
            reference=line.reference,
            memo=line.memo,
            counterparty=line.counterparty,
        )
        for line in statement.lines.order_by("seq")
    ]
    return reconcile_lines(
        account=statement.account,
        lines=lines,
        start=statement.start_date,
        end=statement.end_date,
        bank_opening_fen=statement.opening_balance_fen,
        bank_closing_fen=statement.closing_balance_fen,
    )


def statements_of(area: ManagementArea):
    return (
        BankStatement.objects.filter(area=area)
        .select_related("imported_by")
        .order_by("-end_date", "-pk")
    )
