"""funds.ledger.services.deposits: demands, payments, unpaid units, top-up (Order 165 arts. 7, 17)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.errors import DomainError
from funds.ledger import selectors, services
from funds.models import Account, Transaction

Kind = Account.Kind

# 89.50 × 1,500.00 × 5% = 6,712.50; 100.00 → 7,500.00; 120.25 → 9,018.75 (conftest).
FIRST = {"101": 671_250, "102": 750_000, "103": 901_875, "901": 750_000}


def by_code(area):
    return {d.code.split("-")[-1]: d for d in services.deposit_demands(area)}


def pay(fund, number, fen, key=None, on=date(2024, 1, 10)):
    return services.deposit_record(
        unit=fund.units[number],
        amount_fen=fen,
        paid_on=on,
        key=key or f"pay:{number}:{fen}",
        actor=None,
    )


def test_first_deposit_of_each_unit_is_area_times_cost_times_rate_to_the_fen(fund):
    demands = by_code(fund.area)
    assert {n: d.first_fen for n, d in demands.items()} == FIRST


def test_a_recorded_payment_credits_the_unit_and_debits_the_bank_in_force(fund):
    txn = pay(fund, "101", 671_250)

    assert txn.kind == Transaction.Kind.DEPOSIT
    assert txn.value_date == date(2024, 1, 10)
    assert selectors.balance(fund.sub("101")) == 671_250
    assert selectors.balance(fund.bank) == 671_250


def test_recording_the_same_payment_twice_posts_once(fund):
    first = pay(fund, "101", 671_250, key="ICBC-20240110-0001")
    again = pay(fund, "101", 671_250, key="ICBC-20240110-0001")
    assert again.pk == first.pk
    assert selectors.balance(fund.sub("101")) == 671_250


@pytest.mark.parametrize("fen", [0, -1, 100.0])
def test_a_payment_must_be_a_positive_int_of_fen(fund, fen):
    with pytest.raises(DomainError) as error:
        pay(fund, "101", fen)
    assert error.value.code == "bad_amount"


def test_a_payment_dated_tomorrow_is_refused(fund):
    with pytest.raises(DomainError) as error:
        pay(fund, "101", 100, on=services.today() + timedelta(days=1))
    assert error.value.code == "future_date"


def test_units_not_fully_paid_are_listed_with_what_they_still_owe(fund):
    pay(fund, "101", 671_250)
    pay(fund, "102", 749_999)

    unpaid = {d.code.split("-")[-1]: d.outstanding_fen for d in services.units_unpaid(fund.area)}
    assert unpaid == {"102": 1, "103": 901_875, "901": 750_000}


def test_a_reversed_deposit_counts_as_not_paid(fund):
    txn = pay(fund, "101", 671_250)
    services.transaction_reverse(transaction=txn, reason="银行退票", actor=None)
    assert "1栋-1单元-101" in {d.code for d in services.units_unpaid(fund.area)}


def charge(fund, number, fen, key):
    services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[(fund.sub(number), fen), (fund.account(Kind.WORKS), -fen)],
        memo="结算",
        key=key,
        actor=None,
    )


def test_balance_of_exactly_thirty_percent_of_the_first_deposit_is_not_flagged(fund):
    # 102: first deposit 750,000 fen; 30% = 225,000 fen.
    pay(fund, "102", 750_000)
    charge(fund, "102", 525_000, "c1")
    status = by_code(fund.area)["102"]
    assert status.balance_fen == 225_000
    assert status.top_up is False


def test_balance_one_fen_below_thirty_percent_is_flagged(fund):
    pay(fund, "102", 750_000)
    charge(fund, "102", 525_001, "c1")
    status = by_code(fund.area)["102"]
    assert status.balance_fen == 224_999
    assert status.top_up is True
    assert [d.code for d in services.units_to_top_up(fund.area)] == [status.code]


def test_thirty_percent_of_an_odd_first_deposit_is_compared_exactly(fund):
    # 101: first deposit 671,250 fen; 30% = 201,375 fen exactly.
    pay(fund, "101", 671_250)
    charge(fund, "101", 469_875, "c1")
    assert by_code(fund.area)["101"].top_up is False
    charge(fund, "101", 1, "c2")
    assert by_code(fund.area)["101"].top_up is True


def test_an_unpaid_unit_is_listed_unpaid_not_as_a_top_up(fund):
    status = by_code(fund.area)["103"]
    assert status.paid_in_full is False
    assert status.top_up is False


def test_demands_take_three_queries_whatever_the_number_of_units(fund, django_assert_num_queries):
    pay(fund, "101", 671_250)
    with django_assert_num_queries(3):
        services.deposit_demands(fund.area)
