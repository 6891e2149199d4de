"""Reads of the fund ledger. Every balance is derived from the entries (RULES.md §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from core.errors import Conflict
from estates.models import ManagementArea, Unit
from funds.ledger.models import (
    Account,
    CustodyRegime,
    Entry,
    FundProfile,
    PostingNotice,
    Transaction,
)

Kind = Account.Kind


def balance(account: Account) -> int:
    """The balance of ``account`` in fen as people read it (positive = normal side).

    A sub-ledger holding an owner's 100 元 is +10000, so is a bank account
    holding 100 元 (``funds.ledger.models.accounts``, "Sign convention").
    """
    raw = Entry.objects.filter(account=account).aggregate(total=Sum("amount_fen"))["total"] or 0
    return Account.natural(account.kind, raw)


def balances(area: ManagementArea) -> dict[int, int]:
    """Every account of ``area`` → its balance (people's sign), in one GROUP BY query.

    Accounts without any entry are absent (their balance is 0).
    """
    rows = (
        Entry.objects.filter(account__area=area)
        .values("account_id", "account__kind")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    return {row["account_id"]: Account.natural(row["account__kind"], row["total"]) for row in rows}


def unit_balances(area: ManagementArea) -> dict[int, int]:
    """Every unit of ``area`` (by unit id) → its sub-ledger balance; units never posted to are 0."""
    rows = (
        Entry.objects.filter(account__area=area, account__kind=Kind.UNIT)
        .values("account__unit_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    result = dict.fromkeys(Unit.objects.filter(area=area).values_list("pk", flat=True), 0)
    for row in rows:
        result[row["account__unit_id"]] = -row["total"]
    return result


def account_of(area: ManagementArea, kind: str, regime: str = "") -> Account:
    """The general-ledger account ``kind`` of ``area`` (``accounts_ensure`` opens them)."""
    if kind == Kind.UNIT:
        raise ValueError("unit sub-ledgers are found with unit_account(unit)")
    account = Account.objects.filter(area=area, kind=kind, regime=regime).first()
    if account is None:
        raise Conflict("no_accounts", _("该区域尚未开设维修资金账户。"))
    return account


def profile_of(area: ManagementArea) -> FundProfile:
    profile = FundProfile.objects.filter(area=area).first()
    if profile is None:
        raise Conflict("no_profile", _("该区域尚未设置维修资金。"))
    return profile


def bank_account(area: ManagementArea) -> Account:
    """The bank account of the custody regime in force (RULES.md §4, Order 165 arts. 10, 15)."""
    return account_of(area, Kind.BANK, profile_of(area).regime)


def unit_account(unit: Unit) -> Account:
    """The sub-ledger of ``unit`` (per unit, not per person: a sale keeps it, art. 28)."""
    account = Account.objects.filter(unit=unit).first()
    if account is None:
        raise Conflict("no_accounts", _("房屋 %(unit)s 尚未开设分户账。") % {"unit": unit.code})
    return account


def unit_accounts(units) -> dict[int, Account]:
    """unit id → sub-ledger for the given units (one query)."""
    ids = [u.pk if isinstance(u, Unit) else u for u in units]
    return {a.unit_id: a for a in Account.objects.filter(kind=Kind.UNIT, unit_id__in=ids)}


# --------------------------------------------------------------------------- owners' view


@dataclass(frozen=True)
class LedgerLine:
    """One entry of a sub-ledger as its owner reads it, with the balance after it."""

    transaction_id: int
    value_date: date
    created_at: datetime
    kind: str
    kind_label: str
    memo: str
    amount_fen: int
    balance_fen: int
    reverses_id: int | None
    # A repair charge (or its reversal): the line 我的维修分摊 shows too (``unit_charges``).
    is_charge: bool = False


# A repair's apportionment charges a sub-ledger by a settlement posting (at settlement, and
# a later collection of a shortfall); a reversal of one undoes it. These are the rows both
# the sub-ledger and 我的维修分摊 show: one predicate, one query shape (``unit_charges``).
CHARGE_KIND = Transaction.Kind.SETTLEMENT
CHARGE_FILTER = Q(transaction__kind=CHARGE_KIND) | Q(transaction__reverses__kind=CHARGE_KIND)


def sub_ledger(unit: Unit) -> list[LedgerLine]:
    """Every entry of ``unit``'s sub-ledger in date order with its running balance.

    RULES.md §4 (Order 165 art. 30): owners see their own sub-ledger, every
    entry. The history stays with the unit through a sale (art. 28): a buyer
    sees what was posted before they bought, the seller no longer sees it.
    """
    entries = (
        Entry.objects.filter(account__unit=unit, account__kind=Kind.UNIT)
        .select_related("transaction__reverses")
        .order_by("transaction__value_date", "transaction_id")
    )
    lines: list[LedgerLine] = []
    running = 0
    for entry in entries:
        txn = entry.transaction
        amount = Account.natural(Kind.UNIT, entry.amount_fen)
        running += amount
        lines.append(
            LedgerLine(
                transaction_id=txn.pk,
                value_date=txn.value_date,
                created_at=txn.created_at,
                kind=txn.kind,
                kind_label=txn.get_kind_display(),
                memo=txn.memo,
                amount_fen=amount,
                balance_fen=running,
                reverses_id=txn.reverses_id,
                is_charge=txn.kind == CHARGE_KIND
                or (txn.reverses is not None and txn.reverses.kind == CHARGE_KIND),
            )
        )
    return lines


@dataclass(frozen=True)
class ChargePosting:
    """One repair charge (or its reversal) on a unit's sub-ledger, as the sub-ledger shows it."""

    transaction_id: int
    reverses_id: int | None
    unit_id: int
    value_date: date
    memo: str
    amount_fen: int  # people's sign, as on the sub-ledger: a charge is negative


def unit_charges(units) -> list[ChargePosting]:
    """The repair charges on the sub-ledgers of ``units`` (RULES.md §4, Order 165 arts. 20–21).

    我的维修分摊 is read from these rows (``funds.procedure.selectors.applications
    .shares_of_user``), the very entries ``sub_ledger`` marks ``is_charge``: every
    charge on a sub-ledger is on the owner's list and nothing else is (issue #16 item 3).
    """
    ids = [u.pk if isinstance(u, Unit) else u for u in units]
    entries = (
        Entry.objects.filter(CHARGE_FILTER, account__unit_id__in=ids, account__kind=Kind.UNIT)
        .select_related("transaction", "account")
        .order_by("transaction__value_date", "transaction_id", "account__unit_id")
    )
    return [
        ChargePosting(
            transaction_id=entry.transaction_id,
            reverses_id=entry.transaction.reverses_id,
            unit_id=entry.account.unit_id,
            value_date=entry.transaction.value_date,
            memo=entry.transaction.memo,
            amount_fen=Account.natural(Kind.UNIT, entry.amount_fen),
        )
        for entry in entries
    ]


def owner_units(user) -> list[Unit]:
    """The units ``user`` owns now (through the register person bound to the login)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Unit.objects.filter(ownerships__person__user=user, ownerships__until__isnull=True)
        .select_related("area", "building")
        .distinct()
        .order_by("area__code", "code")
    )


def owner_unit(user, pk: int) -> Unit | None:
    """One of ``user``'s current units, or None (someone else's unit is never shown)."""
    return next((u for u in owner_units(user) if u.pk == pk), None)


def owner_notices(user, *, limit: int = 50):
    """The owner's notice list: postings to their units' sub-ledgers, newest first."""
    if not getattr(user, "is_authenticated", False):
        return PostingNotice.objects.none()
    return (
        PostingNotice.objects.filter(person__user=user)
        .select_related("transaction", "unit")
        .order_by("-created_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class AreaTotals:
    """An area's general-ledger balances (people's sign) and its sub-ledger total."""

    bank_fen: int
    other_bank_fen: int
    area_fund_fen: int
    sub_ledgers_fen: int
    works_fen: int
    payable_fen: int
    developer_fen: int
    income_fen: int


def area_totals(area: ManagementArea) -> AreaTotals:
    """One GROUP BY query over the area's entries, plus the profile."""
    profile = profile_of(area)
    by_kind: dict[tuple[str, str], int] = {}
    rows = (
        Entry.objects.filter(account__area=area)
        .values("account__kind", "account__regime")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    for row in rows:
        kind, regime = row["account__kind"], row["account__regime"]
        by_kind[(kind, regime)] = Account.natural(kind, row["total"])
    other = next(r for r in CustodyRegime.values if r != profile.regime)
    return AreaTotals(
        bank_fen=by_kind.get((Kind.BANK, profile.regime), 0),
        other_bank_fen=by_kind.get((Kind.BANK, other), 0),
        area_fund_fen=by_kind.get((Kind.AREA_FUND, ""), 0),
        sub_ledgers_fen=by_kind.get((Kind.UNIT, ""), 0),
        works_fen=by_kind.get((Kind.WORKS, ""), 0),
        payable_fen=by_kind.get((Kind.PAYABLE, ""), 0),
        developer_fen=by_kind.get((Kind.DEVELOPER, ""), 0),
        income_fen=by_kind.get((Kind.INCOME, ""), 0),
    )


__all__ = [
    "AreaTotals",
    "CustodyRegime",
    "LedgerLine",
    "account_of",
    "area_totals",
    "balance",
    "balances",
    "bank_account",
    "owner_notices",
    "owner_unit",
    "owner_units",
    "profile_of",
    "sub_ledger",
    "unit_account",
    "unit_accounts",
    "unit_balances",
]
