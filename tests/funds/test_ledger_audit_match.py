"""Ledger transactions against the audit event of their posting (``audit_verify``).

``funds_check`` proves that entries still hash to the digest stored on their
transaction; an adversary with the database rewrites both. The posting's
audit event (``fund.<kind>``) recorded the key, digest and reversal when it
was posted, so ``audit_verify`` names the rewritten transaction.

Figures: a deposit of 1,000.00 元 (100,000 fen) to unit 101 is rewritten as
1,000.01 元 (bank +100,001, sub-ledger and control −100,001) with a fresh digest.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from funds.ledger.services.posting import transaction_digest
from funds.models import Entry, Transaction
from tests.tamper import tamper

pytestmark = pytest.mark.django_db


def run(command: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command(command, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_an_intact_ledger_matches_its_audit_events(fund):
    fund.deposit("101", 100_000)
    fund.deposit("102", 200_000)

    code, out, _err = run("audit_verify")

    assert code == 0
    assert "OK: 2 ledger transactions match their audit events" in out


def test_a_posting_rewritten_with_a_fresh_digest_passes_funds_check_but_not_audit_verify(fund):
    fund.deposit("102", 200_000)
    txn = fund.deposit("101", 100_000)
    entries = list(Entry.objects.filter(transaction=txn).select_related("account"))
    lines = []
    for entry in entries:
        amount = entry.amount_fen + (1 if entry.amount_fen > 0 else -1)  # one fen more each way
        tamper("UPDATE funds_entry SET amount_fen = %s WHERE id = %s", [amount, entry.pk])
        lines.append((entry.account_id, amount))
    assert sorted(amount for _a, amount in lines) == [-100_001, -100_001, 100_001]
    digest = transaction_digest(
        kind=txn.kind,
        area_id=txn.area_id,
        value_date=txn.value_date,
        lines=lines,
        reverses_id=None,
    )
    tamper("UPDATE funds_transaction SET digest = %s WHERE id = %s", [digest, txn.pk])

    assert run("funds_check")[0] == 0  # the ledger holds together on its own

    code, _out, err = run("audit_verify")

    assert code == 1
    assert err == (
        f"MISMATCH in ledger transactions: ledger transaction {txn.pk}: key/digest/reversal "
        "do not match audit event #"
        f"{_posting_seq(txn)} written when it was posted\n"
    )


def _posting_seq(txn: Transaction) -> int:
    from audit.models import AuditEvent

    return AuditEvent.objects.get(object_type="funds.transaction", object_id=str(txn.pk)).seq
