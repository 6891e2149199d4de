"""Parallel approvals and bank confirmations on PostgreSQL: each posts once (issue #7 acceptance)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from funds.models import ApplicationApproval, FundApplication, FundUse, Transaction
from funds.procedure import services

from .app_helpers import (
    BUDGET,
    PAYABLE,
    approved,
    check_ledger,
    estate_fixture,  # noqa: F401
    reviewed,
    second_approver_fixture,  # noqa: F401
)
from .test_concurrency import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_approvers_approving_at_once_approve_once(
    estate,
    personas,
    verified,
    second_approver,
):
    application = reviewed(estate, personas)
    assert application.required_approvals == 1
    first, second = verified(personas.approver), verified(second_approver)

    def approve(actor):
        return lambda: services.application_approve(application=application, actor=actor).status

    results = in_threads([approve(first), approve(second)])
    assert sorted(map(str, results)) == ["approved", "not_reviewed"]
    assert ApplicationApproval.objects.count() == 1
    assert FundUse.objects.count() == 1
    assert FundApplication.objects.get().status == FundApplication.Status.APPROVED


def test_two_required_approvals_at_once_open_one_fund_use(
    estate,
    personas,
    verified,
    second_approver,
    settings,
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET - 1
    application = reviewed(estate, personas)
    assert application.required_approvals == 2
    first, second = verified(personas.approver), verified(second_approver)

    def approve(actor):
        return lambda: services.application_approve(application=application, actor=actor).status

    results = in_threads([approve(first), approve(second)])
    assert sorted(map(str, results)) == ["approved", "reviewed"]
    assert ApplicationApproval.objects.count() == 2
    assert FundUse.objects.count() == 1


def test_two_bank_confirmations_at_once_post_once(estate, personas, verified):
    application = approved(estate, personas, verified)
    instruction = services.payment_instruct(
        fund_use=application.fund_use,
        amount_fen=PAYABLE,
        payee_name="某防水公司",
        payee_bank="建设银行",
        payee_account="6217000000000000001",
        key="PAY-1",
        actor=verified(personas.approver),
    )

    def confirm(reference):
        return lambda: (
            services.payment_confirm(
                instruction=instruction,
                bank_reference=reference,
                paid_on=timezone.localdate(),
                actor=personas.reviewer,
            ).transaction_id
        )

    same = in_threads([confirm("R1"), confirm("R1")])
    assert same[0] == same[1] and isinstance(same[0], int)
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYMENT).count() == 1
    other = in_threads([confirm("R2"), confirm("R1")])
    assert sorted(map(str, other)) == sorted(["already_confirmed", str(same[0])])
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYMENT).count() == 1
    application.refresh_from_db()
    assert application.status == FundApplication.Status.PAID
    check_ledger()
