"""分摊补缴: shortfalls demanded at approval, paid as deposits, settled, advanced (emergency,
from the bureau's named account only) and reported when overdue (RULES.md §4, §5)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.sms import sms_send
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.money import yuan
from core.text import clean_text
from estates.models import Ownership
from funds.apportion import apportion
from funds.models import (
    Account,
    AdvanceAccount,
    FundUse,
    FundUseShare,
    Reservation,
    ShortfallDemand,
    Transaction,
)
from funds.procedure.services.reservations.basis import basis_units
from funds.procedure.services.reservations.cover import (
    basis_of,
    free_balances,
    reservation_add,
    sub_ledgers_of,
)
from funds.procedure.services.steps import clean_fen, local_today
from funds.procedure.services.use_rows import fund_use_lock

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
    from funds.ledger.selectors import bank_account
    from funds.ledger.services import accounts_ensure, transaction_post

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
    reservation_add(fund_use, demand.unit_id, sub.pk, amount, reason, transaction=txn)
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
            raise Conflict("nothing_owed", _("该房屋的分摊补缴已结清。"))
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
