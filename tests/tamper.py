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
        if tables:
            # ALTER TABLE refuses while deferred foreign-key checks are pending
            # (rows inserted earlier in the test's transaction): run them now,
            # and defer again at the end (Django's default).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in triggers_disabled_sql(tables, enable=False):
            cursor.execute(sql)
        cursor.execute(statement, params)
        for sql in triggers_disabled_sql(tables, enable=True):
            cursor.execute(sql)
        if tables:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
