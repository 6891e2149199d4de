"""Money reserved, not fronted: the frozen basis, reservations (冻结) and shortfall demands.

RULES.md §4 ("use", "Apportionment"; Order 165 arts. 20–23) and §5 (art. 24).
The records and why a reservation is a record beside the ledger, not a
posting, are in ``funds.models.reservations``. Here:

- ``basis_freeze``: at approval, the units and areas a use is shared over —
  the roll frozen when the owners' vote opened, or for an emergency the
  register at approval. ``basis_discrepancies`` shows the reviewer what the
  register changed since (units added, removed, re-measured): shown, never
  charged — a unit not on the roll is never charged without a new decision.
- ``shortfall_demands_create``: at approval, each unit's estimated share of
  the budget (over the basis) beyond what its sub-ledger can bear (its
  balance less what other uses hold reserved) is demanded from its owner
  (分摊补缴), with a deadline (``GONGZHI_SHORTFALL_DUE_DAYS``, default 30 days).
- ``reservation_cover``: at each payment instruction, each unit's share of the
  cumulative amount instructed is reserved on its sub-ledger; an instruction
  that some unit's free balance plus its collected shortfall cannot cover is
  refused — the pooled account never fronts one owner's share with other
  owners' money. The sub-ledgers are locked in primary-key order first, so two
  uses over the same building cannot reserve the same balance.
- ``shortfall_demand_pay``: a paid shortfall is posted as a deposit into the
  sub-ledger and reserved for the use; ``shortfall_advance`` (emergency uses
  only) does the same with money from the account the bureau named for
  advances, and is refused when none is named; ``shortfall_demands_report``
  reports unpaid shortfalls past their deadline to the convener and the street
  as that owner's debt.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from gongzhi.errors import DomainError

from ..apportion import apportion
from ..models import (
    Account,
    AdvanceAccount,
    ApportionmentBasis,
    Entry,
    FundUse,
    FundUseShare,
    Reservation,
    ShortfallDemand,
    ShortfallReport,
    Transaction,
)
from ._procedure import clean_fen, clean_text, local_today, scope_units, yuan
from .fund_use import fund_use_lock

logger = logging.getLogger("gongzhi.funds")
Kind = Account.Kind
DEFAULT_SHORTFALL_DUE_DAYS = 30
ADVANCE_SOURCES = frozenset({FundUse.Source.EMERGENCY, FundUse.Source.COMMISSION})


def shortfall_due_days() -> int:
    value = getattr(settings, "GONGZHI_SHORTFALL_DUE_DAYS", DEFAULT_SHORTFALL_DUE_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
        raise ImproperlyConfigured(
            f"GONGZHI_SHORTFALL_DUE_DAYS must be a whole number of days 1..365, not {value!r}."
        )
    return value


# --------------------------------------------------------------------------- the frozen basis


@dataclass(frozen=True)
class BasisUnit:
    unit_id: int
    code: str
    area: Decimal
    developer_held: bool


def _digest(rows: list) -> str:
    return hashlib.sha256(
        json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def _rows_from_roll(fund_use, assembly) -> list[list]:
    """The roll's units and areas (RULES §1: frozen when voting opened), with their ids."""
    from estates.models import Unit
    from voting.models import RollSnapshot, VotingRight

    snapshot = RollSnapshot.objects.filter(assembly=assembly).first()
    if snapshot is None:
        raise DomainError("no_roll", _("表决名册尚未冻结，不能按名册分摊。"))
    developer = {
        code
        for codes in VotingRight.objects.filter(assembly=assembly, is_developer=True).values_list(
            "unit_codes", flat=True
        )
        for code in codes
    }
    ids = dict(
        Unit.objects.filter(
            area_id=fund_use.area_id, code__in=[c for c, _b, _a in snapshot.unit_areas]
        ).values_list("code", "pk")
    )
    rows = []
    for code, _basis, area in snapshot.unit_areas:
        if code not in ids:
            raise DomainError(
                "roll_unit_missing",
                _("表决名册中的房屋 %(code)s 已不在登记簿中，请核实后再批准。") % {"code": code},
            )
        rows.append(
            [ids[code], code, str(Decimal(area).quantize(Decimal("0.01"))), code in developer]
        )
    return sorted(rows, key=lambda r: r[1])


