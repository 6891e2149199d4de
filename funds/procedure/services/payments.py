"""Money out of the fund for an approved repair: the record, the instruction, the bank's word.

RULES.md §4 (Order 165 arts. 22–23): approval → payment instruction to the
custody bank → bank confirmation (which alone posts the ledger). The same
services serve the normal procedure (``FundApplication``) and emergency
repairs (§5, art. 24); what differs is the *gate* registered for each
``FundUse.source``:

**No vote, no money** (RULES §4): ``payment_instruct`` and ``payment_confirm``
call the gate of the FundUse's source under the FundUse's row lock, and a
source without a gate is never paid. The gate of a normal application
(``funds.procedure.services.applications.application_payment_gate``) requires an
approved owners' vote in the application's 列支范围; an emergency source
registers its own (emergency applications skip the vote, art. 24).

Idempotency (DESIGN.md): an instruction is identified by its ``key``; a bank
confirmation posts under the ledger key ``fund-use:<id>:payment:<instruction>``
and the instruction row is locked while it is confirmed, so two confirmations
at once post once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.money import yuan
from core.text import clean_text
from funds.models import Account, FundUse, PaymentInstruction, Transaction
from funds.procedure.services.authority import APPROVE, CONFIRM, instruction_authorise, step_require
from funds.procedure.services.fund_use import (
    content_digest,
    fund_use_lock,
    live_total,
    payable_limit,
)
from funds.procedure.services.reservations import reservation_cover
from funds.procedure.services.steps import clean_fen, local_today, transition

Status = PaymentInstruction.Status


@dataclass(frozen=True)
class PaymentSource:
    gate: Callable[[FundUse], None]
    on_confirmed: Callable[[FundUse, PaymentInstruction, object], None] | None = None


_SOURCES: dict[str, PaymentSource] = {}


def payment_source_register(
    source: str,
    *,
    gate: Callable[[FundUse], None],
    on_confirmed: Callable[[FundUse, PaymentInstruction, object], None] | None = None,
) -> None:
    """Register the gate (raise ``DomainError`` to refuse money) and the after-payment hook.

    Registering the same source again replaces it (module reloads in tests).
    """
    if source not in FundUse.Source.values:
        raise ValueError(f"unknown FundUse source {source!r}")
    _SOURCES[source] = PaymentSource(gate=gate, on_confirmed=on_confirmed)


def _source(fund_use: FundUse) -> PaymentSource:
    registered = _SOURCES.get(fund_use.source)
    if registered is None:
        raise DomainError(
            "no_payment_gate",
            _("该资金使用事项的来源（%(source)s）未设定拨付条件，不能拨付。")
            % {"source": FundUse.Source(fund_use.source).label},
        )
    return registered


# --------------------------------------------------------------------------- instruction


def _instruction_digest(**content) -> str:
    return content_digest(**content)


def payment_instruct(
    *,
    fund_use: FundUse,
    amount_fen: int,
    payee_name: str,
    payee_bank: str,
    payee_account: str,
    key: str,
    actor,
    memo: str = "",
) -> PaymentInstruction:
    """Issue a payment instruction to the custody bank (RULES §4); idempotent on ``key``.

    The approver issues it: a bureau approver (``application.approve``, after
    TOTP), or a committee member under the assembly's own account (Order 165
    art. 23; ``authority.step_action``). Refused when the source's gate refuses
    (no vote, no money), when the live instructions would exceed the approved
    amount (or the final cost once settled), and by
    ``authority.instruction_authorise``: the applicant or reviewer instructing,
    an open correction order, or a cumulative amount above the threshold with
    fewer than two distinct approvers; and when some unit's share of the
    cumulative amount is neither reserved on its sub-ledger nor collected from
    its owner (``reservations.reservation_cover``; RULES.md §4: never fronted).
    """
    step_require(actor, fund_use.area, APPROVE, source=fund_use.source)
    key = clean_text(key, field="key", limit=100)
    amount_fen = clean_fen(amount_fen, field="amount_fen")
    payee_name, payee_bank, payee_account = _payee_clean(payee_name, payee_bank, payee_account)
    memo = clean_text(memo, field="memo", limit=200, required=False)
    digest = _instruction_digest(
        fund_use=fund_use.pk,
        amount_fen=amount_fen,
        payee=[payee_name, payee_bank, payee_account],
        memo=memo,
    )
    with transaction.atomic():
        locked = fund_use_lock(fund_use)
        existing = PaymentInstruction.objects.filter(key=key).first()
        if existing is not None:
            if existing.digest != digest:
                raise Conflict(
                    "idempotency_conflict",
                    _("指令编号 %(key)s 已用于另一笔不同内容的划款指令。") % {"key": key},
                    fields={"key": _("该编号已被使用。")},
                )
            return existing
        _source(locked).gate(locked)
        already = _limit_check(locked, amount_fen)
        # Who may instruct, and two approvers above the threshold, on the cumulative amount.
        instruction_authorise(locked, actor=actor, cumulative_fen=already + amount_fen)
        instruction = PaymentInstruction.objects.create(
            fund_use=locked,
            key=key,
            digest=digest,
            amount_fen=amount_fen,
            payee_name=payee_name,
            payee_bank=payee_bank,
            payee_account=payee_account,
            memo=memo or locked.title[:200],
            instructed_by=actor,
        )
        # Money reserved, not fronted (RULES.md §4): each unit's share of the cumulative
        # amount is reserved on its sub-ledger, or the instruction is refused (rolled back).
        reservation_cover(
            fund_use=locked, cumulative_fen=already + amount_fen, instruction=instruction
        )
        audit_record(
            actor=actor,
            action="payment.instruct",
            obj=instruction,
            after={"status": instruction.status, "key": key, "digest": digest},
            summary={
                "fund_use": locked.pk,
                "key": key,
                "amount_fen": amount_fen,
                "payee": payee_name,
            },
        )
    return instruction


def _payee_clean(name: str, bank: str, account: str) -> tuple[str, str, str]:
    """The payee's name, bank and account number (digits only), cleaned."""
    name = clean_text(name, field="payee_name", limit=200)
    bank = clean_text(bank, field="payee_bank", limit=100)
    account = clean_text(account, field="payee_account", limit=40).replace(" ", "")
    if not account.isdigit():
        message = _("收款账号只能由数字组成。")
        raise DomainError("bad_account", message, fields={"payee_account": message})
    return name, bank, account


