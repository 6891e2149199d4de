"""Parallel postings on PostgreSQL (real connections, real unique index and row locks)."""

from __future__ import annotations

from datetime import date

import pytest

from funds import selectors, services
from funds.models import Account, Transaction
from tests.parallel import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_parallel_deposit_records_with_the_same_key_post_once(fund):
    unit = fund.units["101"]

    def record():
        return services.deposit_record(
            unit=unit, amount_fen=671_250, paid_on=date(2024, 1, 10), key="ICBC-1", actor=None
        )

    results = in_threads([record, record])

    assert all(isinstance(r, Transaction) for r in results), results
    assert results[0].pk == results[1].pk
    assert Transaction.objects.count() == 1
    assert selectors.balance(fund.sub("101")) == 671_250


def test_two_parallel_charges_that_each_fit_but_not_together_post_one(fund):
    fund.deposit("101", 10_000)
    works = fund.account(Account.Kind.WORKS)

    def charge(key):
        return lambda: services.transaction_post(
            kind=Transaction.Kind.SETTLEMENT,
            lines=[(fund.sub("101"), 6_000), (works, -6_000)],
            memo="结算",
            key=key,
            actor=None,
        )

    results = in_threads([charge("a"), charge("b")])

    assert sorted(str(type(r).__name__) if not isinstance(r, str) else r for r in results) == [
        "Transaction",
        "insufficient_balance",
    ]
    assert selectors.balance(fund.sub("101")) == 4_000


def test_two_parallel_reversals_of_one_transaction_post_one(fund):
    txn = fund.deposit("101", 10_000)

    def reverse():
        return services.transaction_reverse(transaction=txn, reason="错账", actor=None)

    results = in_threads([reverse, reverse])

    assert all(isinstance(r, Transaction) for r in results), results
    assert results[0].pk == results[1].pk
    assert selectors.balance(fund.sub("101")) == 0
