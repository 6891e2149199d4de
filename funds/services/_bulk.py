"""Plain multi-row INSERTs for the ledger's big postings (an interest posting writes a row
per sub-ledger: 300,000 entries and as many notices for a large district).

``QuerySet.bulk_create`` builds a model instance per row and prepares every
value through its field; for rows of integers that is nine tenths of the
time (bench/interest_post_bench.py). Here the caller passes values already in
database form and they go straight to ``executemany`` in batches. Only for
inserts of new rows: the append-only guards (``funds.models.ledger``) are on
update and delete, and the database's own constraints still apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connection, models

BATCH = 5000


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    batch: int = BATCH,
) -> int:
    """INSERT ``rows`` (tuples in the order of ``fields``) into ``model``'s table; returns the count."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model's own metadata, quoted; values are parameters.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    rows = iter(rows)
    written = 0
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, batch)):
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


def db_datetime(value):
    """A timezone-aware datetime in the form the database expects for a DateTimeField."""
    return connection.ops.adapt_datetimefield_value(value)
