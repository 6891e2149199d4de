"""funds.ledger.services.interest: a period's interest posted to sub-ledgers by 积数 (RULES.md §4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from core.errors import DomainError
from funds.ledger import selectors, services
from funds.models import InterestPosting, PostingNotice, Transaction

JAN_1, JAN_16, JAN_31 = date(2024, 1, 1), date(2024, 1, 16), date(2024, 1, 31)


@pytest.fixture
def january(fund):
    # 101: 1,000.00 元 from Jan 1 → 积数 100,000 × 31 = 3,100,000 fen·days.
    # 102: 2,000.00 元 from Jan 16 → 200,000 × 16 = 3,200,000 fen·days.
    fund.deposit("101", 100_000, on=JAN_1)
    fund.deposit("102", 200_000, on=JAN_16)
    return fund


def test_interest_is_shared_by_day_weighted_balance_to_the_fen(january):
    # 1,000 fen × 3.1/6.3 = 492.06 → 492; × 3.2/6.3 = 507.94 → 507 + the left-over fen = 508.
    posting = services.interest_post(
        area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None
    )

    assert posting.total_jishu == 6_300_000
    assert posting.ledgers == 2
    assert selectors.balance(january.sub("101")) == 100_492
    assert selectors.balance(january.sub("102")) == 200_508
    assert selectors.balance(january.bank) == 301_000
    assert posting.transaction.value_date == JAN_31
    assert posting.transaction.kind == Transaction.Kind.INTEREST


def test_balances_before_the_period_count_for_every_day_of_it(january):
    services.interest_post(
        area=january.area, start=date(2024, 2, 1), end=date(2024, 2, 29), amount_fen=300, actor=None
    )
    # Equal days, balances 1:2 → 100 and 200 fen exactly.
    assert selectors.balance(january.sub("101")) == 100_100
    assert selectors.balance(january.sub("102")) == 200_200


def test_posting_the_same_period_twice_is_refused_with_a_clear_message(january):
    services.interest_post(area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None)
    with pytest.raises(DomainError) as error:
        services.interest_post(
            area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None
        )
    assert error.value.code == "interest_already_posted"
    assert "2024-01-01至2024-01-31的利息已经分配过" in error.value.message
    assert Transaction.objects.filter(kind=Transaction.Kind.INTEREST).count() == 1


def test_a_period_overlapping_one_posted_is_refused(january):
    services.interest_post(area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None)
    with pytest.raises(DomainError) as error:
        services.interest_post(
            area=january.area, start=JAN_31, end=date(2024, 2, 29), amount_fen=10, actor=None
        )
    assert error.value.code == "interest_period_overlaps"


def test_the_next_period_starting_the_day_after_is_posted(january):
    services.interest_post(area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None)
    services.interest_post(
        area=january.area, start=date(2024, 2, 1), end=date(2024, 2, 29), amount_fen=10, actor=None
    )
    assert InterestPosting.objects.filter(area=january.area).count() == 2


def test_the_database_refuses_a_second_posting_of_one_period(january):
    posting = services.interest_post(
        area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        InterestPosting.objects.create(
            area=january.area,
            start=JAN_1,
            end=JAN_31,
            interest_fen=1,
            total_jishu=1,
            ledgers=1,
            transaction=january.deposit("103", 1, on=date(2024, 2, 1)),
        )
    assert posting.pk


def test_a_period_that_has_not_ended_is_refused(january):
    today = services.today()
    with pytest.raises(DomainError) as error:
        services.interest_post(
            area=january.area, start=today - timedelta(days=30), end=today, amount_fen=1, actor=None
        )
    assert error.value.code == "period_not_over"


def test_interest_with_no_balance_to_go_to_is_refused(fund):
    with pytest.raises(DomainError) as error:
        services.interest_post(area=fund.area, start=JAN_1, end=JAN_31, amount_fen=1, actor=None)
    assert error.value.code == "interest_not_allocable"
    assert not Transaction.objects.exists()


def test_each_owner_of_a_unit_credited_gets_a_notice(fund):
    fund.deposit("101", 100_000, on=JAN_1)
    fund.deposit("103", 100_000, on=JAN_1)
    posting = services.interest_post(
        area=fund.area, start=JAN_1, end=JAN_31, amount_fen=101, actor=None
    )

    # 101 and 103 tie (equal 积数): the odd fen goes to the smaller unit code, 1栋-1单元-101.
    notices = PostingNotice.objects.filter(transaction=posting.transaction)
    assert sorted((n.person.name, n.amount_fen) for n in notices) == [
        ("丁", 50),
        ("丙", 50),
        ("甲", 51),
    ]


def test_preview_shows_the_allocation_and_posts_nothing(january):
    period = services.interest_preview(area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000)
    assert sorted(period.shares.values()) == [492, 508]
    assert not InterestPosting.objects.exists()


def test_the_command_posts_a_period_and_refuses_it_a_second_time(january):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    args = ["--area", "a1", "--start", "2024-01-01", "--end", "2024-01-31", "--amount", "10.00"]
    call_command("funds_interest", *args, stdout=out)
    assert out.getvalue().startswith("OK a1 2024-01-01..2024-01-31: 10.00 yuan to 2 sub-ledgers")
    assert selectors.balance(january.sub("102")) == 200_508

    with pytest.raises(CommandError, match="已经分配过"):
        call_command("funds_interest", *args, stdout=StringIO())


def test_the_command_dry_run_posts_nothing(january):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "funds_interest",
        "--area",
        "a1",
        "--start",
        "2024-01-01",
        "--end",
        "2024-01-31",
        "--amount",
        "10",
        "--dry-run",
        stdout=out,
    )
    assert out.getvalue().startswith("DRY RUN a1")
    assert not InterestPosting.objects.exists()


def test_a_sub_ledger_posting_dated_inside_an_allocated_period_is_refused(january):
    services.interest_post(area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None)
    with pytest.raises(DomainError) as error:
        january.deposit("103", 100, on=JAN_16)
    assert error.value.code == "period_closed"


def test_a_sub_ledger_posting_dated_before_an_allocated_period_is_refused(january):
    # It would change the opening balance the allocation started from.
    services.interest_post(area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None)
    with pytest.raises(DomainError) as error:
        january.deposit("103", 100, on=date(2023, 12, 1))
    assert error.value.code == "period_closed"


def test_a_sub_ledger_posting_dated_the_day_after_the_period_is_posted(january):
    services.interest_post(area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None)
    january.deposit("103", 100, on=date(2024, 2, 1))
    assert selectors.balance(january.sub("103")) == 100


def test_a_retried_deposit_dated_inside_an_allocated_period_returns_the_original(january):
    first = january.deposit("101", 100_000, on=JAN_1)  # same key as the fixture's deposit
    services.interest_post(area=january.area, start=JAN_1, end=JAN_31, amount_fen=1_000, actor=None)
    assert january.deposit("101", 100_000, on=JAN_1).pk == first.pk
