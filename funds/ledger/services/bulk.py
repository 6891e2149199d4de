"""Plain row inserts for the ledger's big postings (an interest posting writes a row per
sub-ledger: 300,000 entries and as many notices for a large district).

``QuerySet.bulk_create`` builds a model instance per row and prepares every
value through its field; for rows of integers that is nine tenths of the
time (bench/interest_post_bench.py). Here the caller passes values already in
database form. On PostgreSQL they are streamed with ``COPY … FROM STDIN``:
one statement for all rows, about twenty times faster than one INSERT per row
(which is what ``executemany`` sends, pipelined), with every constraint,
index and trigger applied as for an INSERT. Elsewhere (SQLite) they go to
``executemany`` in batches. Only for new rows: the append-only guards
(``funds.ledger.models.accounts``) are on update and delete.
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
    """Write ``rows`` (tuples in the order of ``fields``) into ``model``'s table; returns the count."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    # Table and column names come from the model's own metadata, quoted; values are data.
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        rows = iter(rows)
        while chunk := list(islice(rows, batch)):
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


def db_datetime(value):
    """A timezone-aware datetime in the form the database expects for a DateTimeField."""
    return connection.ops.adapt_datetimefield_value(value)
