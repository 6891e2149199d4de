"""manage.py funds_check: exit 0 on a whole ledger, exit 1 naming what raw SQL broke."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from funds import services
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
    from funds.services.ledger import _digest

    area_fund = ledger.account(Account.Kind.AREA_FUND)
    lines = [
        (ledger.sub("101").pk, 200_000),
        (area_fund.pk, 200_000),
        (ledger.account("works").pk, -200_000),
    ]
    digest = _digest(
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