def _limit_check(locked: FundUse, amount_fen: int) -> int:
    """Refuse an amount past what may be paid (``payable_limit``); the live total so far."""
    limit = payable_limit(locked)
    already = live_total(locked)
    if already + amount_fen > limit:
        message = _(
            "累计划款将达 %(total)s 元，超过%(what)s %(limit)s 元（已发出 %(already)s 元）。"
        ) % {
            "total": yuan(already + amount_fen),
            # payable_limit holds back the 质保金 (settlement_limits).
            "what": _("批准金额扣除质保金后的")
            if locked.status == FundUse.Status.OPEN
            else _("结算金额扣除未释放质保金后的"),
            "limit": yuan(limit),
            "already": yuan(already),
        }
        raise DomainError("over_budget", message, fields={"amount_fen": message})
    return already


def payment_cancel(*, instruction: PaymentInstruction, reason: str, actor) -> PaymentInstruction:
    """Withdraw an instruction the bank has not paid (it no longer counts against the amount)."""
    fund_use = instruction.fund_use
    step_require(actor, fund_use.area, APPROVE, source=fund_use.source)
    reason = clean_text(reason, field="reason", limit=500)
    with transaction.atomic():
        fund_use_lock(instruction.fund_use)
        locked = PaymentInstruction.objects.select_for_update().get(pk=instruction.pk)
        return transition(
            locked,
            Status.CANCELLED,
            actor=actor,
            action="payment.cancel",
            fields={"cancelled_at": timezone.now(), "cancel_reason": reason},
            summary={"key": locked.key},
        )


