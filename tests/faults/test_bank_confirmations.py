"""Duplicate and out-of-order bank confirmations (issue #9 item 3; RULES.md §4).

The custody bank's word arrives as ``payment_confirm`` calls: sometimes twice,
sometimes for an instruction that was withdrawn or never issued, sometimes in
another order than the instructions went out. Each case posts exactly what
the bank paid, once, or nothing with a message a person understands; and the
ledger checks out (``manage.py funds_check``) after each.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError
from funds.ledger import selectors, services
from funds.models import Account, FundApplication, PaymentInstruction, Transaction
from funds.procedure import services as procedure
from tests.funds.app_helpers import BUDGET, PAYABLE, approved, instruct

from .dbfault import funds_check_ok


@pytest.fixture(autouse=True)
def _no_retention(settings):
    # These tests instruct the whole budget; the 质保金 held back from it is
    # tested in test_settlement_ceiling.py (RULES.md §4 "use").
    settings.GONGZHI_FUND_RETENTION_PCT = 0


pytestmark = pytest.mark.django_db
Status = PaymentInstruction.Status


@pytest.fixture
def application(estate, personas, verified) -> FundApplication:
    return approved(estate, personas, verified)


@pytest.fixture
def approver(personas, verified):
    return verified(personas.approver)


def payments():
    return Transaction.objects.filter(kind=Transaction.Kind.PAYMENT)


def balances(area) -> tuple[int, int]:
    """(custody bank, works paid not yet apportioned) in fen."""
    return (
        selectors.balance(selectors.bank_account(area)),
        selectors.balance(selectors.account_of(area, Account.Kind.WORKS)),
    )


# --------------------------------------------------------------------------- duplicates


def test_the_same_confirmation_twice_posts_once(estate, application, approver, personas):
    instruction = instruct(application.fund_use, approver)
    before = balances(estate.area)
    bank = {"bank_reference": "ICBC-001", "paid_on": timezone.localdate()}

    first = procedure.payment_confirm(instruction=instruction, actor=personas.reviewer, **bank)
    # The second arrives with the caller's stale copy, which still says "instructed".
    assert instruction.status == Status.INSTRUCTED
    second = procedure.payment_confirm(instruction=instruction, actor=personas.reviewer, **bank)

    assert second.pk == first.pk and second.status == Status.CONFIRMED
    assert payments().count() == 1
    assert AuditEvent.objects.filter(action="payment.confirm").count() == 1
    assert balances(estate.area) == (before[0] - PAYABLE, before[1] + PAYABLE)
    assert funds_check_ok().startswith("OK:")


def test_a_second_confirmation_with_another_reference_is_refused_with_the_first_one_named(
    estate, application, approver, personas
):
    instruction = instruct(application.fund_use, approver)
    today = timezone.localdate()
    procedure.payment_confirm(
        instruction=instruction, bank_reference="ICBC-001", paid_on=today, actor=personas.reviewer
    )

    with pytest.raises(DomainError) as refused:
        procedure.payment_confirm(
            instruction=instruction,
            bank_reference="ICBC-002",
            paid_on=today,
            actor=personas.reviewer,
        )

    assert refused.value.code == "already_confirmed"
    assert refused.value.message == f"该指令已于{today}确认划款（流水号 ICBC-001）。"
    assert payments().count() == 1
    assert PaymentInstruction.objects.get(pk=instruction.pk).bank_reference == "ICBC-001"
    funds_check_ok()


def test_one_bank_transfer_cannot_confirm_two_instructions(estate, application, approver, personas):
    half = PAYABLE // 2
    first = instruct(application.fund_use, approver, amount=half, key="PAY-1")
    second = instruct(application.fund_use, approver, amount=half, key="PAY-2")
    bank = {"bank_reference": "ICBC-001", "paid_on": timezone.localdate()}
    procedure.payment_confirm(instruction=first, actor=personas.reviewer, **bank)

    with pytest.raises(DomainError):
        procedure.payment_confirm(instruction=second, actor=personas.reviewer, **bank)

    assert payments().count() == 1


# --------------------------------------------------------------------------- refusals


def test_a_confirmation_of_a_cancelled_instruction_is_refused_and_posts_nothing(
    estate, application, approver, personas
):
    instruction = instruct(application.fund_use, approver)
    procedure.payment_cancel(instruction=instruction, reason="收款账号有误", actor=approver)
    before = balances(estate.area)
    events = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        procedure.payment_confirm(
            instruction=instruction,
            bank_reference="ICBC-001",
            paid_on=timezone.localdate(),
            actor=personas.reviewer,
        )

    assert (refused.value.code, refused.value.message) == (
        "cancelled",
        "该指令已撤销，不能确认划款。",
    )
    assert not payments().exists()
    assert balances(estate.area) == before
    assert PaymentInstruction.objects.get(pk=instruction.pk).status == Status.CANCELLED
    assert FundApplication.objects.get(pk=application.pk).status == FundApplication.Status.APPROVED
    assert AuditEvent.objects.count() == events
    funds_check_ok()


def test_a_payment_dated_before_its_instruction_went_out_is_refused_and_the_same_day_is_not(
    estate, application, approver, personas
):
    instruction = instruct(application.fund_use, approver)
    issued = timezone.localdate(instruction.instructed_at)

    with pytest.raises(DomainError) as refused:
        procedure.payment_confirm(
            instruction=instruction,
            bank_reference="ICBC-001",
            paid_on=issued - timedelta(days=1),
            actor=personas.reviewer,
        )

    assert refused.value.code == "bad_date"
    assert refused.value.fields == {"paid_on": "划款日期不能早于指令发出日期。"}
    assert not payments().exists()
    confirmed = procedure.payment_confirm(
        instruction=instruction, bank_reference="ICBC-001", paid_on=issued, actor=personas.reviewer
    )
    assert confirmed.paid_on == issued and payments().count() == 1


def test_a_confirmation_of_an_instruction_never_issued_is_refused_and_posts_nothing(
    estate, application, personas
):
    never_issued = PaymentInstruction(
        fund_use=application.fund_use,
        key="PAY-9",
        amount_fen=BUDGET,
        instructed_by=personas.approver,
    )

    with pytest.raises(DomainError) as refused:
        procedure.payment_confirm(
            instruction=never_issued,
            bank_reference="ICBC-009",
            paid_on=timezone.localdate(),
            actor=personas.reviewer,
        )

    assert refused.value.code == "not_instructed"
    assert not payments().exists()


# --------------------------------------------------------------------------- out of order


def test_two_instructions_confirmed_in_reverse_order_post_once_each_with_their_own_dates(
    estate, application, approver, personas
):
    today = timezone.localdate()
    first = instruct(application.fund_use, approver, amount=4_000_000, key="PAY-1")
    second = instruct(application.fund_use, approver, amount=5_500_000, key="PAY-2")
    # The first went out three days ago; the bank's word on it arrives last.
    PaymentInstruction.objects.filter(pk=first.pk).update(
        instructed_at=first.instructed_at - timedelta(days=3)
    )
    first.refresh_from_db()
    bank_before, works_before = balances(estate.area)

    procedure.payment_confirm(
        instruction=second, bank_reference="ICBC-002", paid_on=today, actor=personas.reviewer
    )
    procedure.payment_confirm(
        instruction=first,
        bank_reference="ICBC-001",
        paid_on=today - timedelta(days=2),
        actor=personas.reviewer,
    )
    # Both arrive once more (a re-sent statement): nothing moves.
    procedure.payment_confirm(
        instruction=second, bank_reference="ICBC-002", paid_on=today, actor=personas.reviewer
    )
    procedure.payment_confirm(
        instruction=first,
        bank_reference="ICBC-001",
        paid_on=today - timedelta(days=2),
        actor=personas.reviewer,
    )

    fund_use = application.fund_use
    posted = dict(payments().values_list("key", "value_date"))
    assert posted == {
        f"fund-use:{fund_use.pk}:payment:{first.pk}": today - timedelta(days=2),
        f"fund-use:{fund_use.pk}:payment:{second.pk}": today,
    }
    assert balances(estate.area) == (bank_before - PAYABLE, works_before + PAYABLE)
    assert set(PaymentInstruction.objects.values_list("status", flat=True)) == {Status.CONFIRMED}
    # The application moved to "paid" once, with the first confirmation to arrive.
    paid = AuditEvent.objects.filter(action="fund_application.paid")
    assert paid.count() == 1 and paid.get().summary["instruction"] == "PAY-2"
    assert FundApplication.objects.get(pk=application.pk).status == FundApplication.Status.PAID
    assert funds_check_ok().startswith("OK: 7 transactions")


def test_a_bank_reference_is_unique_per_bank_account_not_per_area(
    estate, application, approver, personas
):
    """The bank numbers its transfers per account: the same reference from the area's new
    custody account is another transfer; from the same account it is the same one."""
    from decimal import Decimal

    from django.db import IntegrityError, transaction

    half = BUDGET // 2
    first = instruct(application.fund_use, approver, amount=half, key="PAY-1")
    second = instruct(application.fund_use, approver, amount=half, key="PAY-2")
    bank = {"bank_reference": "ICBC-001", "paid_on": timezone.localdate()}
    procedure.payment_confirm(instruction=first, actor=personas.reviewer, **bank)
    assert PaymentInstruction.objects.get(pk=first.pk).payer_account == "1317000000000000001"

    # The area's custody account number changes (written with spaces and dashes).
    services.fund_profile_set(
        area=estate.area,
        deposit_rate=Decimal("0.05"),
        cost_per_m2_fen=150_000,
        bank_name="中国农业银行宿州分行",
        account_no="6228 4800-0000 0000 09",
        actor=None,
    )
    confirmed = procedure.payment_confirm(instruction=second, actor=personas.reviewer, **bank)

    assert (confirmed.status, confirmed.payer_account) == (Status.CONFIRMED, "622848000000000009")
    assert payments().count() == 2
    # Behind the service, a second row with one account's reference is refused by the
    # database, whatever area it is in.
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInstruction.objects.filter(pk=first.pk).update(payer_account="622848000000000009")
    assert funds_check_ok().startswith("OK:")
