"""Refusal paths of the money steps (issue #7 acceptance): duplicate or excess payment
instructions, confirmations, settlement above budget, pending payments, shortfalls."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.errors import DomainError
from funds.ledger import selectors, services
from funds.models import (
    Account,
    FundApplication,
    FundUse,
    PaymentInstruction,
    Transaction,
)
from funds.procedure import services as procedure

from .app_helpers import (
    BUDGET,
    PAYABLE,
    RETENTION,
    accepted,
    approved,
    check_ledger,
    estate_fixture,  # noqa: F401
    paid,
    second_approver_fixture,  # noqa: F401
)

Status = FundApplication.Status


def instruct(application, approver, *, amount=PAYABLE, key="PAY-1", **kwargs):
    return procedure.payment_instruct(
        fund_use=application.fund_use,
        amount_fen=amount,
        payee_name=kwargs.get("payee_name", "宿州某防水工程有限公司"),
        payee_bank="中国建设银行宿州分行",
        payee_account="6217000000000000001",
        key=key,
        actor=approver,
    )


# --------------------------------------------------------------------------- payment


def test_the_same_instruction_twice_is_one_instruction(estate, personas, verified):
    application = approved(estate, personas, verified)
    approver = verified(personas.approver)
    first = instruct(application, approver)
    again = instruct(application, approver)
    assert again.pk == first.pk and PaymentInstruction.objects.count() == 1


def test_a_reused_key_with_other_content_is_refused(estate, personas, verified):
    application = approved(estate, personas, verified)
    approver = verified(personas.approver)
    instruct(application, approver, amount=BUDGET // 2)
    with pytest.raises(DomainError) as refused:
        instruct(application, approver, amount=BUDGET // 2 + 1)
    assert refused.value.code == "idempotency_conflict"


def test_a_second_instruction_beyond_the_approved_amount_is_refused(estate, personas, verified):
    """Before settlement: the approved amount less the 质保金 on it (5 %: 95,000.00 元)."""
    application = approved(estate, personas, verified)
    approver = verified(personas.approver)
    instruct(application, approver, amount=PAYABLE - 1, key="PAY-1")
    instruct(application, approver, amount=1, key="PAY-2")  # exactly budget − retention
    with pytest.raises(DomainError) as refused:
        instruct(application, approver, amount=1, key="PAY-3")
    assert refused.value.code == "over_budget"
    assert PaymentInstruction.objects.count() == 2


def test_a_cancelled_instruction_frees_its_amount(estate, personas, verified):
    application = approved(estate, personas, verified)
    approver = verified(personas.approver)
    first = instruct(application, approver, key="PAY-1")
    procedure.payment_cancel(instruction=first, reason="收款账号有误", actor=approver)
    second = instruct(application, approver, key="PAY-2")
    assert second.status == PaymentInstruction.Status.INSTRUCTED


def test_a_confirmation_repeated_posts_once_and_another_reference_is_refused(
    estate, personas, verified
):
    application = approved(estate, personas, verified)
    instruction = instruct(application, verified(personas.approver))
    today = timezone.localdate()
    for _ in range(2):
        procedure.payment_confirm(
            instruction=instruction, bank_reference="R1", paid_on=today, actor=personas.reviewer
        )
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYMENT).count() == 1
    with pytest.raises(DomainError) as refused:
        procedure.payment_confirm(
            instruction=instruction, bank_reference="R2", paid_on=today, actor=personas.reviewer
        )
    assert refused.value.code == "already_confirmed"
    check_ledger()


# --------------------------------------------------------------------------- settlement


def test_settlement_above_the_budget_without_tolerance_is_refused_even_with_a_reason(
    estate, personas, verified
):
    """RULES §4 "use": the budget is the ceiling (N = 0); a reason no longer lifts it."""
    application = accepted(estate, personas, verified)
    for reason in ("", "施工中发现女儿墙泛水损坏，经业委会现场确认增加。"):
        with pytest.raises(DomainError) as refused:
            procedure.application_settle(
                application=application,
                actor=personas.reviewer,
                final_cost_fen=BUDGET + 1,
                over_budget_reason=reason,
            )
        assert refused.value.code == "over_ceiling"
    assert not application.fund_use.shares.exists()
    application.fund_use.refresh_from_db()
    assert application.fund_use.status == FundUse.Status.OPEN


def test_settlement_at_exactly_the_budget_needs_no_reason(estate, personas, verified):
    application = accepted(estate, personas, verified)
    settled = procedure.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=BUDGET
    )
    assert settled.fund_use.over_budget_reason == ""
    # Paid 95,000.00; the 5,000.00 元 质保金 is still owed to the contractor, held back.
    assert settled.fund_use.retention_fen == RETENTION
    assert selectors.balance(selectors.account_of(estate.area, Account.Kind.PAYABLE)) == RETENTION
    assert selectors.balance(selectors.account_of(estate.area, Account.Kind.WORKS)) == 0


def test_settlement_waits_for_acceptance(estate, personas, verified):
    application = paid(estate, personas, verified)
    with pytest.raises(DomainError) as refused:
        procedure.application_settle(
            application=application, actor=personas.reviewer, final_cost_fen=BUDGET
        )
    assert refused.value.code == "not_accepted"


def test_settlement_waits_for_pending_instructions(estate, personas, verified):
    application = accepted(estate, personas, verified, amount=BUDGET // 2)
    instruct(application, verified(personas.approver), amount=1000, key="PAY-LATE")
    with pytest.raises(DomainError) as refused:
        procedure.application_settle(
            application=application, actor=personas.reviewer, final_cost_fen=BUDGET
        )
    assert refused.value.code == "payment_pending"


def test_the_rest_owed_after_settlement_is_paid_from_payable(estate, personas, verified):
    application = accepted(estate, personas, verified, amount=BUDGET // 2)
    procedure.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=BUDGET
    )
    payable = selectors.account_of(estate.area, Account.Kind.PAYABLE)
    assert selectors.balance(payable) == BUDGET // 2
    approver = verified(personas.approver)
    rest_fen = BUDGET // 2 - RETENTION  # 45,000.00 元: the 质保金 stays held
    with pytest.raises(DomainError):
        instruct(application, approver, amount=rest_fen + 1, key="PAY-REST-X")
    rest = instruct(application, approver, amount=rest_fen, key="PAY-REST")
    procedure.payment_confirm(
        instruction=rest, bank_reference="R9", paid_on=timezone.localdate(), actor=personas.reviewer
    )
    assert selectors.balance(payable) == RETENTION
    check_ledger()


def test_a_shortfall_is_charged_what_the_sub_ledger_holds_and_reported(
    district, personas, verified
):
    from .app_helpers import build_estate

    estate = build_estate(district, developer_deposit=50_000)  # 500.00 元 in 901
    # Only what every sub-ledger can bear is paid before settlement (2,000.00 元: 901's share
    # of it is 412.58 元 ≤ 500.00 元); the rest waits for the shortfall (RULES.md §4).
    application = accepted(estate, personas, verified, amount=200_000)
    procedure.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=BUDGET
    )
    fund_use = FundUse.objects.get()
    share = fund_use.shares.get(unit_code="9栋-1单元-901")
    # 100.00 of 484.75 m²: floor(10,000,000 × 100.00 / 484.75) = 2,062,919 fen; its remainder
    # (0.03) is the smallest of the five, so it gets none of the left-over fen.
    assert share.share_fen == 2_062_919
    assert share.charged_fen == 50_000
    assert share.outstanding_fen == share.share_fen - 50_000 == fund_use.shortfall_fen
    unit = estate.unit("9栋-1单元-901")
    assert selectors.balance(selectors.unit_account(unit)) == 0  # never negative
    works = selectors.account_of(estate.area, Account.Kind.WORKS)
    assert selectors.balance(works) == fund_use.shortfall_fen
    check_ledger()

    # Nothing to collect while the sub-ledger is empty; after the developer pays, it is charged.
    with pytest.raises(DomainError) as refused:
        procedure.shortfall_collect(share=share, actor=personas.reviewer)
    assert refused.value.code == "insufficient_balance"
    services.deposit_record(
        unit=unit,
        amount_fen=3_000_000,
        paid_on=timezone.localdate(),
        key="dev-topup",
        actor=None,
    )
    procedure.shortfall_collect(share=share, actor=personas.reviewer)
    share.refresh_from_db()
    assert share.outstanding_fen == 0
    assert selectors.balance(works) == 0
    assert selectors.balance(selectors.unit_account(unit)) == 3_000_000 - (share.share_fen - 50_000)
    with pytest.raises(DomainError) as refused:
        procedure.shortfall_collect(share=share, actor=personas.reviewer)
    assert refused.value.code == "nothing_owed"
    check_ledger()


def test_publication_waits_for_settlement(estate, personas, verified):
    application = accepted(estate, personas, verified)
    with pytest.raises(DomainError) as refused:
        procedure.application_publish(application=application, actor=verified(personas.approver))
    assert refused.value.code == "not_settled"
