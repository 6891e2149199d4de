"""Append-only tables enforced by PostgreSQL itself (DESIGN.md "Trust anchors").

The models already refuse to update or delete a kept row (``KeptModel``,
``AuditEvent``…), but raw SQL goes past the models. On PostgreSQL each
append-only table gets two triggers, installed by its app's migration
(``append_only_install``):

- ``gongzhi_append_only``: ``BEFORE UPDATE OR DELETE … FOR EACH ROW``, which
  always raises. It is ``ENABLE ALWAYS``, so it fires even under
  ``session_replication_role = replica``, and it reads no setting: there is no
  session variable that lets a statement through (unlike
  ``django-pgtrigger``, whose triggers skip themselves while
  ``pgtrigger.ignore`` names them — a bypass any role that can run SQL can
  use, which is why these are plain SQL);
- ``gongzhi_append_only_truncate``: ``BEFORE TRUNCATE … FOR EACH STATEMENT``,
  which raises unless the current role owns the table. The runtime role
  (``manage.py db_roles``) owns nothing, so it can never empty the table
  (it is not granted TRUNCATE either); the owner role — migrations, and the
  test suite, which empties every table with one ``TRUNCATE`` between
  transactional tests (pytest-django ``flush``) — can.

Neither trigger stops the owner: an owner can drop a trigger. That is why the
application runs as the runtime role, which may only ``SELECT`` and ``INSERT``
on these tables and cannot ``ALTER`` them, and why the anchors in signed
publications exist for the case where the owner's credentials are abused.

SQLite has no such triggers; there the models' refusals and the audit
cross-checks are what stand.
"""

from __future__ import annotations

from collections.abc import Iterable

ROW_TRIGGER = "gongzhi_append_only"
TRUNCATE_TRIGGER = "gongzhi_append_only_truncate"

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION gongzhi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %.% refused: the table is append-only', TG_OP, TG_TABLE_SCHEMA,
        TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE OR REPLACE FUNCTION gongzhi_append_only_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user,
                       (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RAISE EXCEPTION 'TRUNCATE on %.% refused: the table is append-only', TG_TABLE_SCHEMA,
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def install_sql(table: str) -> str:
    t = _quote(table)
    return f"""
DROP TRIGGER IF EXISTS {ROW_TRIGGER} ON {t};
CREATE TRIGGER {ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION {ROW_TRIGGER}();
ALTER TABLE {t} ENABLE ALWAYS TRIGGER {ROW_TRIGGER};
DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {t};
CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION {TRUNCATE_TRIGGER}();
ALTER TABLE {t} ENABLE ALWAYS TRIGGER {TRUNCATE_TRIGGER};
"""


def uninstall_sql(table: str) -> str:
    t = _quote(table)
    return f"DROP TRIGGER IF EXISTS {ROW_TRIGGER} ON {t};\n" + (
        f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {t};\n"
    )


def append_only_install(*tables: str):
    """A migration operation installing both triggers on ``tables`` (PostgreSQL only)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # params None: the functions' "%" are RAISE placeholders, not query parameters.
        schema_editor.execute(FUNCTIONS_SQL, params=None)
        for table in tables:
            schema_editor.execute(install_sql(table), params=None)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(uninstall_sql(table), params=None)

    return migrations.RunPython(forward, backward, elidable=False)


def append_only_tables(connection) -> list[str]:
    """The tables that carry the row trigger, as the database says (PostgreSQL; [] elsewhere)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE t.tgname = %s AND n.nspname = current_schema() ORDER BY c.relname",
            [ROW_TRIGGER],
        )
        return [row[0] for row in cursor.fetchall()]


def triggers_disabled_sql(tables: Iterable[str], *, enable: bool) -> list[str]:
    """``ALTER TABLE … DISABLE|ENABLE ALWAYS TRIGGER`` for both triggers (owner only)."""
    verb = "ENABLE ALWAYS" if enable else "DISABLE"
    return [
        f"ALTER TABLE {_quote(table)} {verb} TRIGGER {name}"
        for table in tables
        for name in (ROW_TRIGGER, TRUNCATE_TRIGGER)
    ]


def roles_sql(
    *, owner: str, runtime: str, tables: list[str], append_only: list[str], sequences: list[str]
) -> list[str]:
    """The grants ``manage.py db_roles`` makes (after creating the roles).

    ``owner`` owns every table (migrations run as it); ``runtime`` (the
    application) may read and write the ordinary tables but only SELECT and
    INSERT the append-only ones. It keeps UPDATE on their ``id`` column alone,
    because ``SELECT … FOR UPDATE`` (locking a row before inserting after it)
    needs an UPDATE privilege; the row trigger refuses any actual UPDATE.
    """
    o, r = _quote(owner), _quote(runtime)
    sql = [f"ALTER TABLE {_quote(t)} OWNER TO {o}" for t in tables]
    sql += [f"ALTER SEQUENCE {_quote(s)} OWNER TO {o}" for s in sequences]
    sql += [
        f"ALTER FUNCTION {ROW_TRIGGER}() OWNER TO {o}",
        f"ALTER FUNCTION {TRUNCATE_TRIGGER}() OWNER TO {o}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {r}",
    ]
    for table in append_only:
        t = _quote(table)
        sql += [
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {r}",
            f"GRANT UPDATE (id) ON {t} TO {r}",
        ]
    return sql
