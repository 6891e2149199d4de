"""Set up the two PostgreSQL roles: the owner (migrations) and the runtime role (the app).

DESIGN.md "Trust anchors"; docs/operations.md "数据库角色". Run it as a
superuser after every ``migrate`` (new tables need their grants). Safe to
re-run: roles that exist are kept, grants are set afresh.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.appendonly import append_only_tables, roles_sql


def _role_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    return cursor.fetchone() is not None


class Command(BaseCommand):
    help = (
        "Create (if missing) the owner role, which owns every table and runs migrations, and "
        "the runtime role, which the application logs in as: it may SELECT and INSERT, and "
        "nothing else, on the append-only tables (ballots, frozen rolls, ledger, audit events, "
        "publication log, revenue entries, whitelist versions). PostgreSQL only; run as a "
        "superuser. Passwords come from the environment variables named by --owner-password-env "
        "and --runtime-password-env, if set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="gongzhi_owner", help="owner role (%(default)s)")
        parser.add_argument("--runtime", default="gongzhi_app", help="runtime role (%(default)s)")
        parser.add_argument("--owner-password-env", default="GONGZHI_DB_OWNER_PASSWORD")
        parser.add_argument("--runtime-password-env", default="GONGZHI_DB_RUNTIME_PASSWORD")

    def handle(self, *args, owner, runtime, owner_password_env, runtime_password_env, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "db_roles sets up PostgreSQL roles; this database is not PostgreSQL."
            )
        if owner == runtime:
            raise CommandError("--owner and --runtime must be two different roles.")
        append_only = append_only_tables(connection)
        if not append_only:
            raise CommandError("No append-only table has its triggers: run migrate first.")
        with transaction.atomic(), connection.cursor() as cursor:
            for name, env, extra in (
                (owner, owner_password_env, "NOSUPERUSER NOCREATEROLE"),
                # The runtime role can change nothing about the schema or other roles.
                (
                    runtime,
                    runtime_password_env,
                    "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT",
                ),
            ):
                quoted = connection.ops.quote_name(name)
                if not _role_exists(cursor, name):
                    cursor.execute(f"CREATE ROLE {quoted} LOGIN {extra}")
                    self.stdout.write(f"created role {name}")
                else:
                    cursor.execute(f"ALTER ROLE {quoted} {extra}")
                password = os.environ.get(env, "")
                if password:
                    cursor.execute(f"ALTER ROLE {quoted} PASSWORD %s", [password])
            cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [runtime, owner])
            if cursor.fetchone()[0]:
                raise CommandError(f"{runtime} is a member of {owner}: it would own the tables.")
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            )
            tables = [row[0] for row in cursor.fetchall()]
            # Sequences not owned by a column (identity sequences follow their table).
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = current_schema() AND NOT EXISTS ("
                "SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))"
            )
            sequences = [row[0] for row in cursor.fetchall()]
            for statement in roles_sql(
                owner=owner,
                runtime=runtime,
                tables=tables,
                append_only=append_only,
                sequences=sequences,
            ):
                cursor.execute(statement)
        self.stdout.write(
            f"OK: {owner} owns {len(tables)} tables; {runtime} may only SELECT and INSERT on "
            f"{len(append_only)} append-only tables: {', '.join(append_only)}"
        )
