"""The money side of an emergency repair, through the funds app's ``FundUse``.

RULES.md §5: "Afterwards the same acceptance, settlement, apportionment and
publication as §4 apply". One money record per approved repair, whatever
procedure approved it (/work/notes/funds_procedure_api.md): the approval
opens a ``FundUse`` (``fund_use_open``, source "emergency"); payment
instructions, bank confirmations, settlement with apportionment and the
signed notice are the funds services on it. This module adds what is ours:

- the **gate** the payment services ask before any money moves: an emergency
  application pays only once approved (by the bureau or deemed), never after
  a refusal — the emergency counterpart of "no vote, no money" (Order 165
  art. 24 replaces the vote by the whitelist and the bureau's approval);
- **prepayment** (预拨, optional): before the works are done, instructions
  stay within the prepayment the applicant asked for; the bank's confirmation
  moves the application approved → paid (``on_confirmed``);
- **settlement** only after acceptance, within the item's cap (beyond it the
  fast path does not apply, RULES.md §5: only a supplementary owners' vote on
  the excess, ``application_supplementary_vote_create``, lets it go further,
  by at most what the owners approved); above the approved estimate only with
  the approver's consent (``funds.procedure.services.settlement_limits``: never the
  reviewer who settles; two approvers above the two-approver threshold);
  the 审价 report and 质保金 of the funds settlement apply too;
  **publication** of the EMERGENCY_REPAIR notice, posted at least 5 days.

Lock order, as in the funds services: the FundUse row first, then the
application row (a bank confirmation locks the FundUse and then calls
``on_confirmed``, which locks the application).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from core.errors import Conflict, DomainError
from core.money import yuan
from funds.models import FundUse, PaymentInstruction, SupplementaryVote
from funds.procedure.services import apportionment as funds_apportionment
from funds.procedure.services import authority, payments
from funds.procedure.services import settlement as funds_settlement
from funds.procedure.services.fund_use import fund_use_lock, fund_use_open, live_total
from funds.procedure.services.settlement_limits import (
    excess_approvals_check,
    settlement_excess_approve,
)
from funds.procedure.services.supplementary_votes import (
    approved_excesses,
    supplementary_vote_create,
)

from .. import deadlines
from ..models import EmergencyApplication, EvidenceKind
from ._common import application_lock, normal_procedure_text, transition
from .evidence import Upload, evidence_clean, evidence_store

Status = EmergencyApplication.Status
SOURCE = FundUse.Source.EMERGENCY
INSTRUCT = "application.approve"
CONFIRM = "payment.confirm"
SETTLE = "application.review"
ISSUE = "publication.issue"
POSTED_DAYS = 5  # RULES.md §5: the result is posted at least 5 days
# Money may move for an application in these states (approved and not refused).
PAYABLE = frozenset(
    {
        Status.APPROVED,
        Status.PAID,
        Status.WORKS_DONE,
        Status.ACCEPTED,
        Status.SETTLED,
        Status.PUBLISHED,
    }
)


def fund_use_title(application: EmergencyApplication) -> str:
    return f"紧急维修：{application.item.name}（申请第{application.pk}号）"[:200]


def fund_use_open_for(locked: EmergencyApplication, actor) -> FundUse:
    """Open the money record of a just-approved application (inside its approval)."""
    fund_use = fund_use_open(
        area=locked.area,
        source=SOURCE,
        source_key=f"emergency:{locked.pk}",
        title=fund_use_title(locked),
        budget_fen=locked.estimate_fen,
        scope_buildings=locked.scope_buildings,
        scope_unit_codes=locked.scope_unit_codes,
        actor=actor,
    )
    locked.fund_use = fund_use
    return fund_use


def _application_of(fund_use: FundUse) -> EmergencyApplication:
    application = EmergencyApplication.objects.filter(fund_use=fund_use).first()
    if application is None:
        raise DomainError("no_application", _("该资金使用事项没有对应的紧急维修申请。"))
    return application


def payment_gate(fund_use: FundUse) -> None:
    """Registered with ``funds.procedure.services.payments``: no approval, no money (module docstring)."""
    application = _application_of(fund_use)
    if application.status not in PAYABLE:
        raise Conflict(
            "not_approved",
            _("紧急维修申请当前状态为“%(status)s”，不能拨付。")
            % {"status": application.get_status_display()},
        )


def payment_confirmed(fund_use: FundUse, instruction: PaymentInstruction, actor) -> None:
    """Registered hook: a confirmed payment before the works are done is the prepayment."""
    application = _application_of(fund_use)
    locked = application_lock(application)
    if locked.status == Status.APPROVED:
        transition(
            locked,
            Status.PAID,
            actor=actor,
            action="emergency.prepaid",
            fields={"paid_at": timezone.now()},
            summary={"instruction": instruction.key, "amount_fen": instruction.amount_fen},
        )


def fund_use_makers(fund_use: FundUse) -> set[int]:
    """Who made the application (applicant, reviewer): never its instructing or second approver."""
    row = (
        EmergencyApplication.objects.filter(fund_use=fund_use)
        .values_list("applicant_id", "reviewer_id")
        .first()
    )
    return set(row or ()) - {None}


def fund_use_approvers(fund_use: FundUse) -> set[int]:
    """The approver who approved it (none for a deemed approval: no person approved)."""
    approver = (
        EmergencyApplication.objects.filter(fund_use=fund_use)
        .values_list("approver_id", flat=True)
        .first()
    )
    return {approver} - {None}


def register_payment_source() -> None:
    """Called from ``EmergencyConfig.ready``."""
    payments.payment_source_register(SOURCE, gate=payment_gate, on_confirmed=payment_confirmed)
    authority.fund_use_people_register(SOURCE, makers=fund_use_makers, approvers=fund_use_approvers)


def fund_use_of(application: EmergencyApplication) -> FundUse:
    # Read fresh: the caller's copy may predate the approval that opened it.
    fund_use = FundUse.objects.filter(emergency_application__pk=application.pk).first()
    if fund_use is None:
        raise Conflict("not_approved", _("申请尚未批准，没有可拨付的资金。"))
    return fund_use


def application_payment_instruct(
    *,
    application: EmergencyApplication,
    actor,
    amount_fen: int,
    payee_name: str,
    payee_bank: str,
    payee_account: str,
    key: str,
) -> PaymentInstruction:
    """A payment instruction to the custody bank (approver, TOTP; idempotent on ``key``).

    Before the works are done only the prepayment asked for may be instructed
    (RULES.md §5: "paid (optional prepayment)"); after settlement, what the
    settlement left owed to the contractor (the funds service checks the total).
    """
    permissions.require(actor, INSTRUCT, application)
    fund_use = fund_use_of(application)
    with transaction.atomic():
        fund_use_lock(fund_use)
        locked = application_lock(application)
        if locked.status in EmergencyApplication.WORKS_PENDING:
            room = locked.prepayment_fen - live_total(fund_use)
            existing = PaymentInstruction.objects.filter(key=f"emergency:{locked.pk}:{key}").first()
            if existing is None and (not locked.prepayment_fen or amount_fen > room):
                message = _("完工结算前只能预拨申请时提出的预拨金额（尚可预拨 %(room)s 元）。") % {
                    "room": yuan(max(room, 0))
                }
                raise DomainError("over_prepayment", message, fields={"amount": message})
        elif locked.status not in (Status.SETTLED, Status.PUBLISHED):
            raise Conflict(
                "not_payable_now",
                _("申请当前状态为“%(status)s”：施工前可预拨，其余款项在结算后拨付。")
                % {"status": locked.get_status_display()},
            )
        instruction = payments.payment_instruct(
            fund_use=fund_use,
            amount_fen=amount_fen,
            payee_name=payee_name,
            payee_bank=payee_bank,
            payee_account=payee_account,
            key=f"emergency:{locked.pk}:{key}",
            actor=actor,
            memo=fund_use_title(locked),
        )
        bank_clock_start(locked, instruction)
        return instruction


def bank_clock_start(locked: EmergencyApplication, instruction: PaymentInstruction) -> None:
    """The bank's deadline, fixed when the prepayment's first live instruction goes out.

    RULES.md §5: the bank confirms within GONGZHI_EMERGENCY_BANK_CONFIRM_DAYS working days
    of the instruction. Stored once, like the review and payment deadlines: a later
    instruction, a changed setting or a corrected holiday calendar never moves it.
    """
    if (
        locked.bank_due_at is not None
        or not locked.prepayment_fen
        or locked.status not in EmergencyApplication.WORKS_PENDING
        or instruction.status == PaymentInstruction.Status.CANCELLED
    ):
        return
    locked.bank_due_at = deadlines.bank_due(
        instruction.instructed_at,
        settings.GONGZHI_EMERGENCY_BANK_CONFIRM_DAYS,
        timezone.get_default_timezone(),
    )
    locked.save(update_fields=["bank_due_at"])


def application_payment_confirm(
    *, application: EmergencyApplication, instruction: PaymentInstruction, actor, **bank
) -> PaymentInstruction:
    """The bank's confirmation (reviewer): posts the ledger; a prepayment moves the application."""
    permissions.require(actor, CONFIRM, application)
    if instruction.fund_use_id != fund_use_of(application).pk:
        raise DomainError("wrong_instruction", _("该划款指令不属于本申请。"))
    return payments.payment_confirm(instruction=instruction, actor=actor, **bank)


