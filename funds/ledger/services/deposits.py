"""First deposits: what each unit was demanded, what it paid, and the top-up flag.

Order 165 art. 7 (RULES.md §4): a unit's first deposit is its area × the
area's rate (5%–8%) × the local construction cost per m², rounded to the fen
(``funds.ledger.deposit_rule.first_deposit_fen``). The amount is fixed when it is
demanded and stored with its basis (``FirstDepositDemand``): setting an
area's terms demands every unit not yet demanded (``first_deposits_demand``),
and so does a unit's first recorded payment. A later price applies to new
demands only; a stored demand changes only by an explicit, reasoned, audited
correction (``first_deposit_correct``).

Art. 17: a unit whose balance falls below 30% of its first deposit — the
stored demanded amount — must top up (``funds.ledger.deposit_rule.needs_top_up``).

The top-up flag is raised for units whose first deposit has been paid in
full: a unit that has not yet paid owes its first deposit (art. 7) and is
listed as unpaid, which is a different demand from a top-up (art. 17).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text
from estates.models import ManagementArea, Unit
from funds.ledger.deposit_rule import (
    MAX_RATE,
    MIN_RATE,
    RULE_VERSION,
    first_deposit_fen,
    needs_top_up,
)
from funds.ledger.models import Account, Entry, FirstDepositDemand, FundProfile, Transaction
from funds.ledger.selectors import bank_account, profile_of, unit_account

from .checks import today
from .posting import transaction_post

Kind = Account.Kind


@dataclass(frozen=True)
class DepositStatus:
    unit_id: int
    code: str
    floor_area: object  # Decimal
    first_fen: int
    paid_fen: int
    balance_fen: int
    # False: not demanded yet; ``first_fen`` is then what today's terms would demand.
    demanded: bool = True

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


def _in_force() -> Q:
    # The demand nobody corrected: the unit's figure in force.
    return Q(superseded_by__isnull=True)


def deposit_demands(area: ManagementArea, *, unit: Unit | None = None) -> list[DepositStatus]:
    """Every unit of ``area`` (or just ``unit``) with its first deposit, what it paid and its
    balance, by code.

    The first deposit is the stored demanded amount in force (RULES.md §4);
    a unit not demanded yet shows what today's terms would demand
    (``demanded`` False). Three queries whatever the number of units: the
    profile, one GROUP BY over the sub-ledger entries (balance and deposits
    together), the units with their demand.
    """
    profile = profile_of(area)
    entries = Entry.objects.filter(account__area=area, account__kind=Kind.UNIT)
    demanded = FirstDepositDemand.objects.filter(_in_force(), unit=OuterRef("pk")).values(
        "amount_fen"
    )[:1]
    units = Unit.objects.filter(area=area).annotate(first=Subquery(demanded))
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
            first_fen=first
            if first is not None
            else first_deposit_fen(floor_area, profile.cost_per_m2_fen, profile.deposit_rate),
            paid_fen=sums.get(pk, (0, 0))[0],
            balance_fen=sums.get(pk, (0, 0))[1],
            demanded=first is not None,
        )
        for pk, code, floor_area, first in units.order_by("code").values_list(
            "pk", "code", "floor_area", "first"
        )
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
    if type(amount_fen) is not int or amount_fen <= 0:
        raise DomainError(
            "bad_amount", _("交存金额必须是正的整数分。"), fields={"amount_fen": _("无效。")}
        )
    if paid_on > today():
        raise DomainError(
            "future_date", _("交存日期不能晚于今天。"), fields={"paid_on": _("无效。")}
        )
    with transaction.atomic():
        # A payment answers a demand: a unit paying before it was demanded is
        # demanded now, on the terms in force (RULES.md §4).
        first_deposits_demand(area=unit.area, units=[unit], actor=actor)
        return transaction_post(
            kind=Transaction.Kind.DEPOSIT,
            lines=[(bank_account(unit.area), amount_fen), (unit_account(unit), -amount_fen)],
            memo=memo or _("交存维修资金 %(unit)s") % {"unit": unit.code},
            key=key,
            actor=actor,
            value_date=paid_on,
        )


# ----------------------------------------------------------------- demands (art. 7)


def first_deposit_of(unit: Unit) -> FirstDepositDemand | None:
    """The unit's first-deposit demand in force (the last correction, else the original)."""
    return FirstDepositDemand.objects.filter(_in_force(), unit=unit).first()