def _rows_from_register(fund_use: FundUse) -> list[list]:
    units = scope_units(fund_use.area, fund_use.scope_buildings, fund_use.scope_unit_codes)
    return [
        [pk, code, str(area), bool(dev)]
        for pk, code, area, dev in units.order_by("code").values_list(
            "pk", "code", "floor_area", "developer_held"
        )
    ]


def basis_freeze(*, fund_use: FundUse, assembly=None, actor=None) -> ApportionmentBasis:
    """Freeze the units and areas ``fund_use`` is shared over (once; module docstring).

    ``assembly``: the owners' vote that approved the use — its frozen roll is
    the basis. Without one (an emergency, art. 24) the register of the
    列支范围 now, at approval, is frozen.
    """
    existing = ApportionmentBasis.objects.filter(fund_use=fund_use).first()
    if existing is not None:
        return existing
    if assembly is not None:
        rows, source = _rows_from_roll(fund_use, assembly), ApportionmentBasis.Source.ROLL
    else:
        rows, source = _rows_from_register(fund_use), ApportionmentBasis.Source.APPROVAL
    if not rows:
        raise DomainError("empty_scope", _("列支范围内没有任何房屋。"))
    total = sum((Decimal(r[2]) for r in rows), Decimal("0.00"))
    try:
        with transaction.atomic():
            basis = ApportionmentBasis.objects.create(
                fund_use=fund_use,
                source=source,
                assembly=assembly,
                units=rows,
                area_total=total,
                digest=_digest(rows),
            )
    except IntegrityError:
        return ApportionmentBasis.objects.get(fund_use=fund_use)
    audit_record(
        actor=actor,
        action="fund_use.basis_freeze",
        obj=basis,
        after={"source": source, "digest": basis.digest, "area_total": str(total)},
        summary={
            "fund_use": fund_use.pk,
            "units": len(rows),
            "assembly": getattr(assembly, "pk", None),
        },
    )
    return basis


def basis_of(fund_use: FundUse) -> ApportionmentBasis:
    """The frozen basis; a use approved before bases existed gets its vote's roll (or, with
    no vote, the register) frozen on first use — the roll is frozen already, so this is
    what its owners voted on."""
    basis = ApportionmentBasis.objects.filter(fund_use=fund_use).first()
    if basis is not None:
        return basis
    from ..models import FundApplication

    application = (
        FundApplication.objects.filter(fund_use=fund_use).select_related("assembly").first()
    )
    assembly = application.assembly if application is not None else None
    if assembly is not None and not hasattr(assembly, "snapshot"):
        assembly = None
    basis = basis_freeze(fund_use=fund_use, assembly=assembly)
    if fund_use.status == FundUse.Status.OPEN:
        # Instructions issued before reservations existed: reserve for them now if the
        # sub-ledgers can bear it; if not, funds_check reports the use (it was fronted).
        from .fund_use import live_total

        instructed = live_total(fund_use)
        if instructed:
            try:
                with transaction.atomic():
                    reservation_cover(fund_use=fund_use, cumulative_fen=instructed)
            except DomainError:
                logger.warning(
                    "fund use %s: earlier instructions exceed what is reservable", fund_use.pk
                )
    return basis


def roll_units(obj) -> list[BasisUnit] | None:
    """The units and areas of the roll frozen for ``obj``'s vote (an application whose vote
    has opened), or None before: what the owners' ballots showed their estimate on."""
    from voting.models import RollSnapshot

    assembly_id = getattr(obj, "assembly_id", None)
    if not assembly_id or not RollSnapshot.objects.filter(assembly_id=assembly_id).exists():
        return None
    rows = _rows_from_roll(obj, obj.assembly)
    return [BasisUnit(pk, code, Decimal(area), bool(dev)) for pk, code, area, dev in rows]


def basis_units(basis: ApportionmentBasis) -> list[BasisUnit]:
    return [BasisUnit(pk, code, Decimal(area), bool(dev)) for pk, code, area, dev in basis.units]


