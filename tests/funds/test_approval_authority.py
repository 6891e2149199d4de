"""Who approves and instructs, and how many (RULES.md §4; Order 165 arts. 22–23).

- Two distinct approvers when the cumulative amount instructed for one use
  exceeds ``GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN`` (strictly above), checked
  at every instruction: here the threshold is the budget, 100,000.00 元, so
  one approver approves the application; the settlement comes out one fen
  above it, and the instruction that brings the cumulative total to
  100,000.01 元 needs a second approver's countersignature first.
- Bureau custody (代管): the bureau reviews, approves and instructs.
  Assembly custody (art. 23): the committee does, files the approval with the
  bureau (备案), and the bureau may order a correction, which stops
  instructions until the committee reports it corrected.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from funds.ledger import selectors, services
from funds.models import FundApplication, FundUseCountersign, PaymentInstruction, UseFiling
from funds.procedure import services as procedure
from funds.procedure.selectors.approval import split_flag
from tests.factories import UserFactory, grant

from .app_helpers import (
    ALL_APPROVE,
    BUDGET,
    DEPOSIT,
    accepted,
    approved,
    check_ledger,
    estate_fixture,  # noqa: F401
    finalise_without_pdf,
    instruct,
    propose,
    put_to_vote,
    review,
    reviewed,
    run_vote,
    second_approver_fixture,  # noqa: F401
)


@pytest.fixture(autouse=True)
def _no_retention(settings):
    # These tests instruct the whole budget; the 质保金 held back from it is
    # tested in test_settlement_ceiling.py (RULES.md §4 "use").
    settings.GONGZHI_FUND_RETENTION_PCT = 0


Status = FundApplication.Status
FIRST = 6_000_000  # 60,000.00 元, confirmed before the works are accepted


def _confirm(instruction, actor, reference):
    return procedure.payment_confirm(
        instruction=instruction,
        bank_reference=reference,
        paid_on=timezone.localdate(),
        actor=actor,
    )


def _settled_one_fen_over(estate, personas, verified):
    """Approved by one approver (budget = threshold), 60,000.00 paid, settled at budget + 1 fen."""
    application = accepted(estate, personas, verified, amount=FIRST, tolerance=1)
    assert application.approvals.count() == 1
    procedure.application_settle(
        application=application,
        actor=personas.reviewer,
        final_cost_fen=BUDGET + 1,
        over_budget_reason="结算审计增加一分钱的材料差价。",
    )
    application.refresh_from_db()
    return application


# --------------------------------------------------------------------------- cumulative amount


def test_exactly_at_the_threshold_one_approver_instructs_the_cumulative_amount(
    estate, personas, verified, settings
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET
    application = approved(estate, personas, verified)
    assert application.required_approvals == 1
    approver = verified(personas.approver)
    instruct(application.fund_use, approver, amount=FIRST, key="PAY-1")
    second = instruct(application.fund_use, approver, amount=BUDGET - FIRST, key="PAY-2")
    assert second.amount_fen == 4_000_000
    assert sum(p.amount_fen for p in application.fund_use.payments.all()) == BUDGET


def test_one_fen_over_the_threshold_cumulative_needs_a_second_approver(
    estate, personas, verified, settings, second_approver
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET
    application = _settled_one_fen_over(estate, personas, verified)
    fund_use = application.fund_use
    approver = verified(personas.approver)

    with pytest.raises(DomainError) as refused:
        instruct(fund_use, approver, amount=BUDGET + 1 - FIRST, key="PAY-2")
    assert refused.value.code == "second_approver_needed"
    assert "100,000.01" in refused.value.message and "100,000.00" in refused.value.message
    assert fund_use.payments.count() == 1

    # The approver who approved cannot countersign their own approval.
    with pytest.raises(DomainError) as again:
        procedure.fund_use_countersign(fund_use=fund_use, actor=approver)
    assert again.value.code == "already_approved"
    # A reviewer is no approver.
    with pytest.raises(PermissionDeniedError):
        procedure.fund_use_countersign(fund_use=fund_use, actor=personas.reviewer)
    assert FundUseCountersign.objects.count() == 0

    sign = procedure.fund_use_countersign(
        fund_use=fund_use,
        actor=verified(second_approver),
        note="已核对结算审计报告。",
    )
    assert AuditEvent.objects.filter(action="fund_use.countersign").get().summary[
        "approvers"
    ] == sorted([personas.approver.pk, second_approver.pk])
    assert sign.cumulative_fen == 6_000_000  # instructed when it was signed

    rest = instruct(fund_use, approver, amount=BUDGET + 1 - FIRST, key="PAY-2")
    assert rest.amount_fen == 4_000_001
    _confirm(rest, personas.reviewer, "ICBC-2")
    check_ledger()


def test_the_second_approver_may_not_be_the_reviewer_holding_both_roles(
    estate, personas, verified, settings
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET
    application = _settled_one_fen_over(estate, personas, verified)
    grant(personas.reviewer, Role.BUREAU_APPROVER)
    both = verified(personas.reviewer)
    with pytest.raises(DomainError) as refused:
        procedure.fund_use_countersign(fund_use=application.fund_use, actor=both)
    assert refused.value.code == "maker_checker"
    # Nor may the reviewer instruct (maker ≠ checker holds at every instruction).
    with pytest.raises(DomainError) as refused:
        instruct(application.fund_use, both, amount=1, key="PAY-X")
    assert refused.value.code == "maker_checker"
    assert FundUseCountersign.objects.count() == 0
    assert application.fund_use.payments.count() == 1


def test_a_lowered_threshold_applies_at_the_next_instruction(
    estate, personas, verified, settings, second_approver
):
    """The rule is read at each instruction, not frozen at approval (one fen each side)."""
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET
    application = approved(estate, personas, verified)
    approver = verified(personas.approver)
    instruct(application.fund_use, approver, amount=FIRST, key="PAY-1")
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = FIRST + 1
    instruct(application.fund_use, approver, amount=1, key="PAY-2")  # 60,000.01: at the limit
    with pytest.raises(DomainError) as refused:
        instruct(application.fund_use, approver, amount=1, key="PAY-3")  # 60,000.02
    assert refused.value.code == "second_approver_needed"
    procedure.fund_use_countersign(fund_use=application.fund_use, actor=verified(second_approver))
    instruct(application.fund_use, approver, amount=1, key="PAY-3")
    assert PaymentInstruction.objects.count() == 3


# --------------------------------------------------------------------------- split flag


def test_the_approver_is_shown_and_the_approval_keeps_the_split_flag(estate, personas, verified):
    earlier = propose(estate, personas.property_staff, budget=BUDGET)
    FundApplication.objects.filter(pk=earlier.pk).update(
        status=Status.APPROVED, created_at=timezone.now() - timedelta(days=89)
    )
    application = reviewed(estate, personas)
    flag = split_flag(application)
    assert [a.pk for a in flag.suspects] == [earlier.pk]
    assert flag.combined_fen == 2 * BUDGET and flag.over_threshold is False
    procedure.application_approve(application=application, actor=verified(personas.approver))
    event = AuditEvent.objects.filter(action="fund_application.approval").get()
    assert event.summary["split_with"] == [earlier.pk]


# --------------------------------------------------------------------------- regimes


def test_under_bureau_custody_the_committee_neither_reviews_nor_approves(
    estate, personas, verified
):
    application = reviewed(estate, personas)
    with pytest.raises(PermissionDeniedError):
        procedure.application_approve(application=application, actor=personas.committee)
    application = procedure.application_approve(
        application=application, actor=verified(personas.approver)
    )
    with pytest.raises(PermissionDeniedError):
        instruct(application.fund_use, personas.committee)
    assert not UseFiling.objects.exists()


@pytest.fixture(name="assembly_custody")
def assembly_custody_fixture(estate):
    services.custody_transfer(
        area=estate.area,
        to_regime="assembly",
        bank_name="中国建设银行宿州分行",
        account_no="3400000000000000002",
        actor=None,
    )
    return estate


@pytest.fixture(name="members")
def members_fixture(estate, personas):
    """Two more members of a1's committee (the reviewer is ``personas.committee``)."""
    people = []
    for name in ("committee_a1_2", "committee_a1_3"):
        user = UserFactory(username=name)
        grant(user, Role.COMMITTEE_MEMBER, estate.area)
        people.append(user)
    return people


