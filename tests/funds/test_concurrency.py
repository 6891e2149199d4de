"""Parallel postings on PostgreSQL (real connections, real unique index and row locks)."""

from __future__ import annotations

from datetime import date

import pytest

from funds.ledger import selectors, services
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


def test_backdated_deposits_racing_an_interest_posting_are_refused_or_counted(fund):
    """RULES.md §4: a deposit dated inside a period whose interest is being posted either
    commits before the 积数 is read (and is counted) or is refused as in a closed period."""
    import time

    from funds.integrity import check_interest_jishu
    from funds.models import InterestPosting

    fund.deposit("102", 1_000_000, on=date(2023, 12, 1))
    start, end = date(2024, 1, 1), date(2024, 1, 31)

    def slow(stage):
        if stage == "allocate":
            time.sleep(0.3)  # the 积数 has been read: widen the window a late deposit needs

    def post_interest():
        return services.interest_post(
            area=fund.area, start=start, end=end, amount_fen=10_000, actor=None, progress=slow
        )

    def deposit(i):
        def run():
            time.sleep(0.02 * i)
            return services.deposit_record(
                unit=fund.units["101"],
                amount_fen=1_000 + i,
                paid_on=date(2024, 1, 15),
                key=f"late-{i}",
                actor=None,
            )

        return run

    results = in_threads([post_interest] + [deposit(i) for i in range(10)])

    posting = results[0]
    assert isinstance(posting, InterestPosting), results
    deposits = results[1:]
    assert all(isinstance(r, Transaction) or r == "period_closed" for r in deposits), deposits
    counted = [r for r in deposits if isinstance(r, Transaction)]
    # 102: 1,000,000 × 31 days; each counted deposit on 2024-01-15: amount × 17 days.
    expected = 1_000_000 * 31 + sum(
        -r.entries.get(account__kind=Account.Kind.UNIT).amount_fen * 17 for r in counted
    )
    assert posting.total_jishu == expected
    assert check_interest_jishu() == 1


def test_two_parallel_corrections_of_one_demand_store_one(fund):
    from decimal import Decimal

    from funds.models import FirstDepositDemand

    def correct(cost):
        return lambda: services.first_deposit_correct(
            unit=fund.units["101"], cost_per_m2_fen=cost, reason="造价更正", actor=None
        )

    results = in_threads([correct(160_000), correct(170_000)])

    stored = [r for r in results if isinstance(r, FirstDepositDemand)]
    assert len(stored) == 1 and [r for r in results if r not in stored] == ["demand_changed"]
    assert FirstDepositDemand.objects.filter(unit=fund.units["101"]).count() == 2
    current = services.first_deposit_of(fund.units["101"])
    assert current.pk == stored[0].pk
    assert current.amount_fen in {716_000, 760_750}  # 89.50 × 1,600 / 1,700 × 5 %
    assert current.deposit_rate == Decimal("0.0500")
