"""The annual statement of an area's fund, computed from the ledger only.

RULES.md §4 "Publication" (Order 165 art. 30; programme task 3): at least
yearly per area — totals of deposits, uses, returns and balance; each use with
its apportionment; each unit's sub-ledger figures (owners see their own).

Read-only: the functions here query the ledger (``Entry`` rows, nothing
cached; each use's title and notice is read from the use procedure's rows by
model name, ``apps.get_model``, so the ledger imports nothing of the
procedure) and return plain dicts of ints, strings and dates, which the
publication service renders and digests. Every figure is in fen.

**Flows.** Each sub-ledger movement of the year falls in one category by its
transaction's kind; a reversal (冲正) counts in the category of the
transaction it reverses, so a deposit booked and reversed nets to nothing:

| category | kinds | shown as |
|---|---|---|
| ``deposits`` | deposit | money in (交存) |
| ``interest`` | interest | money in (利息) |
| ``returns`` | income | money in (其他收益, art. 26) |
| ``uses`` | settlement | money out (维修使用分摊) |
| ``refunds`` | refund | money out (退还业主, art. 29) |
| ``adjustments`` | anything else | signed (调整) |

so that, for every unit and for the area, **closing = opening + deposits +
interest + returns − uses − refunds + adjustments**, and the area's figures
are the sum of its units' (the sub-ledgers' control account, ``area_fund``,
is checked against that sum: ``checks``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.apps import apps
from django.db.models import Count, Q, Sum

from estates.models import ManagementArea, Unit
from funds.ledger.models import Account, Entry, Transaction
from funds.ledger.reconciliation.models import BankStatement
from funds.ledger.selectors import owner_units, sub_ledger

Kind = Account.Kind
TxnKind = Transaction.Kind

CATEGORIES = ("deposits", "interest", "returns", "uses", "refunds", "adjustments")
# +1: the category is money into the sub-ledgers; -1: money out (shown as a positive figure).
DIRECTION = {
    "deposits": 1,
    "interest": 1,
    "returns": 1,
    "uses": -1,
    "refunds": -1,
    "adjustments": 1,
}
_CATEGORY_OF_KIND = {
    TxnKind.DEPOSIT: "deposits",
    TxnKind.INTEREST: "interest",
    TxnKind.INCOME: "returns",
    TxnKind.SETTLEMENT: "uses",
    TxnKind.REFUND: "refunds",
}
_USES = Q(transaction__kind=TxnKind.SETTLEMENT) | Q(
    transaction__kind=TxnKind.REVERSAL, transaction__reverses__kind=TxnKind.SETTLEMENT
)


def category(kind: str, reverses_kind: str | None = None) -> str:
    """The statement category of a transaction kind (a reversal: of what it reverses)."""
    if kind == TxnKind.REVERSAL and reverses_kind:
        kind = reverses_kind
    return _CATEGORY_OF_KIND.get(kind, "adjustments")


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _empty_figures(opening: int = 0) -> dict[str, int]:
    figures = {"opening_fen": opening}
    figures.update({f"{name}_fen": 0 for name in CATEGORIES})
    return figures


def _close(figures: dict[str, int]) -> dict[str, int]:
    figures["closing_fen"] = figures["opening_fen"] + sum(
        DIRECTION[name] * figures[f"{name}_fen"] for name in CATEGORIES
    )
    return figures


def _unit_figures(entries, start: date, end: date) -> dict[int, dict[str, int]]:
    """unit id → its year's figures, from unit-account ``entries`` (two GROUP BY queries)."""
    result: dict[int, dict[str, int]] = defaultdict(_empty_figures)
    opening = (
        entries.filter(transaction__value_date__lt=start)
        .values("account__unit_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    for row in opening:
        result[row["account__unit_id"]]["opening_fen"] = Account.natural(Kind.UNIT, row["total"])
    flows = (
        entries.filter(transaction__value_date__range=(start, end))
        .values("account__unit_id", "transaction__kind", "transaction__reverses__kind")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    for row in flows:
        name = category(row["transaction__kind"], row["transaction__reverses__kind"])
        natural = Account.natural(Kind.UNIT, row["total"])
        result[row["account__unit_id"]][f"{name}_fen"] += DIRECTION[name] * natural
    return result


def _accounts(area: ManagementArea, start: date, end: date) -> list[dict]:
    """Each general-ledger account of the area: opening, debits, credits, closing (people's sign).

    Debits and credits are the year's raw movements (both positive); an
    account with neither a balance nor a movement is left out.
    """
    accounts = list(Account.objects.filter(area=area, unit__isnull=True).order_by("kind", "regime"))
    rows = {
        row["account_id"]: row
        for row in Entry.objects.filter(
            account__area=area, account__unit__isnull=True, transaction__value_date__lte=end
        )
        .values("account_id")
        .annotate(
            before=Sum("amount_fen", filter=Q(transaction__value_date__lt=start)),
            debit=Sum("amount_fen", filter=Q(transaction__value_date__gte=start, amount_fen__gt=0)),
            credit=Sum(
                "amount_fen", filter=Q(transaction__value_date__gte=start, amount_fen__lt=0)
            ),
        )
        .order_by()
    }
    order = {kind: i for i, kind in enumerate(Kind.values)}
    result = []
    for account in sorted(accounts, key=lambda a: (order[a.kind], a.regime)):
        row = rows.get(account.pk, {})
        before, debit, credit = (
            row.get("before") or 0,
            row.get("debit") or 0,
            row.get("credit") or 0,
        )
        if not (before or debit or credit):
            continue
        result.append(
            {
                "account_id": account.pk,
                "kind": account.kind,
                "regime": account.regime,
                "label": str(account),
                "debit_normal": account.debit_normal,
                "opening_fen": Account.natural(account.kind, before),
                "debit_fen": debit,
                "credit_fen": -credit,
                "closing_fen": Account.natural(account.kind, before + debit + credit),
            }
        )
    return result


def _uses(area: ManagementArea, start: date, end: date, *, unit: Unit | None = None) -> list[dict]:
    """Each settlement (and shortfall charge, and their reversals) of the year with its
    apportionment: the amount charged to each unit's sub-ledger, by unit code.

    With ``unit``: only the uses that charged it, and only its own line (the
    totals still cover every unit).
    """
    base = Entry.objects.filter(
        account__area=area,
        account__kind=Kind.UNIT,
        transaction__value_date__range=(start, end),
    ).filter(_USES)
    totals = {
        row["transaction_id"]: (row["total"], row["units"])
        for row in base.values("transaction_id")
        .annotate(total=Sum("amount_fen"), units=Count("pk"))
        .order_by()
    }
    if not totals:
        return []
    rows = base.filter(account__unit=unit) if unit is not None else base
    shares: dict[int, list[dict]] = defaultdict(list)
    for txn_id, code, amount in rows.values_list(
        "transaction_id", "account__unit__code", "amount_fen"
    ).order_by("transaction_id", "account__unit__code"):
        # A charge is a debit to the sub-ledger: money out, shown positive.
        shares[txn_id].append({"code": code, "amount_fen": amount})
    txns = Transaction.objects.filter(pk__in=list(shares)).order_by("value_date", "pk")
    fund_uses = _fund_uses_of(list(shares))
    return [
        {
            "transaction_id": txn.pk,
            "value_date": txn.value_date,
            "memo": txn.memo,
            "reversal": txn.kind == TxnKind.REVERSAL,
            "reverses_id": txn.reverses_id,
            "amount_fen": totals[txn.pk][0],
            "unit_count": totals[txn.pk][1],
            "units": shares[txn.pk],
            "fund_use": fund_uses.get(txn.pk) or fund_uses.get(txn.reverses_id),
        }
        for txn in txns
    ]


def _fund_uses_of(txn_ids: list[int]) -> dict[int, dict]:
    """transaction id → the fund use it settled or collected a shortfall for (title, notice)."""
    # Fund uses belong to the use procedure: read by model name (like a string FK).
    FundUse = apps.get_model("funds", "FundUse")
    ShortfallCollection = apps.get_model("funds", "ShortfallCollection")
    found: dict = {}
    for fund_use in FundUse.objects.filter(settlement_txn_id__in=txn_ids).select_related(
        "publication"
    ):
        found[fund_use.settlement_txn_id] = fund_use
    for collection in ShortfallCollection.objects.filter(transaction_id__in=txn_ids).select_related(
        "share__fund_use__publication"
    ):
        found[collection.transaction_id] = collection.share.fund_use
    reversed_ids = dict(
        Transaction.objects.filter(pk__in=txn_ids, reverses__isnull=False).values_list(
            "pk", "reverses_id"
        )
    )
    if reversed_ids:
        for fund_use in FundUse.objects.filter(
            settlement_txn_id__in=reversed_ids.values()
        ).select_related("publication"):
            found.setdefault(fund_use.settlement_txn_id, fund_use)
    return {
        txn_id: {
            "id": fund_use.pk,
            "title": fund_use.title,
            "serial": fund_use.publication.serial if fund_use.publication_id else "",
        }
        for txn_id, fund_use in found.items()
    }


def bank_check(area: ManagementArea, day: date) -> dict | None:
    """The custody bank's balance on ``day`` from the latest imported statement covering it,
    beside the ledger's balance of the same account on that day; None if no statement covers it.
    """
    statement = (
        BankStatement.objects.filter(area=area, start_date__lte=day, end_date__gte=day)
        .order_by("-imported_at", "-pk")
        .first()
    )
    if statement is None:
        return None
    last = statement.lines.filter(value_date__lte=day).order_by("-seq").first()
    bank_fen = last.balance_fen if last is not None else statement.opening_balance_fen
    raw = (
        Entry.objects.filter(account=statement.account, transaction__value_date__lte=day).aggregate(
            total=Sum("amount_fen")
        )["total"]
        or 0
    )
    ledger_fen = Account.natural(Kind.BANK, raw)
    return {
        "statement_id": statement.pk,
        "account_no": statement.account_no,
        "day": day,
        "bank_fen": bank_fen,
        "ledger_fen": ledger_fen,
        "difference_fen": bank_fen - ledger_fen,
    }


def area_statement(area: ManagementArea, year: int) -> dict:
    """The annual statement of ``area`` for ``year`` (module docstring), by account and by unit."""
    start, end = year_bounds(year)
    per_unit = _unit_figures(
        Entry.objects.filter(account__area=area, account__kind=Kind.UNIT), start, end
    )
    units = []
    for pk, code in Unit.objects.filter(area=area).order_by("code").values_list("pk", "code"):
        figures = _close(dict(per_unit.get(pk) or _empty_figures()))
        units.append({"unit_id": pk, "code": code, **figures})
    totals = _empty_figures()
    for row in units:
        for name in ("opening_fen", *(f"{c}_fen" for c in CATEGORIES)):
            totals[name] += row[name]
    _close(totals)
    accounts = _accounts(area, start, end)
    control = next((a for a in accounts if a["kind"] == Kind.AREA_FUND), None)
    control_opening = control["opening_fen"] if control else 0
    control_closing = control["closing_fen"] if control else 0
    profile = getattr(area, "fund_profile", None)
    return {
        "area": {"id": area.pk, "code": area.code, "name": area.name},
        "year": year,
        "start": start,
        "end": end,
        "profile": (
            {
                "regime": profile.regime,
                "regime_label": str(profile.get_regime_display()),
                "bank_name": profile.bank_name,
                "account_tail": profile.account_no[-4:],
            }
            if profile is not None
            else None
        ),
        "totals": totals,
        "accounts": accounts,
        "uses": _uses(area, start, end),
        "units": units,
        "bank": bank_check(area, end),
        "checks": {
            # Order 165 art. 10: the sub-ledgers add up to the area's fund account.
            "units_equal_area_fund": (
                totals["opening_fen"] == control_opening
                and totals["closing_fen"] == control_closing
            ),
            "area_fund_opening_fen": control_opening,
            "area_fund_closing_fen": control_closing,
        },
    }


def unit_statement(unit: Unit, year: int) -> dict:
    """One unit's figures for ``year``, its entries of the year with the running balance, and
    its share of each use — what its owner sees of the annual statement (RULES.md §4)."""
    start, end = year_bounds(year)
    figures = _unit_figures(
        Entry.objects.filter(account__unit=unit, account__kind=Kind.UNIT), start, end
    )
    figures = _close(dict(figures.get(unit.pk) or _empty_figures()))
    lines = [line for line in sub_ledger(unit) if start <= line.value_date <= end]
    uses = [
        {
            "transaction_id": use["transaction_id"],
            "value_date": use["value_date"],
            "memo": use["memo"],
            "reversal": use["reversal"],
            "fund_use": use["fund_use"],
            "total_fen": use["amount_fen"],
            "units": use["unit_count"],
            "share_fen": use["units"][0]["amount_fen"],
        }
        for use in _uses(unit.area, start, end, unit=unit)
    ]
    return {
        "unit": {"id": unit.pk, "code": unit.code, "area_code": unit.area.code},
        "area_name": unit.area.name,
        "year": year,
        "start": start,
        "end": end,
        **figures,
        "entries": [
            {
                "transaction_id": line.transaction_id,
                "value_date": line.value_date,
                "kind": line.kind,
                "kind_label": line.kind_label,
                "memo": line.memo,
                "amount_fen": line.amount_fen,
                "balance_fen": line.balance_fen,
            }
            for line in lines
        ],
        "uses": uses,
    }


def owner_unit_statements(user, year: int) -> list[dict]:
    """``unit_statement`` of each unit ``user`` owns now (a buyer sees the unit's whole year:
    the sub-ledger moves with the unit, Order 165 art. 28)."""
    return [unit_statement(unit, year) for unit in owner_units(user)]


def statement_years(area: ManagementArea) -> list[int]:
    """Years with any posting in the area, newest first."""
    dates = Transaction.objects.filter(area=area).dates("value_date", "year", order="DESC")
    return [d.year for d in dates]