@dataclass(frozen=True)
class Discrepancy:
    code: str
    kind: str  # "added" | "removed" | "area"
    frozen_area: Decimal | None
    register_area: Decimal | None

    @property
    def label(self) -> str:
        return {
            "added": _("冻结后新增，不参与分摊（须经新的决定）"),
            "removed": _("已不在列支范围（仍按冻结时分摊）"),
            "area": _("面积已变更（仍按冻结时的面积分摊）"),
        }[self.kind]


def basis_discrepancies(
    *, area, scope_buildings, scope_unit_codes, units: list[BasisUnit]
) -> list[Discrepancy]:
    """What the register says now against the frozen units and areas (RULES §4: shown to
    the reviewer, never applied)."""
    frozen = {u.code: u.area for u in units}
    now = dict(
        scope_units(area, scope_buildings, scope_unit_codes).values_list("code", "floor_area")
    )
    rows = []
    for code in sorted(set(frozen) | set(now)):
        if code not in frozen:
            rows.append(Discrepancy(code, "added", None, now[code]))
        elif code not in now:
            rows.append(Discrepancy(code, "removed", frozen[code], None))
        elif frozen[code] != now[code]:
            rows.append(Discrepancy(code, "area", frozen[code], now[code]))
    return rows


def fund_use_discrepancies(fund_use: FundUse) -> list[Discrepancy]:
    return basis_discrepancies(
        area=fund_use.area,
        scope_buildings=fund_use.scope_buildings,
        scope_unit_codes=fund_use.scope_unit_codes,
        units=basis_units(basis_of(fund_use)),
    )


def application_discrepancies(application) -> list[Discrepancy]:
    """For the reviewer before approval: the vote's frozen roll against today's register."""
    from voting.models import RollSnapshot

    assembly = application.assembly
    snapshot = RollSnapshot.objects.filter(assembly=assembly).first() if assembly else None
    if snapshot is None:
        return []
    units = [BasisUnit(0, code, Decimal(area), False) for code, _b, area in snapshot.unit_areas]
    return basis_discrepancies(
        area=application.area,
        scope_buildings=application.scope_buildings,
        scope_unit_codes=application.scope_unit_codes,
        units=units,
    )


def basis_shares(fund_use: FundUse, total_fen: int) -> dict[int, int]:
    """Each frozen unit's share of ``total_fen`` (Order 165 arts. 20–21), by unit id."""
    units = basis_units(basis_of(fund_use))
    by_code = apportion(total_fen, {u.code: u.area for u in units})
    return {u.unit_id: by_code[u.code] for u in units}


# --------------------------------------------------------------------------- balances


IN_LIST_LIMIT = 500  # above it, rows are read by area (SQLite refuses > 32,766 parameters)


def sub_ledgers_of(unit_ids, *, lock: bool) -> dict[int, int]:
    """unit id → sub-ledger account id; locked in primary-key order when asked (STYLE §6).

    Above ``IN_LIST_LIMIT`` units, the area's sub-ledgers are read (and locked) in one
    query rather than named in a long IN list.
    """
    ids = list(unit_ids)
    if not ids:
        return {}
    rows = Account.objects.filter(kind=Kind.UNIT)
    if len(ids) > IN_LIST_LIMIT:
        from estates.models import Unit

        area_id = Unit.objects.filter(pk=ids[0]).values_list("area_id", flat=True).first()
        rows = rows.filter(area_id=area_id)
    else:
        rows = rows.filter(unit_id__in=ids)
    if lock:
        rows = rows.select_for_update()
    wanted = set(ids)
    return {
        unit_id: pk
        for unit_id, pk in rows.order_by("pk")
        .values_list("unit_id", "pk")
        .iterator(chunk_size=20000)
        if unit_id in wanted
    }


