"""The apportionment of a use's cost over its frozen units (RULES.md §4): each unit's share
by floor area (``funds.apportion``), charged up to what its sub-ledger holds, the rest a
shortfall. Computed here, written by ``settlement.fund_use_settle``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from core.errors import DomainError
from funds.apportion import apportion
from funds.models import Account, Entry, FundUse
from funds.procedure.services import reservations
from funds.procedure.services.scope import scope_units
from funds.procedure.services.steps import clean_fen

Kind = Account.Kind


@dataclass(frozen=True)
class ShareRow:
    unit_id: int
    code: str
    floor_area: Decimal
    developer_held: bool
    share_fen: int
    balance_fen: int

    @property
    def charge_fen(self) -> int:
        return min(self.share_fen, max(self.balance_fen, 0))

    @property
    def shortfall_fen(self) -> int:
        return self.share_fen - self.charge_fen


@dataclass(frozen=True)
class Apportionment:
    total_fen: int
    area_total: Decimal
    rows: list[ShareRow]

    @property
    def charged_fen(self) -> int:
        return sum(r.charge_fen for r in self.rows)

    @property
    def shortfall_fen(self) -> int:
        return sum(r.shortfall_fen for r in self.rows)

    @property
    def shortfalls(self) -> list[ShareRow]:
        return [r for r in self.rows if r.shortfall_fen]


def _scope_balances(units) -> dict[int, int]:
    """Sub-ledger balance (people's sign) of each unit of a scope queryset, one GROUP BY."""
    rows = (
        Entry.objects.filter(account__kind=Kind.UNIT, account__unit__in=units)
        .values("account__unit_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    return {row["account__unit_id"]: -row["total"] for row in rows}


def apportionment_compute(
    fund_use_or_scope, cost_fen: int, *, balances: dict[int, int] | None = None
) -> Apportionment:
    """The shares of ``cost_fen`` over the units of a FundUse's (or an application's) scope.

    ``fund_use_or_scope``: a FundUse — shared over its frozen basis (the roll
    of the owners' vote, or for an emergency the register at approval; a unit
    added since is not charged, a re-measured one keeps its frozen area) with
    each unit's balance less what other uses hold reserved — or anything with
    ``area``, ``scope_buildings`` and ``scope_unit_codes`` (an application
    before approval: the register now). Weights are keyed by unit code, so ties
    go to the smaller code.
    """
    obj = fund_use_or_scope
    if isinstance(obj, FundUse):
        # RULES.md §4: over the units and areas frozen for the owners' vote (or, for an
        # emergency, at approval), never today's register; balances net of reservations.
        facts = [
            (u.unit_id, u.code, u.area, u.developer_held)
            for u in reservations.basis_units(reservations.basis_of(obj))
        ]
        if balances is None:
            subs = reservations.sub_ledgers_of([f[0] for f in facts], lock=False)
            free = reservations.free_balances(subs.values())
            held = reservations.reserved_for(obj)
            balances = {u: free.get(a, 0) + held.get(u, 0) for u, a in subs.items()}
    else:
        units = scope_units(obj.area, obj.scope_buildings, obj.scope_unit_codes)
        roll = reservations.roll_units(obj)
        if roll is not None:
            # Once the vote has opened, the estimate is the one the ballots showed (its roll).
            facts = [(u.unit_id, u.code, u.area, u.developer_held) for u in roll]
            units = units.model.objects.filter(pk__in=[f[0] for f in facts])
        else:
            facts = list(
                units.order_by("code").values_list("pk", "code", "floor_area", "developer_held")
            )
        if balances is None:
            balances = _scope_balances(units)
    if not facts:
        raise DomainError("empty_scope", _("列支范围内没有任何房屋。"))
    shares = apportion(cost_fen, {code: area for _pk, code, area, _dev in facts})
    rows = [
        ShareRow(
            unit_id=pk,
            code=code,
            floor_area=area,
            developer_held=developer,
            share_fen=shares[code],
            balance_fen=balances.get(pk, 0),
        )
        for pk, code, area, developer in facts
    ]
    return Apportionment(
        total_fen=cost_fen,
        area_total=sum((r.floor_area for r in rows), Decimal("0.00")),
        rows=rows,
    )


def apportionment_preview(*, fund_use: FundUse, cost_fen: int) -> Apportionment:
    """What settling at ``cost_fen`` would charge each unit now (nothing is written)."""
    return apportionment_compute(fund_use, clean_fen(cost_fen, field="final_cost_fen"))