def cost_check(application: EmergencyApplication, cost_fen: int) -> None:
    """The final cost stays within the item's cap (RULES.md §5), plus any excess the
    owners of the 列支范围 approved in a supplementary vote (the normal procedure's fallback)."""
    if isinstance(cost_fen, bool) or not isinstance(cost_fen, int) or cost_fen <= 0:
        message = _("请填写大于零的结算金额。")
        raise DomainError("bad_cost", message, fields={"final_cost": message})
    cap = application.item.cap_fen
    fund_use = FundUse.objects.filter(emergency_application__pk=application.pk).first()
    excess = sum(approved_excesses(fund_use)) if fund_use is not None else 0
    if cost_fen > cap + excess:
        message = (
            _(
                "结算金额 %(cost)s 元超过该事项的费用上限 %(cap)s 元，"
                "超出上限的费用不能按紧急维修列支。"
            )
            % {"cost": yuan(cost_fen), "cap": yuan(cap + excess)}
            + normal_procedure_text()
        )
        raise DomainError("over_cap", message, fields={"final_cost": message})


def application_excess_approve(
    *, application: EmergencyApplication, cost_fen: int, actor, note: str = ""
):
    """The approver consents to settling above the approved estimate (RULES.md §5); the cap
    still holds (``cost_check``): above it only a supplementary owners' vote."""
    permissions.require(actor, INSTRUCT, application)
    cost_check(application, cost_fen)
    return settlement_excess_approve(
        fund_use=fund_use_of(application), cost_fen=cost_fen, actor=actor, note=note
    )