def _sums(model, account_ids: list[int]) -> dict[int, int]:
    rows = model.objects.all()
    if len(account_ids) > IN_LIST_LIMIT:
        area_id = (
            Account.objects.filter(pk=account_ids[0]).values_list("area_id", flat=True).first()
        )
        rows = rows.filter(account__area_id=area_id)
    else:
        rows = rows.filter(account_id__in=account_ids)
    wanted = set(account_ids)
    return {
        account_id: total
        for account_id, total in rows.values("account_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("account_id", "total")
        .order_by()
        if account_id in wanted
    }


def free_balances(account_ids) -> dict[int, int]:
    """account id → balance less everything reserved on it (by any use)."""
    ids = list(account_ids)
    if not ids:
        return {}
    raw = _sums(Entry, ids)
    held = _sums(Reservation, ids)
    return {a: -(raw.get(a) or 0) - (held.get(a) or 0) for a in ids}


def reserved_for(fund_use: FundUse) -> dict[int, int]:
    """unit id → what is reserved on its sub-ledger for ``fund_use``."""
    return dict(
        Reservation.objects.filter(fund_use=fund_use)
        .values("unit_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("unit_id", "total")
        .order_by()
    )


def _reserve(fund_use, unit_id, account_id, amount, reason, **links) -> None:
    if amount:
        Reservation.objects.create(
            fund_use=fund_use,
            unit_id=unit_id,
            account_id=account_id,
            amount_fen=amount,
            reason=reason,
            **links,
        )


# --------------------------------------------------------------------------- instructions


def reservation_cover(*, fund_use: FundUse, cumulative_fen: int, instruction=None) -> int:
    """Reserve each unit's share of ``cumulative_fen``; refuse if any unit cannot bear it.

    Called by ``payment_instruct`` under the FundUse's row lock, before the
    instruction counts. RULES.md §4: nothing is instructed beyond reserved
    balances plus collected shortfalls. Returns the fen newly reserved. After
    settlement the money is no longer reserved but charged: the cover is then
    what was charged to the sub-ledgers and collected since.
    """
    if fund_use.status != FundUse.Status.OPEN:
        covered = (
            FundUseShare.objects.filter(fund_use=fund_use).aggregate(
                total=Sum("charged_fen") + Sum("collected_fen")
            )["total"]
            or 0
        )
        if cumulative_fen > covered:
            _refuse_cover(cumulative_fen, covered)
        return 0
    units = basis_units(basis_of(fund_use))
    subs = sub_ledgers_of([u.unit_id for u in units], lock=True)
    free = free_balances(subs.values())
    held = reserved_for(fund_use)
    targets = apportion(cumulative_fen, {u.code: u.area for u in units})
    short: list[tuple[str, int]] = []
    rows = []
    for unit in units:
        need = targets[unit.code] - held.get(unit.unit_id, 0)
        if need <= 0:
            continue
        take = min(need, max(free.get(subs.get(unit.unit_id), 0), 0))
        if take < need:
            short.append((unit.code, need - take))
        elif not short:
            rows.append(
                Reservation(
                    fund_use=fund_use,
                    unit_id=unit.unit_id,
                    account_id=subs[unit.unit_id],
                    amount_fen=take,
                    reason=Reservation.Reason.INSTRUCTION,
                    instruction=instruction,
                )
            )
    if short:
        most = _most_coverable(units, subs, free, held, upper=cumulative_fen)
        codes = "、".join(code for code, _gap in short[:5]) + (
            _(" 等%(n)d户") % {"n": len(short)} if len(short) > 5 else ""
        )
        message = _(
            "累计划款 %(total)s 元时，%(codes)s 的分户账可冻结余额加已收补缴款不足以承担其分摊"
            "（合计差 %(gap)s 元）；差额须先由业主补缴，不能以其他业主的资金垫付。"
            "按现有冻结余额，累计最多可划款 %(most)s 元。"
        ) % {
            "total": yuan(cumulative_fen),
            "codes": codes,
            "gap": yuan(sum(g for _c, g in short)),
            "most": yuan(most),
        }
        raise DomainError("not_reserved", message, fields={"amount_fen": message})
    Reservation.objects.bulk_create(rows, batch_size=2000)
    return sum(r.amount_fen for r in rows)


def _most_coverable(units, subs, free, held, *, upper: int) -> int:
    """The largest cumulative amount every unit could bear now (for the message)."""
    room = {
        u.code: held.get(u.unit_id, 0) + max(free.get(subs.get(u.unit_id), 0), 0) for u in units
    }
    weights = {u.code: u.area for u in units}

    def fits(total: int) -> bool:
        return all(share <= room[code] for code, share in apportion(total, weights).items())

    low, high = 0, upper
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _refuse_cover(cumulative: int, covered: int) -> None:
    message = _(
        "累计划款将达 %(total)s 元，超过已从分户账扣划及补扣的 %(covered)s 元；"
        "其余分摊款收齐后才能划付。"
    ) % {"total": yuan(cumulative), "covered": yuan(covered)}
    raise DomainError("not_reserved", message, fields={"amount_fen": message})


def reservations_release(*, fund_use: FundUse, unit_ids=None, reason: str) -> int:
    """Net the use's reservations to zero (all units, or ``unit_ids``); returns fen released.

    Called inside settlement (the charge replaces the reservation) under the
    sub-ledger locks the caller holds.
    """
    held = {
        unit_id: amount
        for unit_id, amount in reserved_for(fund_use).items()
        if amount and (unit_ids is None or unit_id in unit_ids)
    }
    accounts = sub_ledgers_of(held, lock=False)
    Reservation.objects.bulk_create(
        [
            Reservation(
                fund_use=fund_use,
                unit_id=unit_id,
                account_id=accounts[unit_id],
                amount_fen=-amount,
                reason=reason,
            )
            for unit_id, amount in sorted(held.items())
        ],
        batch_size=2000,
    )
    return sum(held.values())


# --------------------------------------------------------------------------- 分摊补缴


def shortfall_demands_create(*, fund_use: FundUse, actor=None) -> list[ShortfallDemand]:
    """At approval: demand each unit's estimated shortfall at the budget (module docstring).

    Inside the approval's transaction; the owners are told after commit.
    Idempotent (one demand per use and unit).
    """
    if ShortfallDemand.objects.filter(fund_use=fund_use).exists():
        return list(fund_use.shortfall_demands.all())
    units = basis_units(basis_of(fund_use))
    subs = sub_ledgers_of([u.unit_id for u in units], lock=True)
    free = free_balances(subs.values())
    shares = apportion(fund_use.budget_fen, {u.code: u.area for u in units})
    due_on = local_today() + timedelta(days=shortfall_due_days())
    demands = []
    for unit in units:
        available = max(free.get(subs.get(unit.unit_id), 0), 0)
        gap = shares[unit.code] - available
        if gap > 0:
            demands.append(
                ShortfallDemand(
                    fund_use=fund_use,
                    unit_id=unit.unit_id,
                    unit_code=unit.code,
                    share_fen=shares[unit.code],
                    available_fen=available,
                    amount_fen=gap,
                    due_on=due_on,
                )
            )
    if not demands:
        return []
    ShortfallDemand.objects.bulk_create(demands)
    audit_record(
        actor=actor,
        action="fund_use.shortfall_demand",
        obj=fund_use,
        summary={
            "fund_use": fund_use.pk,
            "units": len(demands),
            "total_fen": sum(d.amount_fen for d in demands),
            "due_on": due_on.isoformat(),
        },
    )
    ids = [d.unit_id for d in demands]
    transaction.on_commit(lambda: _tell_owners(fund_use.pk, ids))
    return list(ShortfallDemand.objects.filter(fund_use=fund_use))


def _tell_owners(fund_use_id: int, unit_ids: list[int]) -> None:
    """The owners' notice of a demand (SMS; the demand row is the record). Never logs a phone."""
    from accounts.sms import sms_send
    from estates.models import Ownership

    demands = {
        d.unit_id: d
        for d in ShortfallDemand.objects.filter(
            fund_use_id=fund_use_id, unit_id__in=unit_ids
        ).select_related("fund_use")
    }
    owners = Ownership.objects.filter(until__isnull=True, unit_id__in=unit_ids).select_related(
        "person"
    )
    prefix = f"【{settings.GONGZHI_BUREAU_NAME}】"
    for ownership in owners:
        demand = demands[ownership.unit_id]
        if not ownership.person.phone:
            continue
        text = (
            f"{prefix}维修事项“{demand.fund_use.title}”中，房屋{demand.unit_code}预计分摊"
            f"{yuan(demand.share_fen)}元，分户账可用余额{yuan(demand.available_fen)}元，"
            f"请于{demand.due_on:%Y年%m月%d日}前补缴差额{yuan(demand.amount_fen)}元（分摊补缴）。"
        )
        try:
            sms_send(phone=ownership.person.phone, text=text)
        except Exception:
            logger.exception("shortfall demand notice of fund use %s failed", fund_use_id)


def shortfall_demands_settle(*, fund_use: FundUse) -> int:
    """At settlement, each open demand owes no more than the unit's real shortfall.

    The demand was an estimate at the budget; the settlement charged each sub-ledger
    what it could (``FundUseShare``). A demand whose unit now owes less is reduced to
    that (cleared when nothing is owed), so no owner is reported for a debt the final
    cost did not leave. Inside settlement's transaction; returns the demands changed.
    """
    owed = {s.unit_id: s.outstanding_fen for s in FundUseShare.objects.filter(fund_use=fund_use)}
    changed = 0
    open_states = [ShortfallDemand.Status.OPEN, ShortfallDemand.Status.REPORTED]
    for demand in ShortfallDemand.objects.select_for_update().filter(
        fund_use=fund_use, status__in=open_states
    ):
        still = owed.get(demand.unit_id, 0)
        if still >= demand.outstanding_fen:
            continue
        before = demand.outstanding_fen
        settled = demand.paid_fen + demand.advanced_fen + still
        if still == 0:
            demand.status = (
                ShortfallDemand.Status.CLEARED
                if settled == 0
                else ShortfallDemand.Status.ADVANCED
                if demand.advanced_fen
                else ShortfallDemand.Status.PAID
            )
        if settled > 0:
            demand.amount_fen = settled
        demand.save(update_fields=["amount_fen", "status"])
        audit_record(
            actor=None,
            action="fund_use.shortfall_settle",
            obj=demand,
            before={"outstanding_fen": before},
            after={"outstanding_fen": demand.outstanding_fen, "status": demand.status},
            summary={"fund_use": fund_use.pk, "unit": demand.unit_code},
        )
        changed += 1
    return changed


def _demand_lock(demand: ShortfallDemand) -> tuple[FundUse, ShortfallDemand]:
    fund_use = fund_use_lock(demand.fund_use)
    locked = ShortfallDemand.objects.select_for_update().select_related("unit").get(pk=demand.pk)
    return fund_use, locked


def _post_in(*, fund_use, demand, amount, when, key, actor, memo, reason, **fields):
    """Deposit ``amount`` into the unit's sub-ledger and reserve it for the use."""
    from ..selectors import bank_account
    from .ledger import accounts_ensure, transaction_post

    accounts_ensure(area=fund_use.area, actor=actor)
    sub = Account.objects.select_for_update().get(kind=Kind.UNIT, unit_id=demand.unit_id)
    txn = transaction_post(
        kind=Transaction.Kind.DEPOSIT,
        lines=[(bank_account(fund_use.area), amount), (sub, -amount)],
        memo=memo[:200],
        key=key,
        actor=actor,
        value_date=when,
    )
    _reserve(fund_use, demand.unit_id, sub.pk, amount, reason, transaction=txn)
    for name, value in fields.items():
        setattr(demand, name, value)
    if demand.outstanding_fen == 0:
        demand.status = (
            ShortfallDemand.Status.ADVANCED if demand.advanced_fen else ShortfallDemand.Status.PAID
        )
    demand.save(update_fields=[*fields, "status"])
    return txn


def shortfall_demand_pay(
    *, demand: ShortfallDemand, amount_fen: int, paid_on: date, key: str, actor
) -> ShortfallDemand:
    """The owner paid (part of) a demanded shortfall: post it as a deposit, reserve it.

    The reviewer records the money received (``payment.confirm``); idempotent
    on ``key`` (the bank's reference): the same key again changes nothing.
    """
    permissions.require(actor, "payment.confirm", demand.fund_use.area)
    amount = clean_fen(amount_fen, field="amount_fen")
    key = clean_text(key, field="key", limit=100)
    if not isinstance(paid_on, date) or paid_on > local_today():
        message = _("缴款日期不能晚于今天。")
        raise DomainError("bad_date", message, fields={"paid_on": message})
    ledger_key = f"shortfall:{demand.pk}:paid:{key}"
    with transaction.atomic():
        fund_use, locked = _demand_lock(demand)
        if Transaction.objects.filter(key=ledger_key).exists():
            return locked
        if amount > locked.outstanding_fen:
            message = _("补缴金额超过尚欠的 %(owed)s 元。") % {"owed": yuan(locked.outstanding_fen)}
            raise DomainError("over_demand", message, fields={"amount_fen": message})
        txn = _post_in(
            fund_use=fund_use,
            demand=locked,
            amount=amount,
            when=paid_on,
            key=ledger_key,
            actor=actor,
            memo=_("分摊补缴 %(unit)s：%(title)s")
            % {"unit": locked.unit_code, "title": fund_use.title},
            reason=Reservation.Reason.COLLECTED,
            paid_fen=locked.paid_fen + amount,
        )
        audit_record(
            actor=actor,
            action="fund_use.shortfall_paid",
            obj=locked,
            after={"paid_fen": locked.paid_fen, "status": locked.status},
            summary={"fund_use": fund_use.pk, "amount_fen": amount, "transaction": txn.pk},
        )
    return locked


# --------------------------------------------------------------------------- emergency advances


def advance_account_name(
    *, area, kind: str, name: str, bank_name: str, account_no: str, actor
) -> AdvanceAccount:
    """The bureau names the account emergency shortfalls may be advanced from (RULES §5).

    The approver (``application.approve``, after TOTP). Naming another replaces
    the one in force (kept, inactive, for the record).
    """
    permissions.require(actor, "application.approve", area)
    if kind not in AdvanceAccount.Kind.values:
        message = _("请选择资金性质（公共资金或街道资金）。")
        raise DomainError("bad_kind", message, fields={"kind": message})
    name = clean_text(name, field="name", limit=200)
    bank_name = clean_text(bank_name, field="bank_name", limit=100)
    account_no = clean_text(account_no, field="account_no", limit=40).replace(" ", "")
    if not account_no.isdigit():
        message = _("账号只能由数字组成。")
        raise DomainError("bad_account", message, fields={"account_no": message})
    with transaction.atomic():
        before = list(AdvanceAccount.objects.select_for_update().filter(area=area, active=True))
        for old in before:
            old.active = False
            old.save(update_fields=["active"])
        account = AdvanceAccount.objects.create(
            area=area,
            kind=kind,
            name=name,
            bank_name=bank_name,
            account_no=account_no,
            named_by=actor,
        )
        audit_record(
            actor=actor,
            action="fund.advance_account_name",
            obj=account,
            after={"kind": kind, "name": name, "bank_name": bank_name},
            summary={"area": area.pk, "replaces": [a.pk for a in before]},
        )
    return account


def shortfall_advance(
    *, demand: ShortfallDemand, advanced_on: date, key: str, actor
) -> ShortfallDemand:
    """Advance an emergency's outstanding shortfall from the bureau's named account.

    RULES.md §4/§5: only for an emergency (or a bureau-commissioned 代修) use,
    only from the account the bureau named for the area — refused when none is
    named — and never from other sub-ledgers. The advance is posted as a
    deposit into the unit's sub-ledger (the money entered the custody account
    from the named one) and reserved for the use; the owner now owes it to the
    named account (``ShortfallDemand.advance_account``).
    """
    permissions.require(actor, "application.approve", demand.fund_use.area)
    key = clean_text(key, field="key", limit=100)
    if not isinstance(advanced_on, date) or advanced_on > local_today():
        message = _("垫付日期不能晚于今天。")
        raise DomainError("bad_date", message, fields={"advanced_on": message})
    with transaction.atomic():
        fund_use, locked = _demand_lock(demand)
        if fund_use.source not in ADVANCE_SOURCES:
            raise DomainError(
                "not_emergency",
                _("只有紧急维修的分摊差额可以由指定账户垫付；其他事项须由业主补缴。"),
            )
        if locked.outstanding_fen <= 0:
            raise DomainError("nothing_owed", _("该房屋的分摊补缴已结清。"))
        account = AdvanceAccount.objects.filter(area=fund_use.area, active=True).first()
        if account is None:
            raise DomainError(
                "no_advance_account",
                _(
                    "住建局尚未为本区域指定垫付账户（公共资金或街道资金），不能垫付；"
                    "不得以其他业主分户账的资金垫付。"
                ),
            )
        amount = locked.outstanding_fen
        txn = _post_in(
            fund_use=fund_use,
            demand=locked,
            amount=amount,
            when=advanced_on,
            key=f"shortfall:{locked.pk}:advance:{key}",
            actor=actor,
            memo=_("%(account)s垫付 %(unit)s 分摊差额：%(title)s")
            % {"account": account.name, "unit": locked.unit_code, "title": fund_use.title},
            reason=Reservation.Reason.ADVANCED,
            advanced_fen=locked.advanced_fen + amount,
            advance_account=account,
        )
        audit_record(
            actor=actor,
            action="fund_use.shortfall_advance",
            obj=locked,
            after={"advanced_fen": locked.advanced_fen, "advance_account": account.pk},
            summary={"fund_use": fund_use.pk, "amount_fen": amount, "transaction": txn.pk},
        )
    return locked


# --------------------------------------------------------------------------- reporting debts


def _recipients(area):
    from accounts.models import Role, RoleAssignment, User

    def holders(role, **scope):
        ids = RoleAssignment.objects.filter(role=role, **scope).values("user_id")
        return [(u, role) for u in User.objects.filter(pk__in=ids, is_active=True).order_by("pk")]

    street_id = area.community.street_id if area.community_id else None
    people = holders(Role.COMMITTEE_MEMBER, area=area)
    if street_id is not None:
        people += holders(Role.STREET_OFFICER, street_id=street_id)
    return people


def shortfall_demands_report(*, today: date | None = None) -> dict:
    """Report every unpaid shortfall past its deadline to the convener (the committee) and
    the street as that owner's debt (RULES.md §4); idempotent (one report per person)."""
    from accounts.sms import sms_send

    today = today or local_today()
    counts = {"demands": 0, "reports": 0}
    overdue = ShortfallDemand.objects.filter(
        status__in=[ShortfallDemand.Status.OPEN, ShortfallDemand.Status.REPORTED],
        due_on__lt=today,
    ).select_related("fund_use__area__community")
    for demand in overdue.order_by("pk"):
        if demand.outstanding_fen <= 0:
            continue
        counts["demands"] += 1
        area = demand.fund_use.area
        with transaction.atomic():
            locked = ShortfallDemand.objects.select_for_update().get(pk=demand.pk)
            if locked.status == ShortfallDemand.Status.OPEN:
                locked.status = ShortfallDemand.Status.REPORTED
                locked.reported_at = timezone.now()
                locked.save(update_fields=["status", "reported_at"])
                audit_record(
                    actor=None,
                    action="fund_use.shortfall_report",
                    obj=locked,
                    after={"status": locked.status},
                    summary={
                        "fund_use": locked.fund_use_id,
                        "unit": locked.unit_code,
                        "owed_fen": locked.outstanding_fen,
                        "due_on": locked.due_on.isoformat(),
                    },
                )
        text = (
            f"【{settings.GONGZHI_BUREAU_NAME}】{area.name}维修事项“{demand.fund_use.title}”："
            f"房屋{demand.unit_code}的分摊补缴{yuan(demand.outstanding_fen)}元已于"
            f"{demand.due_on:%Y年%m月%d日}到期未缴，记为该业主欠款，请督促补缴。"
        )
        for user, role in _recipients(area):
            try:
                with transaction.atomic():
                    ShortfallReport.objects.create(
                        demand=demand, recipient=user, role=role, by_sms=bool(user.phone)
                    )
            except IntegrityError:
                continue
            counts["reports"] += 1
            if user.phone:
                try:
                    sms_send(phone=user.phone, text=text)
                except Exception:
                    logger.exception("shortfall report of demand %s failed", demand.pk)
    return counts
