"""First deposits: what each unit owes, what it paid, and the top-up flag.

Order 165 art. 7 (RULES.md §4): a unit's first deposit is its area × the
area's rate (5%–8%) × the local construction cost per m², rounded to the fen
(``funds.deposit.first_deposit_fen``). Art. 17: a unit whose balance falls
below 30% of its first deposit must top up (``funds.deposit.needs_top_up``).

The top-up flag is raised for units whose first deposit has been paid in
full: a unit that has not yet paid owes its first deposit (art. 7) and is
listed as unpaid, which is a different demand from a top-up (art. 17).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from estates.models import ManagementArea, Unit
from gongzhi.errors import DomainError

from ..deposit import first_deposit_fen, needs_top_up
from ..models import Account, Entry, Transaction
from .ledger import today, transaction_post

Kind = Account.Kind


@dataclass(frozen=True)
class DepositStatus:
    unit_id: int
    code: str
    floor_area: object  # Decimal
    first_fen: int
    paid_fen: int
    balance_fen: int

    @property
    def outstanding_fen(self) -> int:
        return max(self.first_fen - self.paid_fen, 0)

    @property
    def paid_in_full(self) -> bool:
        return self.paid_fen >= self.first_fen

    @property
    def top_up(self) -> bool:
        """Order 165 art. 17: paid, and now below 30% of the first deposit (strictly)."""
        return self.paid_in_full and needs_top_up(max(self.balance_fen, 0), self.first_fen)


# Deposits net of their reversals: a reversed deposit was never paid.
_DEPOSITS = Q(transaction__kind=Transaction.Kind.DEPOSIT) | Q(
    transaction__kind=Transaction.Kind.REVERSAL,
    transaction__reverses__kind=Transaction.Kind.DEPOSIT,
)


def deposit_demands(area: ManagementArea, *, unit: Unit | None = None) -> list[DepositStatus]:
    """Every unit of ``area`` (or just ``unit``) with its first deposit, what it paid and its
    balance, by code.

    Three queries whatever the number of units: the profile, one GROUP BY
    over the sub-ledger entries (balance and deposits together), the units.
    """
    from ..selectors import profile_of

    profile = profile_of(area)
    entries = Entry.objects.filter(account__area=area, account__kind=Kind.UNIT)
    units = Unit.objects.filter(area=area)
    if unit is not None:
        entries, units = entries.filter(account__unit=unit), units.filter(pk=unit.pk)
    sums = {
        row["account__unit_id"]: (-(row["paid"] or 0), -row["total"])
        for row in entries.values("account__unit_id")
        .annotate(total=Sum("amount_fen"), paid=Sum("amount_fen", filter=_DEPOSITS))
        .order_by()
    }
    return [
        DepositStatus(
            unit_id=pk,
            code=code,
            floor_area=floor_area,
            first_fen=first_deposit_fen(floor_area, profile.cost_per_m2_fen, profile.deposit_rate),
            paid_fen=sums.get(pk, (0, 0))[0],
            balance_fen=sums.get(pk, (0, 0))[1],
        )
        for pk, code, floor_area in units.order_by("code").values_list("pk", "code", "floor_area")
    ]


def units_unpaid(area: ManagementArea) -> list[DepositStatus]:
    """Units whose first deposit is not (fully) paid (Order 165 art. 7)."""
    return [d for d in deposit_demands(area) if not d.paid_in_full]


def units_to_top_up(area: ManagementArea) -> list[DepositStatus]:
    """Units below 30% of their first deposit (Order 165 art. 17)."""
    return [d for d in deposit_demands(area) if d.top_up]


def deposit_record(
    *, unit: Unit, amount_fen: int, paid_on: date, key: str, actor, memo: str = ""
) -> Transaction:
    """Record a payment into ``unit``'s sub-ledger: bank (regime in force) ← owner.

    ``key`` identifies the payment (e.g. the bank's reference): recording it
    again returns the same transaction (``transaction_post``). A payment
    dated in the future or not a positive int of fen is refused.
    """
    from ..selectors import bank_account, unit_account

    if type(amount_fen) is not int or amount_fen <= 0:
        raise DomainError(
            "bad_amount", _("交存金额必须是正的整数分。"), fields={"amount_fen": _("无效。")}
        )
    if paid_on > today():
        raise DomainError(
            "future_date", _("交存日期不能晚于今天。"), fields={"paid_on": _("无效。")}
        )
    return transaction_post(
        kind=Transaction.Kind.DEPOSIT,
        lines=[(bank_account(unit.area), amount_fen), (unit_account(unit), -amount_fen)],
        memo=memo or _("交存维修资金 %(unit)s") % {"unit": unit.code},
        key=key,
        actor=actor,
        value_date=paid_on,
    )
