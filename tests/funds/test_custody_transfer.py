"""Custody transfer (Order 165 art. 15): refused with an open instruction or an early date.

RULES.md §4 and issue #14 §9: the transfer's value date is not before the
area's last posting, and no payment instruction may be open across the move.
A refusal changes nothing: regime, bank details, balances, transactions.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError
from funds.ledger import selectors, services
from funds.models import Account, FundProfile, Transaction
from funds.procedure import services as procedure

from .app_helpers import (
    BUDGET,
    DEPOSIT,
    approved,
    estate_fixture,  # noqa: F401
    instruct,
)


@pytest.fixture(autouse=True)
def _no_retention(settings):
    # These tests instruct the whole budget; the 质保金 held back from it is
    # tested in test_settlement_ceiling.py (RULES.md §4 "use").
    settings.GONGZHI_FUND_RETENTION_PCT = 0


LAST_DEPOSIT = date(2024, 1, 10)  # app_helpers.build_estate: every deposit is paid on this day


def _transfer(area, **kwargs):
    return services.custody_transfer(
        area=area,
        to_regime="assembly",
        bank_name="中国建设银行宿州分行",
        account_no="3400000000000000002",
        actor=None,
        **kwargs,
    )


def _state(area):
    profile = FundProfile.objects.get(area=area)
    banks = {a.regime: selectors.balance(a) for a in Account.objects.filter(area=area, kind="bank")}
    return (
        profile.regime,
        profile.bank_name,
        profile.account_no,
        banks,
        Transaction.objects.count(),
    )


def test_a_transfer_with_an_open_instruction_is_refused_and_changes_nothing(
    estate, personas, verified
):
    application = approved(estate, personas, verified)
    instruction = instruct(application.fund_use, verified(personas.approver), amount=BUDGET)
    before = _state(estate.area)
    with pytest.raises(DomainError) as refused:
        _transfer(estate.area)
    assert refused.value.code == "open_instruction"
    assert instruction.key in refused.value.message
    assert _state(estate.area) == before
    assert before[3] == {"bureau": 5 * DEPOSIT, "assembly": 0}


def test_a_transfer_after_the_instruction_was_paid_moves_what_is_left(estate, personas, verified):
    application = approved(estate, personas, verified)
    instruction = instruct(application.fund_use, verified(personas.approver), amount=BUDGET)
    procedure.payment_confirm(
        instruction=instruction,
        bank_reference="ICBC-1",
        paid_on=timezone.localdate(),
        actor=personas.reviewer,
    )
    _transfer(estate.area)
    banks = _state(estate.area)[3]
    assert banks == {"bureau": 0, "assembly": 5 * DEPOSIT - BUDGET}


def test_a_transfer_after_the_instruction_was_cancelled_is_allowed(estate, personas, verified):
    application = approved(estate, personas, verified)
    instruction = instruct(application.fund_use, verified(personas.approver), amount=BUDGET)
    procedure.payment_cancel(
        instruction=instruction, reason="合同变更", actor=verified(personas.approver)
    )
    profile = _transfer(estate.area)
    assert profile.regime == "assembly"
    assert _state(estate.area)[3] == {"bureau": 0, "assembly": 5 * DEPOSIT}


def test_a_transfer_dated_one_day_before_the_last_posting_is_refused(estate):
    before = _state(estate.area)
    with pytest.raises(DomainError) as refused:
        _transfer(estate.area, value_date=LAST_DEPOSIT - timedelta(days=1))
    assert refused.value.code == "early_value_date"
    assert "value_date" in refused.value.fields
    assert "2024年1月10日" in refused.value.message
    assert _state(estate.area) == before


def test_a_transfer_dated_before_any_money_existed_is_refused(estate):
    before = _state(estate.area)
    with pytest.raises(DomainError) as refused:
        _transfer(estate.area, value_date=date(2019, 1, 1))
    assert refused.value.code == "early_value_date"
    assert _state(estate.area) == before


def test_a_transfer_dated_the_day_of_the_last_posting_is_allowed(estate):
    _transfer(estate.area, value_date=LAST_DEPOSIT)
    txn = Transaction.objects.get(kind=Transaction.Kind.CUSTODY)
    assert txn.value_date == LAST_DEPOSIT
    assert _state(estate.area)[3] == {"bureau": 0, "assembly": 5 * DEPOSIT}


def test_a_transfer_dated_tomorrow_is_refused(estate):
    before = _state(estate.area)
    with pytest.raises(DomainError) as refused:
        _transfer(estate.area, value_date=timezone.localdate() + timedelta(days=1))
    assert refused.value.code == "future_date"
    assert _state(estate.area) == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transfer_and_an_instruction_at_once_never_leave_an_old_instruction_open(
    estate, personas, verified
):
    """PostgreSQL, parallel: either the instruction wins and the transfer is refused, or the
    transfer commits first and the instruction is issued after it, against the new account."""
    from audit.models import AuditEvent
    from tests.parallel import in_threads

    application = approved(estate, personas, verified)
    approver = verified(personas.approver)
    results = in_threads(
        [
            lambda: _transfer(estate.area).regime,
            lambda: instruct(application.fund_use, approver, amount=BUDGET).key,
        ]
    )
    assert results[1] == "PAY-1", results
    if results[0] == "open_instruction":
        assert FundProfile.objects.get(area=estate.area).regime == "bureau"
    else:
        assert results[0] == "assembly", results
        seq = dict(
            AuditEvent.objects.filter(
                action__in=["fund.custody_transfer", "payment.instruct"]
            ).values_list("action", "seq")
        )
        assert seq["fund.custody_transfer"] < seq["payment.instruct"]
