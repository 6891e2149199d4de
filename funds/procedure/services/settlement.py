"""Settlement at the final cost, apportionment to the sub-ledgers, shortfalls, publication.

RULES.md §4 (Order 165 arts. 20–21, 30): after acceptance the final cost is
shared among the units of the 列支范围 in proportion to their floor area
(``funds.apportion.apportion``: floor, then the largest remainders, ties by
unit code), the developer bearing the share of its unsold units (they have
sub-ledgers like any unit), and the use and its apportionment are published.

**Shortfall policy** (RULES §4: "reported, never driven negative"; the
pooled account never fronts one owner's share): the shares are computed over
the use's frozen basis (``reservations.basis_of``: the roll of the owners'
vote, or for an emergency the register at approval). Before settlement every
instruction was covered by money reserved on the sub-ledgers or collected
from the owners (``reservations.reservation_cover``); settlement releases this
use's reservations and charges each sub-ledger what it can pay,
``min(share, balance less other uses' reservations)``. The rest is the unit's
shortfall, recorded on its ``FundUseShare`` as owed and reported; it stays on
the ``works`` account (paid, not yet apportioned) until ``shortfall_collect``
charges it once the owner has paid (a 分摊补缴 deposit, or a top-up under
art. 17) — and no instruction after settlement may exceed what was charged
and collected.

Ledger lines of the settlement (C final cost, P confirmed payments, O total
shortfall; ``funds_ledger_api.md``): ``unit +charged`` for each unit,
``works O − P``, ``payable P − C`` (zero lines omitted). Afterwards ``works``
holds the uncollected shortfall and ``payable`` what is still owed to the
contractor (C > P) or, as a debit, by them (C < P: ``refund_confirm``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.money import yuan as yuan_text
from core.text import clean_text
from funds.models import (
    Account,
    ContractorRefund,
    FundUse,
    FundUseShare,
    PaymentInstruction,
    Reservation,
    ShortfallCollection,
    Transaction,
)
from funds.procedure import ceiling
from funds.procedure.services import reservations
from funds.procedure.services.apportionment import Apportionment, apportionment_compute
from funds.procedure.services.fund_use import fund_use_lock, paid_total
from funds.procedure.services.steps import clean_fen, local_today, transition

Kind = Account.Kind


def fund_use_settle(
    *,
    fund_use: FundUse,
    final_cost_fen: int,
    actor,
    over_budget_reason: str = "",
    settled_on: date | None = None,
    base_fen: int | None = None,
    audit_report=None,
    warranty_ends_on: date | None = None,
) -> FundUse:
    """Settle at the final cost and apportion it to the sub-ledgers (module docstring).

    Bureau (``application.review``). Refused (RULES.md §4 "use",
    ``settlement_limits``): a final cost above the owners' ceiling — budget +
    floor(budget × N / 100), or ``base_fen`` (an emergency's cap) — plus the
    excesses approved by supplementary owners' votes (``over_ceiling``); above
    the approved amount without a reason (``over_budget``); above the 审价
    threshold without an audit report (``audit_required``); an instruction
    still waiting for the bank (``payment_pending``); a FundUse already settled.
    The 质保金 (``retention_fen``) is recorded with the works' warranty end
    (``warranty_ends_on``, default ``settlement_limits.warranty_end_default``).
    """
    from funds.procedure.services.settlement_limits import (
        audit_report_check,
        audit_report_store,
        clean_warranty_end,
        warranty_end_default,
    )

    permissions.require(actor, "application.review", fund_use.area)
    cost = clean_fen(final_cost_fen, field="final_cost_fen")
    settled_on = settled_on or local_today()
    if settled_on > local_today():
        message = _("结算日期不能晚于今天。")
        raise DomainError("bad_date", message, fields={"settled_on": message})
    warranty_ends_on = clean_warranty_end(
        warranty_ends_on or warranty_end_default(settled_on), settled_on
    )
    with transaction.atomic():
        locked = fund_use_lock(fund_use)
        reason = _settle_refusals(locked, cost, base_fen=base_fen, reason=over_budget_reason)
        if audit_report_check(locked, cost, audit_report):
            audit_report_store(locked, audit_report, actor)
        result, paid, txn = _settlement_post(locked, cost, actor=actor, settled_on=settled_on)
        _shares_record(locked, result)
        # Demands (分摊补缴) owe no more than the real shortfall the final cost left.
        reservations.shortfall_demands_settle(fund_use=locked)
        retention = ceiling.retention_fen(cost, _retention_pct())
        transition(
            locked,
            FundUse.Status.SETTLED,
            actor=actor,
            action="fund_use.settle",
            fields={
                "final_cost_fen": cost,
                "over_budget_reason": reason,
                "settled_on": settled_on,
                "settled_at": timezone.now(),
                "settled_by": actor,
                "settlement_txn": txn,
                "shortfall_fen": result.shortfall_fen,
                "retention_fen": retention,
                "warranty_ends_on": warranty_ends_on,
            },
            summary={
                "units": len(result.rows),
                "paid_fen": paid,
                "retention_fen": retention,
                "shortfall_units": len(result.shortfalls),
                "transaction": txn.pk if txn else None,
            },
        )
    return locked


def _retention_pct() -> int:
    from funds.procedure.services.settlement_limits import retention_pct

    return retention_pct()


def _settle_refusals(locked: FundUse, cost: int, *, base_fen: int | None, reason: str) -> str:
    """Refuse a settlement the state or the limits forbid; the over-budget reason, cleaned."""
    from funds.procedure.services.settlement_limits import limit_check

    if locked.status != FundUse.Status.OPEN:
        raise Conflict("already_settled", _("该事项已结算。"))
    limit_check(locked, cost, base_fen=base_fen)
    cleaned = ""
    if cost > locked.budget_fen:
        cleaned = (reason or "").strip()
        if not cleaned:
            message = _("结算金额 %(cost)s 元超过批准金额 %(budget)s 元，须说明理由。") % {
                "cost": yuan_text(cost),
                "budget": yuan_text(locked.budget_fen),
            }
            raise DomainError("over_budget", message, fields={"over_budget_reason": message})
        cleaned = clean_text(cleaned, field="over_budget_reason", limit=2000, multiline=True)
    if locked.payments.filter(status=PaymentInstruction.Status.INSTRUCTED).exists():
        raise Conflict("payment_pending", _("还有划款指令等待银行确认，确认或撤销后才能结算。"))
    return cleaned


def _settlement_post(locked: FundUse, cost: int, *, actor, settled_on: date):
    """Charge each frozen unit its share (reservations released), post the settlement.

    Returns the apportionment, what was paid out, and the transaction (None when
    nothing moves)."""
    from funds.ledger.selectors import account_of
    from funds.ledger.services import accounts_ensure, transaction_post

    accounts_ensure(area=locked.area, actor=actor)
    frozen = reservations.basis_units(reservations.basis_of(locked))
    # Lock the sub-ledgers in primary-key order before reading their balances
    # (STYLE.md §6): a deposit or another settlement waits, the balances hold.
    subs = reservations.sub_ledgers_of([u.unit_id for u in frozen], lock=True)
    # The charge replaces what this use held reserved (RULES.md §4).
    reservations.reservations_release(fund_use=locked, reason=Reservation.Reason.SETTLED)
    result = apportionment_compute(locked, cost)
    paid = paid_total(locked)
    shortfall = result.shortfall_fen
    lines = [(subs[r.unit_id], r.charge_fen) for r in result.rows if r.charge_fen]
    if shortfall - paid:
        lines.append((account_of(locked.area, Kind.WORKS), shortfall - paid))
    if paid - cost:
        lines.append((account_of(locked.area, Kind.PAYABLE), paid - cost))
    txn = None
    if lines:
        txn = transaction_post(
            kind=Transaction.Kind.SETTLEMENT,
            lines=lines,
            memo=(_("结算分摊：%(title)s") % {"title": locked.title})[:200],
            key=f"fund-use:{locked.pk}:settlement",
            actor=actor,
            value_date=settled_on,
        )
    return result, paid, txn


def _shares_record(locked: FundUse, result: Apportionment) -> None:
    FundUseShare.objects.bulk_create(
        [
            FundUseShare(
                fund_use=locked,
                unit_id=r.unit_id,
                unit_code=r.code,
                floor_area=r.floor_area,
                developer_held=r.developer_held,
                share_fen=r.share_fen,
                charged_fen=r.charge_fen,
            )
            for r in result.rows
        ],
        batch_size=2000,
    )


def shortfall_collect(*, share: FundUseShare, actor, collected_on: date | None = None):
    """Charge a unit's outstanding shortfall, up to what its sub-ledger now holds.

    Posts ``unit +x, works −x`` (the works account held the uncharged part).
    Returns the ``ShortfallCollection``; refused when nothing is owed or the
    sub-ledger is still empty.
    """
    from funds.ledger.selectors import account_of
    from funds.ledger.services import transaction_post

    permissions.require(actor, "application.review", share.fund_use.area)
    collected_on = collected_on or local_today()
    with transaction.atomic():
        fund_use = fund_use_lock(share.fund_use)
        row = FundUseShare.objects.select_for_update().select_related("unit").get(pk=share.pk)
        sub = Account.objects.select_for_update().get(kind=Kind.UNIT, unit=row.unit)
        owed = row.outstanding_fen
        if owed <= 0:
            raise Conflict("nothing_owed", _("该房屋的分摊款已全部扣划。"))
        # A shortfall paid for this use was reserved for it: the charge replaces it.
        reservations.reservations_release(
            fund_use=fund_use, unit_ids={row.unit_id}, reason=Reservation.Reason.COLLECT
        )
        amount = min(owed, reservations.free_balances([sub.pk])[sub.pk])
        if amount <= 0:
            raise DomainError(
                "insufficient_balance",
                _("房屋 %(unit)s 的分户账仍无余额。") % {"unit": row.unit_code},
            )
        number = row.collections.count() + 1
        txn = transaction_post(
            kind=Transaction.Kind.SETTLEMENT,
            lines=[(sub, amount), (account_of(fund_use.area, Kind.WORKS), -amount)],
            memo=(_("补扣分摊款：%(title)s") % {"title": fund_use.title})[:200],
            key=f"fund-use:{fund_use.pk}:shortfall:{row.pk}:{number}",
            actor=actor,
            value_date=collected_on,
        )
        collection = ShortfallCollection.objects.create(
            share=row, amount_fen=amount, transaction=txn, collected_on=collected_on, actor=actor
        )
        row.collected_fen += amount
        row.save(update_fields=["collected_fen"])
        audit_record(
            actor=actor,
            action="fund_use.shortfall_collect",
            obj=row,
            before={"collected_fen": row.collected_fen - amount},
            after={"collected_fen": row.collected_fen},
            summary={"fund_use": fund_use.pk, "unit": row.unit_code, "amount_fen": amount},
        )
    return collection


def refund_confirm(
    *,
    fund_use: FundUse,
    amount_fen: int,
    bank_reference: str,
    received_on: date,
    key: str,
    actor,
) -> ContractorRefund:
    """Record the contractor paying back an overpayment (final cost below what was paid)."""
    from funds.ledger.selectors import account_of, bank_account
    from funds.ledger.services import transaction_post

    permissions.require(actor, "payment.confirm", fund_use.area)
    amount = clean_fen(amount_fen, field="amount_fen")
    bank_reference = clean_text(bank_reference, field="bank_reference", limit=60)
    key = clean_text(key, field="key", limit=100)
    if received_on > local_today():
        raise DomainError(
            "bad_date", _("到账日期不能晚于今天。"), fields={"received_on": _("无效。")}
        )
    with transaction.atomic():
        locked = fund_use_lock(fund_use)
        existing = ContractorRefund.objects.filter(key=key).first()
        if existing is not None:
            if (existing.fund_use_id, existing.amount_fen, existing.bank_reference) != (
                locked.pk,
                amount,
                bank_reference,
            ):
                raise Conflict("idempotency_conflict", _("该编号已用于另一笔退款。"))
            return existing
        if locked.status == FundUse.Status.OPEN:
            raise Conflict("not_settled", _("结算后才能登记施工单位退款。"))
        payable = account_of(locked.area, Kind.PAYABLE)
        # Owed back for this use (not the area's payable total): paid − cost − refunded.
        refunded = locked.refunds.aggregate(total=Sum("amount_fen"))["total"] or 0
        # The 质保金 still held is not owed to the contractor yet (settlement_limits).
        owed = paid_total(locked) - (locked.final_cost_fen - locked.retention_held_fen) - refunded
        if amount > owed:
            raise DomainError(
                "over_refund",
                _("施工单位应退 %(owed)s 元，登记金额超过应退金额。")
                % {"owed": yuan_text(max(owed, 0))},
                fields={"amount_fen": _("超过应退金额。")},
            )
        txn = transaction_post(
            kind=Transaction.Kind.REFUND,
            lines=[(bank_account(locked.area), amount), (payable, -amount)],
            memo=(_("施工单位退款：%(title)s") % {"title": locked.title})[:200],
            key=f"fund-use:{locked.pk}:refund:{key}",
            actor=actor,
            value_date=received_on,
        )
        refund = ContractorRefund.objects.create(
            fund_use=locked,
            key=key,
            amount_fen=amount,
            bank_reference=bank_reference,
            received_on=received_on,
            transaction=txn,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="fund_use.refund",
            obj=refund,
            after={"amount_fen": amount, "key": key},
            summary={"fund_use": locked.pk, "amount_fen": amount},
        )
    return refund
