"""The money side through the funds app's FundUse: gate, prepayment, settlement, publication.

a1: 101 (89.50 m²), 102 (100.00 m²), 201 (120.25 m²), each sub-ledger holding
5,000.00 yuan (bank 15,000.00). A 10,000.00-yuan repair over the whole area
is shared 288,943 / 322,841 / 388,216 fen: floors 288,942 / 322,841 / 388,216
leave 1 fen, which goes to the largest remainder (101: .6957).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from emergency import selectors, services
from emergency.models import EmergencyApplication, EvidenceKind
from emergency.services import money
from funds.integrity import ledger_check
from funds.ledger import selectors as ledger
from funds.models import Account, FundUse, PaymentInstruction

from .conftest import DEPOSIT_FEN, file_application, pdf, review

pytestmark = pytest.mark.django_db
Status = EmergencyApplication.Status
SHARES = {"1栋-1单元-101": 288_943, "1栋-1单元-102": 322_841, "2栋-1单元-201": 388_216}
PAYEE = {
    "payee_name": "宿州某管道工程有限公司",
    "payee_bank": "工商银行宿州分行",
    "payee_account": "6222000011112222",
}


def today():
    return timezone.localdate()


def approve(application, personas, verified):
    review(application, personas.reviewer)
    return services.application_approve(application=application, actor=verified(personas.approver))


def accept(application, personas):
    services.application_works_done(application=application, actor=personas.committee)
    return services.application_accept(
        application=application, actor=personas.committee, note="验收合格", evidence=[pdf("a.pdf")]
    )


def instruct(application, personas, verified, amount_fen, key="k1"):
    return services.application_payment_instruct(
        application=application,
        actor=verified(personas.approver),
        amount_fen=amount_fen,
        key=key,
        **PAYEE,
    )


def confirm(application, personas, instruction, ref="BANK-001"):
    return services.application_payment_confirm(
        application=application,
        instruction=instruction,
        actor=personas.reviewer,
        bank_reference=ref,
        paid_on=today(),
    )


def settle(application, personas, cost_fen, **kw):
    return services.application_settle(
        application=application,
        actor=personas.reviewer,
        final_cost_fen=cost_fen,
        settled_on=today(),
        evidence=kw.pop("evidence", [pdf("invoice.pdf")]),
        **kw,
    )


def balance(area, kind):
    if kind == Account.Kind.BANK:
        return ledger.balance(ledger.bank_account(area))  # the custody regime in force
    return ledger.balance(ledger.account_of(area, kind))


def unit_balances(estate) -> dict[str, int]:
    by_id = ledger.unit_balances(estate.a1)
    units = (estate.units.a1_101, estate.units.a1_102, estate.units.a1_201)
    return {u.code: by_id[u.pk] for u in units}


# --------------------------------------------------------------------------- the money record


def test_approval_opens_the_money_record_with_the_estimate_and_the_scope(
    funded, personas, verified
):
    application = file_application(
        personas.committee, funded.a1, estimate_fen=12_345_67, scope_buildings=["1栋"]
    )
    approved = approve(application, personas, verified)
    fund_use = approved.fund_use
    assert fund_use.source == FundUse.Source.EMERGENCY
    assert fund_use.source_key == f"emergency:{application.pk}"
    assert fund_use.budget_fen == 12_345_67
    assert fund_use.scope_buildings == ["1栋"]
    assert fund_use.status == FundUse.Status.OPEN


def test_a_deemed_approval_opens_it_too(funded, personas, settings):
    settings.GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE = True
    application = file_application(personas.committee, funded.a1)
    EmergencyApplication.objects.filter(pk=application.pk).update(
        review_due_at=timezone.now() - timedelta(minutes=5)
    )
    services.application_works_start(application=application, actor=personas.committee)
    application.refresh_from_db()
    assert application.deemed_approved
    assert application.fund_use.budget_fen == application.estimate_fen


def test_the_gate_refuses_money_for_an_application_that_is_not_approved(funded, personas, verified):
    application = approve(file_application(personas.committee, funded.a1), personas, verified)
    money.payment_gate(application.fund_use)  # approved: passes
    EmergencyApplication.objects.filter(pk=application.pk).update(status=Status.REFUSED)
    with pytest.raises(DomainError) as caught:
        money.payment_gate(application.fund_use)
    assert caught.value.code == "not_approved"


# --------------------------------------------------------------------------- prepayment


@pytest.fixture
def prepaid_application(funded, personas, verified):
    application = file_application(
        personas.committee, funded.a1, estimate_fen=20_000_00, prepayment_fen=4_000_00
    )
    return approve(application, personas, verified)


def test_the_prepayment_is_instructed_confirmed_and_moves_the_application_to_paid(
    prepaid_application, funded, personas, verified
):
    application = prepaid_application
    instruction = instruct(application, personas, verified, 4_000_00)
    assert instruction.status == PaymentInstruction.Status.INSTRUCTED
    rows = {row.kind: row for row in selectors.deadline_rows(application)}
    assert rows["payment"].state == "met"  # the instruction meets the payment time
    confirm(application, personas, instruction)
    application.refresh_from_db()
    assert application.status == Status.PAID
    assert balance(funded.a1, Account.Kind.BANK) == 3 * DEPOSIT_FEN - 4_000_00
    assert balance(funded.a1, Account.Kind.WORKS) == 4_000_00
    assert AuditEvent.objects.filter(action="emergency.prepaid").count() == 1


def test_a_double_submitted_instruction_is_one_instruction(prepaid_application, personas, verified):
    first = instruct(prepaid_application, personas, verified, 4_000_00, key="same")
    again = instruct(prepaid_application, personas, verified, 4_000_00, key="same")
    assert first.pk == again.pk
    assert PaymentInstruction.objects.count() == 1


def test_no_more_than_the_prepayment_before_the_works(prepaid_application, personas, verified):
    with pytest.raises(DomainError) as caught:
        instruct(prepaid_application, personas, verified, 4_000_01)
    assert caught.value.code == "over_prepayment"
    assert "尚可预拨 4,000.00 元" in caught.value.message
    instruct(prepaid_application, personas, verified, 3_000_00, key="a")
    with pytest.raises(DomainError):
        instruct(prepaid_application, personas, verified, 1_000_01, key="b")


def test_no_prepayment_when_none_was_asked_for(funded, personas, verified):
    application = approve(file_application(personas.committee, funded.a1), personas, verified)
    with pytest.raises(DomainError) as caught:
        instruct(application, personas, verified, 1_00)
    assert caught.value.code == "over_prepayment"


def test_only_approvers_instruct_and_only_reviewers_confirm(
    prepaid_application, personas, verified
):
    with pytest.raises(PermissionDeniedError):
        services.application_payment_instruct(
            application=prepaid_application,
            actor=personas.reviewer,
            amount_fen=1_00,
            key="x",
            **PAYEE,
        )
    instruction = instruct(prepaid_application, personas, verified, 1_00)
    with pytest.raises(PermissionDeniedError):
        services.application_payment_confirm(
            application=prepaid_application,
            instruction=instruction,
            actor=personas.committee,
            bank_reference="X",
            paid_on=today(),
        )


# --------------------------------------------------------------------------- settlement


def test_settlement_charges_each_unit_its_share_and_the_rest_is_paid_after(
    funded, personas, verified
):
    application = approve(file_application(personas.committee, funded.a1), personas, verified)
    accept(application, personas)
    settled = settle(application, personas, 10_000_00)
    assert settled.status == Status.SETTLED
    assert settled.final_cost_fen == 10_000_00
    assert unit_balances(funded) == {code: DEPOSIT_FEN - fen for code, fen in SHARES.items()}
    assert balance(funded.a1, Account.Kind.PAYABLE) == 10_000_00  # owed to the contractor
    # The balance is paid after settlement (approver instructs, reviewer confirms), less
    # the 5 % 质保金 (500.00) held until the works' warranty ends.
    assert settled.fund_use.retention_fen == 500_00
    with pytest.raises(DomainError) as caught:
        instruct(settled, personas, verified, 9_500_01, key="final-x")
    assert caught.value.code == "over_budget"
    instruction = instruct(settled, personas, verified, 9_500_00, key="final")
    confirm(settled, personas, instruction, ref="BANK-002")
    assert balance(funded.a1, Account.Kind.PAYABLE) == 500_00
    assert balance(funded.a1, Account.Kind.BANK) == 3 * DEPOSIT_FEN - 9_500_00
    assert balance(funded.a1, Account.Kind.WORKS) == 0
    assert settled.evidence.filter(kind=EvidenceKind.SETTLEMENT).count() == 1
    ledger_check()


def test_settlement_after_a_prepayment_leaves_the_difference_owed(
    prepaid_application, funded, personas, verified
):
    confirm(
        prepaid_application, personas, instruct(prepaid_application, personas, verified, 4_000_00)
    )
    accept(prepaid_application, personas)
    settle(prepaid_application, personas, 10_000_00)
    assert balance(funded.a1, Account.Kind.PAYABLE) == 6_000_00
    assert balance(funded.a1, Account.Kind.WORKS) == 0
    ledger_check()


def test_a_unit_that_cannot_cover_its_share_is_charged_its_balance_and_the_rest_reported(
    funded, personas, verified
):
    application = approve(
        file_application(personas.committee, funded.a1, estimate_fen=30_000_00), personas, verified
    )
    accept(application, personas)
    preview = services.apportionment_preview(application, 16_000_00)
    # Shares of 16,000.00: 4,623.08 / 5,165.46 / 6,211.46 against 5,000.00 each.
    assert [(r.code, r.shortfall_fen) for r in preview.shortfalls] == [
        ("1栋-1单元-102", 165_46),
        ("2栋-1单元-201", 1_211_46),
    ]
    settled = settle(application, personas, 16_000_00)
    assert settled.fund_use.shortfall_fen == 1_376_92
    assert unit_balances(funded) == {
        "1栋-1单元-101": DEPOSIT_FEN - 4_623_08,
        "1栋-1单元-102": 0,  # never negative
        "2栋-1单元-201": 0,
    }
    ledger_check()


def test_a_final_cost_over_the_items_cap_is_refused(funded, personas, verified):
    application = approve(file_application(personas.committee, funded.a1), personas, verified)
    accept(application, personas)
    with pytest.raises(DomainError) as caught:
        settle(application, personas, 30_000_01)
    assert caught.value.code == "over_cap"
    assert "一般使用程序" in caught.value.message
    assert EmergencyApplication.objects.get(pk=application.pk).status == Status.ACCEPTED


def test_a_final_cost_over_the_estimate_needs_the_approver_and_a_reason(funded, personas, verified):
    application = approve(
        file_application(personas.committee, funded.a1, estimate_fen=8_000_00), personas, verified
    )
    accept(application, personas)
    reason = {"over_budget_reason": "开挖后发现两处破损"}
    with pytest.raises(DomainError) as caught:
        settle(application, personas, 8_000_01, **reason)
    assert caught.value.code == "excess_approval_required"
    services.application_excess_approve(
        application=application, cost_fen=8_000_01, actor=verified(personas.approver)
    )
    with pytest.raises(DomainError) as caught:
        settle(application, personas, 8_000_01)
    assert caught.value.code == "over_budget"
    settled = settle(application, personas, 8_000_01, **reason)
    assert settled.status == Status.SETTLED


def test_settlement_needs_the_settlement_document(funded, personas, verified):
    application = approve(file_application(personas.committee, funded.a1), personas, verified)
    accept(application, personas)
    with pytest.raises(DomainError) as caught:
        settle(application, personas, 1_00, evidence=[])
    assert caught.value.code == "missing_evidence"


def test_settlement_waits_for_a_pending_bank_confirmation(prepaid_application, personas, verified):
    instruct(prepaid_application, personas, verified, 4_000_00)
    accept(prepaid_application, personas)
    with pytest.raises(DomainError) as caught:
        settle(prepaid_application, personas, 10_000_00)
    assert caught.value.code == "payment_pending"
    assert EmergencyApplication.objects.get(pk=prepaid_application.pk).status == Status.ACCEPTED


def test_settlement_needs_acceptance_first(funded, personas, verified):
    application = approve(file_application(personas.committee, funded.a1), personas, verified)
    with pytest.raises(DomainError) as caught:
        settle(application, personas, 1_00)
    assert caught.value.code == "not_accepted"


# --------------------------------------------------------------------------- end to end


def test_the_whole_fast_path_ends_in_a_signed_verifiable_notice_with_no_vote(
    client, funded, personas, verified, publishing
):
    from publications.models import Kind
    from publications.signing import signature_check
    from voting.models import Assembly

    application = approve(
        file_application(
            personas.committee, funded.a1, estimate_fen=12_000_00, prepayment_fen=4_000_00
        ),
        personas,
        verified,
    )
    confirm(application, personas, instruct(application, personas, verified, 4_000_00))
    accept(application, personas)
    settle(application, personas, 10_000_00)
    confirm(
        application,
        personas,
        instruct(application, personas, verified, 5_500_00, key="rest"),  # less the 质保金
        ref="B2",
    )
    published = services.application_publish(
        application=application, actor=verified(personas.approver)
    )

    assert published.status == Status.PUBLISHED
    assert published.posted_until == today() + timedelta(days=5)
    publication = published.fund_use.publication
    assert publication.kind == Kind.EMERGENCY_REPAIR
    assert publication.title == f"甲一小区紧急维修公示（第{application.pk}号）"
    with publication.file.open("rb") as handle:
        check = signature_check(handle.read())
    assert check.ok, check.detail
    steps = list(
        AuditEvent.objects.filter(
            object_type="emergency.emergencyapplication", object_id=str(application.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert steps == [
        "emergency.file",
        "emergency.review_start",
        "emergency.checklist",
        "emergency.approve",
        "emergency.prepaid",
        "emergency.works_done",
        "emergency.accept",
        "emergency.settle",
        "emergency.publish",
    ]
    assert unit_balances(funded) == {code: DEPOSIT_FEN - fen for code, fen in SHARES.items()}
    assert balance(funded.a1, Account.Kind.BANK) == 3 * DEPOSIT_FEN - 9_500_00
    assert not Assembly.objects.exists()  # no owners' vote anywhere
    ledger_check()
    # The committee's page links the notice to its public verification page.
    from django.urls import reverse

    client.force_login(personas.committee, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("emergency:detail", args=[application.pk])).content.decode()
    assert f'href="/verify/{publication.serial}/"' in page
    assert "公示期至" in page