def first_deposits_demand(
    *, area: ManagementArea, actor, units: Iterable[Unit] | None = None, on: date | None = None
) -> int:
    """Demand the first deposit of every unit of ``area`` (or of ``units``) not demanded yet.

    Order 165 art. 7, RULES.md §4: each amount is fixed now, on the area's
    terms in force (cost per m², rate) and the unit's area, and stored with
    that basis, the date and the rule version. Units already demanded keep
    their figure — a later price applies to new demands only. Idempotent and
    safe to run concurrently (one original demand per unit is a unique
    constraint; conflicts are skipped). Returns how many units were demanded.
    """
    profile = FundProfile.objects.filter(area=area).first()
    if profile is None:
        raise Conflict("no_profile", _("该区域尚未设置维修资金。"))
    on = on or today()
    with transaction.atomic():
        rows = Unit.objects.filter(area=area).exclude(
            pk__in=FirstDepositDemand.objects.filter(area=area).values("unit_id")
        )
        if units is not None:
            rows = rows.filter(pk__in=[u.pk for u in units])
        user = actor if getattr(actor, "is_authenticated", False) else None
        new = [
            FirstDepositDemand(
                area=area,
                unit_id=pk,
                amount_fen=first_deposit_fen(
                    floor_area, profile.cost_per_m2_fen, profile.deposit_rate
                ),
                floor_area=floor_area,
                area_basis=basis,
                cost_per_m2_fen=profile.cost_per_m2_fen,
                deposit_rate=profile.deposit_rate,
                demanded_on=on,
                rule_version=RULE_VERSION,
                source=FirstDepositDemand.Source.DEMAND,
                actor=user,
            )
            for pk, floor_area, basis in rows.order_by("pk").values_list(
                "pk", "floor_area", "area_basis"
            )
        ]
        if not new:
            return 0
        before = FirstDepositDemand.objects.filter(area=area).count()
        FirstDepositDemand.objects.bulk_create(new, batch_size=5000, ignore_conflicts=True)
        demanded = FirstDepositDemand.objects.filter(area=area).count() - before
        if demanded:
            audit_record(
                actor=actor,
                action="fund.first_deposits_demand",
                obj=area,
                summary={
                    "units": demanded,
                    "cost_per_m2_fen": profile.cost_per_m2_fen,
                    "rate": str(profile.deposit_rate),
                    "on": on.isoformat(),
                    "rule_version": RULE_VERSION,
                },
            )
    return demanded


def _demand_state(demand: FirstDepositDemand) -> dict:
    return {
        "amount_fen": demand.amount_fen,
        "floor_area": str(demand.floor_area),
        "area_basis": demand.area_basis,
        "cost_per_m2_fen": demand.cost_per_m2_fen,
        "deposit_rate": str(demand.deposit_rate),
        "demanded_on": demand.demanded_on.isoformat(),
        "rule_version": demand.rule_version,
    }