def _submitted(estate, personas, *, budget=BUDGET):
    application = propose(estate, personas.property_staff, budget=budget)
    application = put_to_vote(application, personas.committee)
    run_vote(estate, application, personas.committee, answers=ALL_APPROVE)
    finalise_without_pdf(application.assembly)
    return procedure.application_vote_conclude(application=application, actor=personas.committee)


def test_under_assembly_custody_the_committee_approves_instructs_and_files(
    assembly_custody, personas, verified, members
):
    estate = assembly_custody
    reviewer_member, approver_member = personas.committee, members[0]
    application = _submitted(estate, personas)

    # The bureau no longer reviews or approves here.
    with pytest.raises(PermissionDeniedError):
        review(application, personas.reviewer)
    application = review(application, reviewer_member)
    assert application.status == Status.REVIEWED and application.required_approvals == 1
    with pytest.raises(PermissionDeniedError):
        procedure.application_approve(application=application, actor=verified(personas.approver))
    # Maker ≠ checker among committee members too.
    with pytest.raises(DomainError) as refused:
        procedure.application_approve(application=application, actor=reviewer_member)
    assert refused.value.code == "maker_checker"

    application = procedure.application_approve(application=application, actor=approver_member)
    assert application.status == Status.APPROVED
    filing = UseFiling.objects.get(application=application)
    assert filing.status == UseFiling.Status.FILED and filing.filed_by == approver_member

    # The committee instructs the bank; the bureau approver cannot.
    with pytest.raises(PermissionDeniedError):
        instruct(application.fund_use, verified(personas.approver), key="PAY-B")
    with pytest.raises(DomainError) as refused:
        instruct(application.fund_use, reviewer_member, key="PAY-R")
    assert refused.value.code == "maker_checker"
    first = instruct(application.fund_use, approver_member, amount=FIRST, key="PAY-1")

    # The bureau receives the filing, then orders a correction: instructions stop.
    with pytest.raises(PermissionDeniedError):
        procedure.filing_receive(filing=filing, actor=approver_member)
    filing = procedure.filing_receive(filing=filing, actor=verified(personas.reviewer))
    assert filing.status == UseFiling.Status.RECEIVED
    filing = procedure.filing_order_correction(
        filing=filing, actor=verified(personas.approver), order="施工合同未附工程量清单，请补正。"
    )
    assert filing.status == UseFiling.Status.CORRECTION
    with pytest.raises(DomainError) as refused:
        instruct(application.fund_use, approver_member, amount=BUDGET - FIRST, key="PAY-2")
    assert refused.value.code == "correction_ordered"
    assert application.fund_use.payments.count() == 1

    # The committee reports the correction; money may move again.
    with pytest.raises(PermissionDeniedError):
        procedure.filing_reply(filing=filing, actor=personas.reviewer, reply="x")
    filing = procedure.filing_reply(
        filing=filing, actor=reviewer_member, reply="已补充工程量清单并报住建局。"
    )
    assert filing.status == UseFiling.Status.CORRECTED
    second = instruct(application.fund_use, approver_member, amount=BUDGET - FIRST, key="PAY-2")

    # The committee records the bank's word; the assembly's account pays.
    with pytest.raises(PermissionDeniedError):
        _confirm(first, personas.reviewer, "CCB-1")
    _confirm(first, members[1], "CCB-1")
    _confirm(second, members[1], "CCB-2")
    assert selectors.balance(selectors.bank_account(estate.area)) == 5 * DEPOSIT - BUDGET
    assert selectors.bank_account(estate.area).regime == "assembly"
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="fund_use.")] == [
        "fund_use.open",
        "fund_use.basis_freeze",  # the roll's units and areas, frozen at approval (§4)
        "fund_use.file",
        "fund_use.filing_receive",
        "fund_use.filing_correction",
        "fund_use.filing_reply",
    ]
    check_ledger()


def test_under_assembly_custody_two_committee_members_above_the_threshold(
    assembly_custody, personas, settings, members
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET - 1
    application = review(_submitted(assembly_custody, personas), personas.committee)
    assert application.required_approvals == 2
    application = procedure.application_approve(application=application, actor=members[0])
    assert application.status == Status.REVIEWED
    assert not UseFiling.objects.exists()
    application = procedure.application_approve(application=application, actor=members[1])
    assert application.status == Status.APPROVED
    assert UseFiling.objects.get().filed_by == members[1]
    instruction = instruct(application.fund_use, members[0], amount=BUDGET, key="PAY-1")
    assert instruction.amount_fen == BUDGET
