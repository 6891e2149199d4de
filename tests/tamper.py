"""Raw SQL as an adversary with the owner's database credentials would run it.

On PostgreSQL the append-only tables refuse UPDATE and DELETE for every role
(``core.appendonly``); only the owner can switch those triggers off, with
``ALTER TABLE … DISABLE TRIGGER``. The tests that show what a rewrite of the
database is caught by (``audit_verify``, ``funds_check``, the board) do just
that around their statement, in a savepoint, and switch them on again. On
SQLite the statement simply runs.
"""

from __future__ import annotations

from django.db import connection, transaction

from core.appendonly import append_only_tables, triggers_disabled_sql


def tamper(statement: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        tables = append_only_tables(connection)
        for sql in triggers_disabled_sql(tables, enable=False):
            cursor.execute(sql)
        cursor.execute(statement, params)
        for sql in triggers_disabled_sql(tables, enable=True):
            cursor.execute(sql)