def first_deposit_correct(
    *,
    unit: Unit,
    reason: str,
    actor,
    floor_area: Decimal | None = None,
    area_basis: str | None = None,
    cost_per_m2_fen: int | None = None,
    deposit_rate: Decimal | None = None,
) -> FirstDepositDemand:
    """Correct a unit's demanded first deposit: a new demand superseding the one in force.

    RULES.md §4: corrections are explicit, audited and reasoned. The caller
    names the corrected basis (area and its register basis, cost per m²,
    rate; what is not named is kept) and the reason; the amount is computed
    from that basis by the current rule (never typed in). Nothing stored is
    changed: the old demand stays, superseded. A correction that changes
    nothing, or without a reason, is refused; two corrections of the same
    demand at once: one wins, the other is told the demand changed (409).
    """
    reason = _checked_correction(
        reason=reason,
        floor_area=floor_area,
        area_basis=area_basis,
        cost_per_m2_fen=cost_per_m2_fen,
        deposit_rate=deposit_rate,
    )
    with transaction.atomic():
        current = (
            FirstDepositDemand.objects.select_for_update(of=("self",))
            .filter(_in_force(), unit=unit)
            .first()
        )
        if current is None:
            raise Conflict("not_demanded", _("该房屋尚未核定首期交存，无需更正。"))
        new = FirstDepositDemand(
            area_id=current.area_id,
            unit=unit,
            floor_area=current.floor_area if floor_area is None else floor_area,
            area_basis=current.area_basis if area_basis is None else area_basis,
            cost_per_m2_fen=current.cost_per_m2_fen if cost_per_m2_fen is None else cost_per_m2_fen,
            deposit_rate=current.deposit_rate if deposit_rate is None else deposit_rate,
            demanded_on=today(),
            rule_version=RULE_VERSION,
            source=FirstDepositDemand.Source.CORRECTION,
            reason=reason,
            supersedes=current,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        new.amount_fen = first_deposit_fen(new.floor_area, new.cost_per_m2_fen, new.deposit_rate)
        same = ("floor_area", "area_basis", "cost_per_m2_fen", "deposit_rate", "amount_fen")
        if all(getattr(new, f) == getattr(current, f) for f in same):
            raise DomainError("nothing_to_correct", _("更正后的核定与现行核定相同。"))
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:
            raise Conflict(
                "demand_changed", _("该房屋的首期交存核定刚被更正，请刷新后重试。")
            ) from None
        audit_record(
            actor=actor,
            action="fund.first_deposit_correct",
            obj=new,
            before=_demand_state(current),
            after=_demand_state(new),
            summary={
                "unit": unit.code,
                "from_fen": current.amount_fen,
                "to_fen": new.amount_fen,
                "reason": reason,
            },
        )
    return new


def _checked_correction(*, reason, floor_area, area_basis, cost_per_m2_fen, deposit_rate) -> str:
    """The reason and the named basis of a first-deposit correction, checked; the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required", _("更正首期交存须说明原因。"), fields={"reason": _("必填。")}
        )
    if len(reason) > 500:
        raise DomainError("bad_reason", _("原因最多 500 个字。"), fields={"reason": _("过长。")})
    reason = clean_text(reason, field="reason", limit=500)
    for value, what in ((floor_area, "floor_area"), (deposit_rate, "deposit_rate")):
        if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
            raise DomainError("bad_basis", _("核定依据无效。"), fields={what: _("无效。")})
    if floor_area is not None and (floor_area <= 0 or floor_area.as_tuple().exponent < -2):
        raise DomainError(
            "bad_area", _("计缴面积必须为正数，最多两位小数。"), fields={"floor_area": _("无效。")}
        )
    if deposit_rate is not None and (
        not MIN_RATE <= deposit_rate <= MAX_RATE or deposit_rate.as_tuple().exponent < -4
    ):
        raise DomainError(
            "bad_rate",
            _("首期交存比例必须在 5%–8% 之间（《住宅专项维修资金管理办法》第七条）。"),
            fields={"deposit_rate": _("必须在 0.05–0.08 之间。")},
        )
    if cost_per_m2_fen is not None and (type(cost_per_m2_fen) is not int or cost_per_m2_fen <= 0):
        raise DomainError(
            "bad_cost", _("每平方米造价必须是正的整数分。"), fields={"cost_per_m2_fen": _("无效。")}
        )
    if area_basis is not None and area_basis not in Unit.Basis.values:
        raise DomainError("bad_basis", _("面积依据无效。"), fields={"area_basis": _("无效。")})
    return reason
