"""The baseline of the posting benchmarks: what a posting writes, and nothing else.

``posting_rows`` reads back the rows a real posting wrote (its entries and the
owners' notices); ``posting_insert`` writes the same rows again for a new
transaction with the ledger's bulk writer (``insert_rows``: COPY on PostgreSQL,
executemany on SQLite) and nothing else — no reading, no checks, no allocation,
no audit. Callers time it inside a transaction they roll back.
"""

from __future__ import annotations

from datetime import date


def posting_rows(txn) -> tuple[list[tuple], list[tuple]]:
    """(account id, amount) of each entry and (unit, person, amount) of each notice of ``txn``."""
    from funds.models import Entry, PostingNotice

    entries = list(Entry.objects.filter(transaction=txn).values_list("account_id", "amount_fen"))
    notices = list(
        PostingNotice.objects.filter(transaction=txn).values_list(
            "unit_id", "person_id", "amount_fen"
        )
    )
    return entries, notices


def posting_insert(area, *, kind: str, value_date: date, entries, notices, tag: str):
    """A transaction of ``kind`` with ``entries`` and ``notices``, written and nothing else."""
    from django.utils import timezone

    from funds.ledger.services.bulk import db_datetime, insert_rows
    from funds.models import Entry, PostingNotice, Transaction

    txn = Transaction.objects.create(
        area=area, kind=kind, memo="baseline", value_date=value_date, key=tag, digest="0" * 64
    )
    insert_rows(
        Entry, ["transaction", "account", "amount_fen"], ((txn.pk, a, v) for a, v in entries)
    )
    now = db_datetime(timezone.now())
    columns = [
        "transaction",
        "unit",
        "person",
        "amount_fen",
        "created_at",
        "sms_status",
        "sms_claim",
    ]
    insert_rows(
        PostingNotice, columns, ((txn.pk, u, p, v, now, "pending", "") for u, p, v in notices)
    )
    return txn
