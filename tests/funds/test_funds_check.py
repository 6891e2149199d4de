"""manage.py funds_check: exit 0 on a whole ledger, exit 1 naming what raw SQL broke."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from funds.ledger import services
from funds.models import Account, Entry, Transaction
from tests.tamper import tamper


def run_check():
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("funds_check", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def sql(statement: str, params=()) -> None:
    # As the owner would: on PostgreSQL the ledger tables' triggers refuse it otherwise.
    tamper(statement, params)


@pytest.fixture
def ledger(fund):
    fund.deposit("101", 100_000)
    fund.deposit("102", 200_000)
    services.transaction_post(
        kind="payment",
        lines=[(fund.account("works"), 30_000), (fund.bank, -30_000)],
        memo="划款",
        key="p1",
        actor=None,
    )
    services.transaction_post(
        kind="settlement",
        lines=[
            (fund.sub("101"), 10_000),
            (fund.sub("102"), 20_000),
            (fund.account("works"), -30_000),
        ],
        memo="结算",
        key="s1",
        actor=None,
    )
    services.transaction_reverse(transaction=fund.deposit("103", 5), reason="错账", actor=None)
    return fund


def test_a_whole_ledger_passes_with_a_summary(ledger):
    code, output = run_check()
    assert code == 0
    assert output.startswith("OK: 6 transactions, 18 entries balanced")
    assert "in 1 areas" in output


def test_an_empty_ledger_passes(db):
    assert run_check()[0] == 0


def test_a_changed_bank_amount_is_named_as_unbalanced(ledger):
    txn = Transaction.objects.get(key="p1")
    entry = Entry.objects.get(transaction=txn, account=ledger.bank)
    sql("UPDATE funds_entry SET amount_fen = -29999 WHERE id = %s", [entry.pk])

    code, output = run_check()
    assert code == 1
    assert f"transaction #{txn.pk} (p1) does not balance" in output


def test_a_unit_entry_slipped_in_is_found_as_a_control_mismatch(ledger):
    txn = Transaction.objects.get(key="p1")
    sql(
        "INSERT INTO funds_entry (transaction_id, account_id, amount_fen) VALUES (%s, %s, %s)",
        [txn.pk, ledger.sub("103").pk, -50_000],
    )
    code, output = run_check()
    assert code == 1
    assert f"transaction #{txn.pk} (p1): unit sub-ledger entries sum to -50000 fen" in output


def test_amounts_moved_between_two_units_are_found_by_the_digest(ledger):
    # Balanced and the control still matches: only the digest can tell.
    txn = Transaction.objects.get(key="s1")
    sql(
        "UPDATE funds_entry SET amount_fen = amount_fen + 1 WHERE transaction_id = %s AND account_id = %s",
        [txn.pk, ledger.sub("101").pk],
    )
    sql(
        "UPDATE funds_entry SET amount_fen = amount_fen - 1 WHERE transaction_id = %s AND account_id = %s",
        [txn.pk, ledger.sub("102").pk],
    )
    code, output = run_check()
    assert code == 1
    assert f"transaction #{txn.pk} (s1): its entries no longer match" in output


def test_a_changed_value_date_is_found_by_the_digest(ledger):
    txn = Transaction.objects.get(key="p1")
    sql("UPDATE funds_transaction SET value_date = '2020-01-01' WHERE id = %s", [txn.pk])
    code, output = run_check()
    assert code == 1
    assert f"transaction #{txn.pk} (p1)" in output


def test_a_deleted_entry_is_found(ledger):
    txn = Transaction.objects.get(key="p1")
    sql("DELETE FROM funds_entry WHERE transaction_id = %s AND amount_fen < 0", [txn.pk])
    code, output = run_check()
    assert code == 1
    assert f"transaction #{txn.pk} (p1) has 1 entries" in output


def test_a_whole_transaction_inserted_behind_the_service_breaks_the_area_sum_or_digest(ledger):
    # A unit credit and a matching bank debit, balanced, with no control entry and a fake digest.
    sql(
        "INSERT INTO funds_transaction (area_id, kind, memo, value_date, key, digest, created_at) "
        "VALUES (%s, 'deposit', 'x', '2024-01-01', 'forged', 'x', '2024-01-01 00:00:00')",
        [ledger.area.pk],
    )
    forged = Transaction.objects.get(key="forged")
    for account, amount in ((ledger.bank, 777), (ledger.sub("101"), -777)):
        sql(
            "INSERT INTO funds_entry (transaction_id, account_id, amount_fen) VALUES (%s, %s, %s)",
            [forged.pk, account.pk, amount],
        )
    code, output = run_check()
    assert code == 1
    assert f"transaction #{forged.pk} (forged)" in output


def test_a_negative_sub_ledger_is_named(ledger):
    # Move 101's whole deposit out through a forged, balanced, digest-consistent posting.
    from funds.ledger.services.posting import transaction_digest

    area_fund = ledger.account(Account.Kind.AREA_FUND)
    lines = [
        (ledger.sub("101").pk, 200_000),
        (area_fund.pk, 200_000),
        (ledger.account("works").pk, -200_000),
    ]
    digest = transaction_digest(
        kind="adjustment",
        area_id=ledger.area.pk,
        value_date=date(2024, 2, 1),
        lines=lines,
        reverses_id=None,
    )
    sql(
        "INSERT INTO funds_transaction (area_id, kind, memo, value_date, key, digest, created_at) "
        "VALUES (%s, 'adjustment', 'x', '2024-02-01', 'forged', %s, '2024-02-01 00:00:00')",
        [ledger.area.pk, digest],
    )
    forged = Transaction.objects.get(key="forged")
    for account_id, amount in lines:
        sql(
            "INSERT INTO funds_entry (transaction_id, account_id, amount_fen) VALUES (%s, %s, %s)",
            [forged.pk, account_id, amount],
        )
    code, output = run_check()
    assert code == 1
    assert f"account {ledger.sub('101').pk} (unit) is at -110000 fen" in output


def test_a_forged_reversal_that_does_not_negate_its_original_is_named(ledger):
    original = Transaction.objects.get(key="p1")
    reversal = Transaction.objects.get(reverses__isnull=False)
    sql("UPDATE funds_transaction SET reverses_id = %s WHERE id = %s", [original.pk, reversal.pk])
    code, output = run_check()
    assert code == 1
    assert f"transaction #{reversal.pk}" in output


def forge(ledger, *, kind, value_date, lines, key="forged"):
    """A balanced transaction with its control entry and a correct digest, by raw SQL."""
    from funds.ledger.services.posting import transaction_digest

    digest = transaction_digest(
        kind=kind, area_id=ledger.area.pk, value_date=value_date, lines=lines, reverses_id=None
    )
    sql(
        "INSERT INTO funds_transaction (area_id, kind, memo, value_date, key, digest, created_at) "
        "VALUES (%s, %s, 'x', %s, %s, %s, '2024-06-01 00:00:00')",
        [ledger.area.pk, kind, value_date.isoformat(), key, digest],
    )
    forged = Transaction.objects.get(key=key)
    for account_id, amount in lines:
        sql(
            "INSERT INTO funds_entry (transaction_id, account_id, amount_fen) VALUES (%s, %s, %s)",
            [forged.pk, account_id, amount],
        )
    return forged


def test_an_account_negative_at_a_past_value_date_but_positive_today_is_named(ledger):
    # 101: +100,000 on 2024-01-10, −10,000 today. A charge of 50,000 backdated to 2024-01-05
    # leaves 40,000 today, but −50,000 at the end of 2024-01-05.
    area_fund = ledger.account(Account.Kind.AREA_FUND)
    forge(
        ledger,
        kind="adjustment",
        value_date=date(2024, 1, 5),
        lines=[
            (ledger.sub("101").pk, 50_000),
            (area_fund.pk, 50_000),
            (ledger.account("works").pk, -50_000),
        ],
    )
    code, output = run_check()
    assert code == 1
    assert f"account {ledger.sub('101').pk} (unit) was at -50000 fen at the end of 2024-01-05" in (
        output
    )


def test_an_account_at_exactly_zero_on_a_past_value_date_passes(ledger):
    area_fund = ledger.account(Account.Kind.AREA_FUND)
    # 102: +200,000 on 2024-01-10, −20,000 today; a forged charge of 180,000 on 2024-01-10
    # leaves 20,000 that day and exactly 0 today: never below zero.
    forge(
        ledger,
        kind="adjustment",
        value_date=date(2024, 1, 10),
        lines=[
            (ledger.sub("102").pk, 180_000),
            (area_fund.pk, 180_000),
            (ledger.account("works").pk, -180_000),
        ],
    )
    code, output = run_check()
    assert (code, output.splitlines()[0][:3]) == (0, "OK:"), output


@pytest.fixture
def with_interest(ledger):
    # 2024-01-01..2024-01-31 (31 days): 101, 102 and 103 deposited 100,000, 200,000 and 5
    # fen on 2024-01-10 → 22 days each (103's 5 fen are reversed today, after the period).
    posting = services.interest_post(
        area=ledger.area,
        start=date(2024, 1, 1),
        end=date(2024, 1, 31),
        amount_fen=3_000,
        actor=None,
    )
    assert posting.total_jishu == 300_005 * 22 == 6_600_110
    return ledger, posting


def test_interest_postings_recompute_from_the_ledger(with_interest):
    code, output = run_check()
    assert code == 0, output
    assert "1 interest postings match their 积数" in output


def test_a_deposit_slipped_into_an_allocated_period_is_found_by_the_jishu(with_interest):
    ledger, posting = with_interest
    area_fund = ledger.account(Account.Kind.AREA_FUND)
    # 1 fen into 103 dated 2024-01-31, the period's last day: 积数 one fen·day more.
    forge(
        ledger,
        kind="deposit",
        value_date=date(2024, 1, 31),
        lines=[(ledger.bank.pk, 1), (ledger.sub("103").pk, -1), (area_fund.pk, -1)],
    )
    code, output = run_check()
    assert code == 1
    assert (
        f"interest posting 2024-01-01–2024-01-31 of area {ledger.area.code}: the ledger gives "
        "a 积数 of 6600111 fen·days, 6600110 were allocated"
    ) in output


def test_a_deposit_dated_the_day_after_the_period_is_not_in_its_jishu(with_interest):
    ledger, posting = with_interest
    area_fund = ledger.account(Account.Kind.AREA_FUND)
    forge(
        ledger,
        kind="deposit",
        value_date=date(2024, 2, 1),
        lines=[(ledger.bank.pk, 1), (ledger.sub("103").pk, -1), (area_fund.pk, -1)],
    )
    assert run_check()[0] == 0