def application_supplementary_vote_create(
    *,
    application: EmergencyApplication,
    excess_fen: int,
    reason: str,
    opens_at: datetime,
    closes_at: datetime,
    actor,
) -> SupplementaryVote:
    """Put a final cost above the item's cap to the owners of the 列支范围 (RULES.md §5
    fallback): the excess over the cap (plus excesses already approved) is voted on."""
    return supplementary_vote_create(
        fund_use=fund_use_of(application),
        excess_fen=excess_fen,
        reason=reason,
        opens_at=opens_at,
        closes_at=closes_at,
        actor=actor,
        base_fen=application.item.cap_fen,
    )


def apportionment_preview(application: EmergencyApplication, cost_fen: int):
    """Each unit's share of ``cost_fen`` and what its sub-ledger can pay now (nothing written)."""
    cost_check(application, cost_fen)
    return funds_apportionment.apportionment_preview(
        fund_use=fund_use_of(application), cost_fen=cost_fen
    )


def application_settle(
    *,
    application: EmergencyApplication,
    actor,
    final_cost_fen: int,
    settled_on: date,
    evidence: Sequence[Upload] = (),
    over_budget_reason: str = "",
    now: datetime | None = None,
    audit_report=None,
    warranty_ends_on: date | None = None,
) -> EmergencyApplication:
    """Settle the accepted works and apportion the cost (accepted → settled).

    The apportionment, the shortfall policy (a sub-ledger is charged what it
    holds, the rest owed and reported), the 审价 report, the 质保金 and the
    ledger postings are the funds app's ``fund_use_settle``; a cost above the
    estimate needs a reason there and the approver's consent here (two above
    the threshold, RULES.md §5), one above the item's cap is refused unless a
    supplementary owners' vote approved the excess.
    """
    permissions.require(actor, SETTLE, application)
    files = evidence_clean(
        None, [(EvidenceKind.SETTLEMENT, u) for u in evidence], stage_kinds=EvidenceKind.values
    )
    now = now or timezone.now()
    fund_use = fund_use_of(application)
    with transaction.atomic():
        fund_use_lock(fund_use)
        locked = application_lock(application)
        if locked.status != Status.ACCEPTED:
            raise Conflict(
                "not_accepted",
                _("申请当前状态为“%(status)s”，须验收后才能结算。")
                % {"status": locked.get_status_display()},
            )
        cost_check(locked, final_cost_fen)
        excess_approvals_check(fund_use, final_cost_fen, actor)
        if not files and not locked.evidence.filter(kind=EvidenceKind.SETTLEMENT).exists():
            message = _("请上传维修结算书（发票）。")
            raise DomainError(
                "missing_evidence",
                message,
                fields={f"evidence_{EvidenceKind.SETTLEMENT}": message},
            )
        settled = funds_settlement.fund_use_settle(
            fund_use=fund_use,
            final_cost_fen=final_cost_fen,
            actor=actor,
            over_budget_reason=over_budget_reason,
            settled_on=settled_on,
            base_fen=locked.item.cap_fen,
            audit_report=audit_report,
            warranty_ends_on=warranty_ends_on,
        )
        evidence_store(locked, files, actor)
        return transition(
            locked,
            Status.SETTLED,
            actor=actor,
            action="emergency.settle",
            fields={"settled_at": now},
            summary={
                "final_cost_fen": final_cost_fen,
                "fund_use": settled.pk,
                "shortfall_fen": settled.shortfall_fen,
            },
        )