def payment_confirm(
    *, instruction: PaymentInstruction, bank_reference: str, paid_on: date, actor
) -> PaymentInstruction:
    """Record the bank's confirmation and post it to the ledger (RULES §4); idempotent.

    Before settlement the money goes to ``works`` (paid, not yet apportioned);
    after it, to ``payable`` (what settlement found still owed to the
    contractor) — ``funds_ledger_api.md``. Confirming again with the same
    reference returns the instruction; with another reference it is refused.
    """
    step_require(actor, instruction.fund_use.area, CONFIRM, source=instruction.fund_use.source)
    bank_reference = clean_text(bank_reference, field="bank_reference", limit=60)
    if not isinstance(paid_on, date) or paid_on > local_today():
        message = _("划款日期不能晚于今天。")
        raise DomainError("bad_date", message, fields={"paid_on": message})
    with transaction.atomic():
        # Lock order: the FundUse, then the instruction (every service takes them so).
        fund_use = fund_use_lock(instruction.fund_use)
        locked = PaymentInstruction.objects.select_for_update().filter(pk=instruction.pk).first()
        if locked is None:
            # The bank's word on an instruction we never issued: nothing of ours to confirm.
            raise Conflict("not_instructed", _("该划款指令尚未发出，不能确认划款。"))
        if locked.status == Status.CONFIRMED:
            if locked.bank_reference == bank_reference:
                return locked
            raise Conflict(
                "already_confirmed",
                _("该指令已于%(day)s确认划款（流水号 %(ref)s）。")
                % {"day": locked.paid_on, "ref": locked.bank_reference},
            )
        if locked.status != Status.INSTRUCTED:
            raise Conflict("cancelled", _("该指令已撤销，不能确认划款。"))
        # One bank transfer pays one instruction: the same reference entered against a
        # second instruction would post one payment twice. A bank numbers its transfers
        # per account, so the reference is unique per custody bank account — the
        # bureau's account may serve several areas, and an area's new account after a
        # custody transfer (Order 165 art. 15) starts its own numbering.
        payer_account = _reference_check(locked, fund_use, bank_reference)
        source = _source(fund_use)
        source.gate(fund_use)
        if paid_on < timezone.localdate(locked.instructed_at):
            message = _("划款日期不能早于指令发出日期。")
            raise DomainError("bad_date", message, fields={"paid_on": message})
        txn = _payment_post(fund_use, locked, paid_on=paid_on, actor=actor)
        fields = {
            "bank_reference": bank_reference,
            "payer_account": payer_account,
            "paid_on": paid_on,
            "confirmed_at": timezone.now(),
            "confirmed_by": actor,
            "transaction": txn,
        }
        try:
            with transaction.atomic():
                _confirm_transition(locked, actor=actor, fields=fields, fund_use=fund_use)
        except IntegrityError:
            # A concurrent confirmation took this reference on the same bank account.
            message = _("银行流水号 %(ref)s 已用于确认另一条指令，同一笔划款不能确认两次。") % {
                "ref": bank_reference
            }
            raise Conflict("reference_used", message, fields={"bank_reference": message}) from None
        if source.on_confirmed is not None:
            source.on_confirmed(fund_use, locked, actor)
    return locked


def _reference_check(locked: PaymentInstruction, fund_use: FundUse, bank_reference: str) -> str:
    """Refuse a bank reference already confirmed on the same custody account; that account."""
    from funds.ledger.selectors import profile_of

    payer_account = _account_digits(profile_of(fund_use.area).account_no)
    used = (
        PaymentInstruction.objects.filter(
            status=Status.CONFIRMED,
            bank_reference=bank_reference,
            payer_account=payer_account,
        )
        .exclude(pk=locked.pk)
        .first()
    )
    if used is not None:
        message = _("银行流水号 %(ref)s 已用于确认指令 %(key)s，同一笔划款不能确认两次。") % {
            "ref": bank_reference,
            "key": used.key,
        }
        raise Conflict("reference_used", message, fields={"bank_reference": message})
    return payer_account


def _payment_post(fund_use: FundUse, locked: PaymentInstruction, *, paid_on: date, actor):
    """Post the payment: bank out, into ``works`` before settlement, ``payable`` after."""
    from funds.ledger.selectors import account_of, bank_account
    from funds.ledger.services import transaction_post

    target = Account.Kind.WORKS if fund_use.status == FundUse.Status.OPEN else Account.Kind.PAYABLE
    txn = transaction_post(
        kind=Transaction.Kind.PAYMENT,
        lines=[
            (account_of(fund_use.area, target), locked.amount_fen),
            (bank_account(fund_use.area), -locked.amount_fen),
        ],
        memo=(_("划款：%(title)s（%(key)s）") % {"title": fund_use.title, "key": locked.key})[:200],
        key=f"fund-use:{fund_use.pk}:payment:{locked.pk}",
        actor=actor,
        value_date=paid_on,
    )
    return txn


def _confirm_transition(locked, *, actor, fields, fund_use) -> None:
    transition(
        locked,
        Status.CONFIRMED,
        actor=actor,
        action="payment.confirm",
        fields=fields,
        summary={"fund_use": fund_use.pk, "key": locked.key, "amount_fen": locked.amount_fen},
    )


def _account_digits(account_no: str) -> str:
    """A bank account number as the bank knows it: digits only (spaces and dashes dropped)."""
    return "".join(account_no.split()).replace("-", "")[:40]
