"""Reservations (冻结) on the sub-ledgers at each payment instruction (RULES.md §4 "use";
package docstring), and the frozen basis as they read it (``basis_of``: a use approved
before bases existed has its basis frozen and its earlier instructions reserved on first
use, so the basis and the cover are one step here)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import yuan
from core.text import join_list
from estates.models import Unit
from funds.apportion import apportion
from funds.models import (
    Account,
    ApportionmentBasis,
    Entry,
    FundApplication,
    FundUse,
    FundUseShare,
    Reservation,
)
from funds.procedure.services.reservations.basis import (
    Discrepancy,
    basis_discrepancies,
    basis_freeze,
    basis_units,
)
from funds.procedure.services.use_rows import live_total

Kind = Account.Kind
logger = logging.getLogger("gongzhi.funds")


# --------------------------------------------------------------------------- the basis as read


def basis_of(fund_use: FundUse) -> ApportionmentBasis:
    """The frozen basis; a use approved before bases existed gets its vote's roll (or, with
    no vote, the register) frozen on first use — the roll is frozen already, so this is
    what its owners voted on."""
    basis = ApportionmentBasis.objects.filter(fund_use=fund_use).first()
    if basis is not None:
        return basis
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


def fund_use_discrepancies(fund_use: FundUse) -> list[Discrepancy]:
    return basis_discrepancies(
        area=fund_use.area,
        scope_buildings=fund_use.scope_buildings,
        scope_unit_codes=fund_use.scope_unit_codes,
        units=basis_units(basis_of(fund_use)),
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


def reservation_add(fund_use, unit_id, account_id, amount, reason, **links) -> None:
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
        codes = join_list(code for code, _gap in short[:5]) + (
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
