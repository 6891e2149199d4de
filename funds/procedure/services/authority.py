"""Who may authorise money out of the fund, and how many of them (RULES.md §4).

**Who, by custody regime** (Order 165 arts. 22–23):

- under bureau custody (代管, art. 22): the bureau reviews
  (``application.review``, a bureau reviewer), approves and instructs the
  bank (``application.approve``, a bureau approver after TOTP); a bureau
  reviewer records the bank's confirmation (``payment.confirm``);
- under the assembly's own account (art. 23): the committee reviews and
  approves ("业主委员会依据使用方案审核同意"), instructs the bank ("向专户管理银行
  发出划转……的通知") and records its confirmation — every step
  ``application.committee_approve``, each by a committee member — and files the
  approved use with the bureau (备案, ``UseFiling``); the bureau receives it
  and may order a correction (责令改正, ``fund.filing``), which stops further
  instructions until the committee reports the correction.

Emergency repairs and 代修 stay with the bureau in both regimes (RULES.md §5).
In both regimes maker ≠ checker: the reviewer, the approvers and whoever
instructs are distinct from the applicant, and the approvers from the reviewer.

**How many**: two distinct approvers when the cumulative amount instructed
for one use exceeds ``GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN`` ("超过": strictly
above; default 200,000.00 元), checked at every instruction under the use's
row lock (``instruction_authorise``), not only on the budget at approval: a
use approved by one person whose instructions grow past the threshold (a
settlement above budget, a second instalment) needs a second approver's
countersignature (``fund_use_countersign``) first. Exactly at the threshold
one approver suffices.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.money import yuan
from core.text import clean_text
from funds.models import FundApplication, FundUse, FundUseCountersign, UseFiling
from funds.procedure.selectors.approval import (
    APPROVE,
    BUREAU_ACTIONS,
    COMMITTEE_ACTION,
    CONFIRM,  # noqa: F401 (re-exported)
    DEFAULT_TWO_APPROVERS_ABOVE_FEN,  # noqa: F401 (re-exported)
    REVIEW,  # noqa: F401 (re-exported)
    committee_decides,
    fund_use_approvers,
    fund_use_makers,
    fund_use_people_register,  # noqa: F401 (the registry's door for other apps)
    two_approvers_above_fen,
)
from funds.procedure.services.fund_use import fund_use_lock, live_total
from funds.procedure.services.steps import transition

FILING_ACTION = "fund.filing"
APPLICATION = FundUse.Source.APPLICATION


def approvals_needed(amount_fen: int) -> int:
    """Two distinct approvers strictly above the setting's amount, else one."""
    return 2 if amount_fen > two_approvers_above_fen() else 1


def step_action(area, step: str, *, source: str = APPLICATION) -> str:
    """The permission a procedure step needs in ``area``'s custody regime (module docstring)."""
    if committee_decides(area, source):
        return COMMITTEE_ACTION
    return BUREAU_ACTIONS[step]


def step_require(actor, area, step: str, *, source: str = APPLICATION) -> None:
    permissions.require(actor, step_action(area, step, source=source), area)


def step_can(actor, area, step: str, *, source: str = APPLICATION) -> bool:
    return permissions.can(actor, step_action(area, step, source=source), area)


# --------------------------------------------------------------------------- instructions


def instruction_authorise(fund_use: FundUse, *, actor, cumulative_fen: int) -> None:
    """Called by ``payment_instruct`` under the FundUse's row lock, with the cumulative
    amount the instruction would bring the use to (live instructions plus this one).

    Refuses: the applicant or the reviewer instructing (maker ≠ checker); an
    open correction order of the bureau on the filing (art. 23); a cumulative
    amount above the threshold with fewer than two distinct approvers.
    """
    if getattr(actor, "pk", None) in fund_use_makers(fund_use):
        raise DomainError(
            "maker_checker", _("申请人或审核人不能发出本事项的划款指令（审核与审批须分离）。")
        )
    filing = UseFiling.objects.filter(fund_use=fund_use).first()
    if filing is not None and filing.status in UseFiling.BLOCKING:
        raise Conflict(
            "correction_ordered",
            _("住建局已责令改正（%(order)s），改正并报告前不能发出划款通知。")
            % {"order": filing.correction_order},
        )
    threshold = two_approvers_above_fen()
    if cumulative_fen > threshold and len(fund_use_approvers(fund_use)) < 2:
        message = _(
            "累计划款将达 %(total)s 元，超过 %(limit)s 元，须由两名不同的审批人批准；"
            "请另一名审批人先复核批准本事项。"
        ) % {"total": yuan(cumulative_fen), "limit": yuan(threshold)}
        raise DomainError("second_approver_needed", message, fields={"amount_fen": message})


