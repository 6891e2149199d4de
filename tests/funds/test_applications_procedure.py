"""The whole use procedure end to end (issue #7 acceptance), the ledger whole after every step."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError
from funds.apportion import apportion
from funds.ledger import selectors
from funds.models import Account, FundApplication, FundUse, PaymentInstruction, PostingNotice
from funds.procedure import services
from publications.models import Kind, Publication
from tests.signing import publishing_fixture, signing_dir_fixture  # noqa: F401 - fixtures
from voting import services as voting

from .app_helpers import (
    ALL_APPROVE,
    BUDGET,
    DEPOSIT,
    DEVELOPER_UNIT,
    PAYABLE,
    check_ledger,
    estate_fixture,  # noqa: F401
    pdf,
    png,
    propose,
    put_to_vote,
    review,
    run_vote,
)

Status = FundApplication.Status
AREAS = {
    "1栋-1单元-101": "89.50",
    "1栋-1单元-102": "100.00",
    "1栋-1单元-103": "120.25",
    "1栋-1单元-104": "75.00",
    DEVELOPER_UNIT: "100.00",
}


def test_the_whole_procedure_runs_from_proposal_to_signed_publication(
    estate,
    personas,
    verified,
    publishing,
):
    staff, committee, reviewer = personas.property_staff, personas.committee, personas.reviewer
    approver = verified(personas.approver)
    check_ledger()

    # Proposal by the property company, with items and a quote.
    application = propose(estate, staff)
    assert application.status == Status.DRAFT and application.budget_fen == BUDGET

    # The committee puts it to the owners of the scope; the ballot carries item 5.
    application = put_to_vote(application, committee)
    assert application.status == Status.VOTING
    assembly = application.assembly
    assert assembly.scope_buildings == ["1栋"] and assembly.scope_unit_codes == [DEVELOPER_UNIT]
    assert application.motion.item == 5 and application.motion.kind == "ordinary"
    assert application.motion.fund["budget_fen"] == BUDGET
    assert assembly.attachments.count() == 1

    # The vote: four of five rights approve; counted, preliminary and final notices signed.
    run_vote(estate, application, committee, answers=ALL_APPROVE)
    assembly = voting.assembly_result_publish(assembly=assembly, actor=committee)
    with pytest.raises(DomainError) as pending:  # not final yet: the objection period runs
        services.application_vote_conclude(application=application, actor=committee)
    assert pending.value.code == "vote_pending"
    later = assembly.objection_deadline + timezone.timedelta(minutes=1)
    assembly = voting.assembly_finalise(assembly=assembly, actor=committee, now=later)
    application = services.application_vote_conclude(application=application, actor=committee)
    assert application.status == Status.SUBMITTED

    # Review with the checklist; 1栋 completed 2015: out of the 5-year waterproofing warranty.
    application = review(application, reviewer)
    assert application.status == Status.REVIEWED
    assert application.in_warranty is False
    assert application.warranty["1栋"] == ["out", "2015-06-30", "2020-06-30"]
    assert application.required_approvals == 1  # 100,000.00 元 ≤ 200,000.00 元

    # Approval by another person opens the money record.
    application = services.application_approve(application=application, actor=approver)
    assert application.status == Status.APPROVED
    fund_use = application.fund_use
    assert fund_use.status == FundUse.Status.OPEN and fund_use.budget_fen == BUDGET
    check_ledger()

    # Payment instruction, exported for the bank, confirmed by the bank.
    # At most the approved amount less the 5 % 质保金 before settlement: 95,000.00 元.
    instruction = services.payment_instruct(
        fund_use=fund_use,
        amount_fen=PAYABLE,
        payee_name="宿州某防水工程有限公司",
        payee_bank="中国建设银行宿州分行",
        payee_account="6217 0000 0000 0000 001",
        key="PAY-1",
        actor=approver,
    )
    data = services.payment_file_export(instructions=[instruction], actor=approver)
    assert "PAY-1" in data.decode("utf-8-sig") and "95000.00" in data.decode("utf-8-sig")
    bank_before = selectors.balance(selectors.bank_account(estate.area))
    services.payment_confirm(
        instruction=instruction,
        bank_reference="ICBC-0001",
        paid_on=timezone.localdate(),
        actor=reviewer,
    )
    assert selectors.balance(selectors.bank_account(estate.area)) == bank_before - PAYABLE
    assert selectors.balance(selectors.account_of(estate.area, Account.Kind.WORKS)) == PAYABLE
    application.refresh_from_db()
    assert application.status == Status.PAID
    check_ledger()

    # Works, acceptance with the report and a photo.
    today = timezone.localdate()
    services.application_works_done(application=application, actor=staff, done_on=today)
    application = services.application_accept(
        application=application,
        actor=committee,
        accepted_on=today,
        note="验收合格",
        files=[
            ("acceptance_report", "验收报告", pdf("r.pdf")),
            ("acceptance_photo", "屋面", png()),
        ],
    )
    assert application.status == Status.ACCEPTED
    check_ledger()

    # Settlement at the final cost (below budget), apportioned by area to the five units.
    final = 9_876_543
    application = services.application_settle(
        application=application, actor=reviewer, final_cost_fen=final
    )
    assert application.status == Status.SETTLED
    expected = apportion(final, {code: Decimal(a) for code, a in AREAS.items()})
    shares = {s.unit_code: s.share_fen for s in application.fund_use.shares.all()}
    assert shares == expected and sum(shares.values()) == final
    for code, share in expected.items():
        unit = estate.unit(code)
        assert selectors.balance(selectors.unit_account(unit)) == DEPOSIT - share
    # Paid 95,000.00, cost 98,765.43: 3,765.43 still owed to the contractor (payable credit),
    # but the 质保金 floor(98,765.43 × 5 %) = 4,938.27 is held: the contractor owes back
    # 95,000.00 − (98,765.43 − 4,938.27) = 1,172.84 of it.
    retention = final * 5 // 100
    assert retention == 493_827 and application.fund_use.retention_fen == retention
    assert selectors.balance(selectors.account_of(estate.area, Account.Kind.PAYABLE)) == (
        final - PAYABLE
    )
    assert selectors.balance(selectors.account_of(estate.area, Account.Kind.WORKS)) == 0
    assert (
        PostingNotice.objects.filter(transaction=application.fund_use.settlement_txn).count() == 4
    )
    check_ledger()

    # The contractor pays back the difference.
    services.refund_confirm(
        fund_use=application.fund_use,
        amount_fen=PAYABLE - (final - retention),
        bank_reference="ICBC-0002",
        received_on=today,
        key="REFUND-1",
        actor=reviewer,
    )
    # What the payable account still holds is the 质保金, owed after the works' warranty.
    assert selectors.balance(selectors.account_of(estate.area, Account.Kind.PAYABLE)) == retention
    check_ledger()

    # Signed publication of the use and its apportionment.
    application = services.application_publish(application=application, actor=approver)
    assert application.status == Status.PUBLISHED
    publication = application.fund_use.publication
    assert publication.kind == Kind.FUND_USE and publication.area == estate.area
    from tests.voting.conftest import pdf_text

    text = pdf_text(publication)
    assert "1栋-1单元-103" in text and "98,765.43" in text
    assert Publication.objects.filter(kind=Kind.FUND_USE).count() == 1
    check_ledger()

    # Every transition of the application is in the audit chain.
    actions = set(
        AuditEvent.objects.filter(object_type="funds.fundapplication").values_list(
            "action", flat=True
        )
    )
    assert {
        "fund_application.create",
        "fund_application.vote_create",
        "fund_application.submit",
        "fund_application.review_pass",
        "fund_application.approve",
        "fund_application.paid",
        "fund_application.works_done",
        "fund_application.accept",
        "fund_application.settle",
        "fund_application.publish",
    } <= actions
    assert PaymentInstruction.objects.get().status == PaymentInstruction.Status.CONFIRMED

    # And the command the operators run agrees.
    out = StringIO()
    call_command("funds_check", stdout=out)
    assert out.getvalue().startswith("OK")