def fund_use_countersign(*, fund_use: FundUse, actor, note: str = "") -> FundUseCountersign:
    """A second (further) approver signs off the use (module docstring).

    The same permission as approving in the use's regime; never the applicant,
    the reviewer, or someone who already approved or countersigned it.
    """
    step_require(actor, fund_use.area, APPROVE, source=fund_use.source)
    note = clean_text(note, field="note", required=False, limit=2000, multiline=True)
    with transaction.atomic():
        locked = fund_use_lock(fund_use)
        if locked.status == FundUse.Status.PUBLISHED:
            raise Conflict("published", _("该事项已结算公示，无需复核。"))
        if actor.pk in fund_use_makers(locked):
            raise DomainError(
                "maker_checker", _("审批人不能是本事项的审核人或申请人（审核与审批须分离）。")
            )
        if actor.pk in fund_use_approvers(locked):
            raise Conflict("already_approved", _("您已审批过本事项，须由另一名审批人复核批准。"))
        try:
            with transaction.atomic():
                sign = FundUseCountersign.objects.create(
                    fund_use=locked,
                    approver=actor,
                    cumulative_fen=live_total(locked),
                    note=note,
                )
        except IntegrityError:  # pragma: no cover - the row lock above serialises signers
            raise Conflict(
                "already_approved", _("您已审批过本事项，须由另一名审批人复核批准。")
            ) from None
        approvers = fund_use_approvers(locked)
        audit_record(
            actor=actor,
            action="fund_use.countersign",
            obj=sign,
            after={"approver": actor.pk, "approvers": len(approvers)},
            summary={
                "fund_use": locked.pk,
                "approvers": sorted(approvers),
                "cumulative_fen": sign.cumulative_fen,
            },
        )
    return sign


# --------------------------------------------------------------------------- filing (备案)


def filing_create(*, application: FundApplication, fund_use: FundUse, actor) -> UseFiling:
    """File the committee's approval with the bureau (art. 23 (5)); inside that approval."""
    filing = UseFiling.objects.create(application=application, fund_use=fund_use, filed_by=actor)
    audit_record(
        actor=actor,
        action="fund_use.file",
        obj=filing,
        after={"status": filing.status},
        summary={"application": application.pk, "fund_use": fund_use.pk},
    )
    return filing


def _filing_lock(filing: UseFiling) -> UseFiling:
    # Lock order: the FundUse first (as payment_instruct), then the filing.
    fund_use_lock(filing.fund_use)
    return UseFiling.objects.select_for_update().select_related("application").get(pk=filing.pk)


def filing_receive(*, filing: UseFiling, actor) -> UseFiling:
    """The bureau records the filing (备案), or accepts the committee's correction."""
    permissions.require(actor, FILING_ACTION, filing)
    with transaction.atomic():
        locked = _filing_lock(filing)
        return transition(
            locked,
            UseFiling.Status.RECEIVED,
            actor=actor,
            action="fund_use.filing_receive",
            fields={"received_at": timezone.now(), "received_by": actor},
            summary={"application": locked.application_id},
        )


def filing_order_correction(*, filing: UseFiling, actor, order: str) -> UseFiling:
    """The bureau orders a correction (责令改正, art. 23 (5)); instructions stop until answered."""
    permissions.require(actor, FILING_ACTION, filing)
    order = clean_text(order, field="order", limit=2000, multiline=True)
    with transaction.atomic():
        locked = _filing_lock(filing)
        return transition(
            locked,
            UseFiling.Status.CORRECTION,
            actor=actor,
            action="fund_use.filing_correction",
            fields={"correction_order": order, "ordered_at": timezone.now(), "ordered_by": actor},
            summary={"application": locked.application_id},
        )


def filing_reply(*, filing: UseFiling, actor, reply: str) -> UseFiling:
    """The committee reports the correction made; the bureau may receive it or order again."""
    permissions.require(actor, COMMITTEE_ACTION, filing)
    reply = clean_text(reply, field="reply", limit=2000, multiline=True)
    with transaction.atomic():
        locked = _filing_lock(filing)
        return transition(
            locked,
            UseFiling.Status.CORRECTED,
            actor=actor,
            action="fund_use.filing_reply",
            fields={"correction_reply": reply, "replied_at": timezone.now(), "replied_by": actor},
            summary={"application": locked.application_id},
        )
