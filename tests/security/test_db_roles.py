"""PostgreSQL itself keeps the append-only tables append-only (core.appendonly, db_roles).

As the runtime role (``SET ROLE``, after ``manage.py db_roles``), every way to
change or empty an append-only table fails: UPDATE, DELETE, TRUNCATE,
``ALTER TABLE … DISABLE TRIGGER`` and ``SET session_replication_role``. Even
the owner cannot UPDATE or DELETE without first dropping or disabling the
trigger, and replica mode does not switch it off (``ENABLE ALWAYS``). The
owner may TRUNCATE: that is how the test suite empties its tables between
transactional tests (one ``TRUNCATE`` of every table, pytest-django's flush).

Everything here runs inside the test's transaction, so the roles and grants
are rolled back with it.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.services import audit_record
from core.appendonly import ROW_TRIGGER, TRUNCATE_TRIGGER, append_only_tables

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EXPECTED = [
    "audit_auditevent",
    "emergency_whitelistitem",
    "emergency_whitelistversion",
    "funds_entry",
    "funds_transaction",
    "publications_publicationlogentry",
    "revenue_revenueentry",
    "voting_ballot",
    "voting_rollsnapshot",
    "voting_votingright",
    "voting_votingrightholder",
]


@pytest.fixture
def roles():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL roles and triggers")
    suffix = connection.settings_dict["NAME"].replace("-", "_")[-30:]
    owner, runtime = f"gz_owner_{suffix}", f"gz_app_{suffix}"
    out = StringIO()
    call_command("db_roles", owner=owner, runtime=runtime, stdout=out)
    assert f"{runtime} may only SELECT and INSERT on {len(EXPECTED)} append-only tables" in (
        out.getvalue()
    )
    return owner, runtime


def refused(sql: str, params=()) -> str:
    with (  # noqa: PT012 - the savepoint is the point
        pytest.raises(DatabaseError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return str(caught.value)


def event():
    with transaction.atomic():
        return audit_record(actor=None, action="test.row", object_type="tests.thing", object_id=1)


def test_the_append_only_tables_are_the_ones_the_issue_names():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL")
    assert append_only_tables(connection) == EXPECTED


def test_the_runtime_role_can_change_and_empty_no_append_only_table(roles):
    _owner, runtime = roles
    row = event()
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{runtime}"')
    try:
        # What the application does still works: read, and append through the service.
        appended = event()
        assert appended.seq == row.seq + 1
        # Column privileges refuse most updates; the trigger refuses the rest.
        assert "permission denied" in refused(
            "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [row.pk]
        )
        assert "append-only" in refused(
            "UPDATE audit_auditevent SET id = id WHERE id = %s", [row.pk]
        )
        assert "permission denied" in refused(
            "DELETE FROM audit_auditevent WHERE id = %s", [row.pk]
        )
        for table in EXPECTED:
            assert "permission denied" in refused(f"DELETE FROM {table}")  # noqa: S608
            assert "permission denied" in refused(f"TRUNCATE {table}")
            for trigger in (ROW_TRIGGER, TRUNCATE_TRIGGER, "ALL", "USER"):
                assert "must be owner" in refused(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            assert "must be owner" in refused(f"DROP TRIGGER {ROW_TRIGGER} ON {table}")
        assert "permission denied" in refused("SET session_replication_role = replica")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    # SET ROLE is checked against the *session* user: this session logged in as the
    # superuser, so it could take any role. A session that logs in as the runtime role
    # can take only the roles it is a member of — and it is a member of none.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(%s, %s, 'MEMBER'), rolsuper, rolcreaterole, rolbypassrls "
            "FROM pg_roles WHERE rolname = %s",
            [runtime, _owner, runtime],
        )
        assert cursor.fetchone() == (False, False, False, False)


def test_even_the_owner_cannot_update_or_delete_and_replica_mode_changes_nothing(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL")
    row = event()
    assert "append-only" in refused(
        "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [row.pk]
    )
    assert "append-only" in refused("DELETE FROM audit_auditevent WHERE id = %s", [row.pk])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        assert "append-only" in refused(
            "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [row.pk]
        )
    # The owner (here the superuser the suite runs as) may empty a table: the flush.
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Rows inserted in this test's transaction leave deferred foreign-key checks
            # pending, and TRUNCATE refuses to run past pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE audit_auditevent, audit_audithead")
            cursor.execute("SELECT count(*) FROM audit_auditevent")
            assert cursor.fetchone() == (0,)
        transaction.set_rollback(True)


def test_no_trigger_function_reads_a_setting(db):
    # A pgtrigger.ignore-style bypass reads a session variable; these read none.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname IN (%s, %s)",
            [ROW_TRIGGER, TRUNCATE_TRIGGER],
        )
        functions = dict(cursor.fetchall())
        cursor.execute(
            "SELECT DISTINCT tgenabled FROM pg_trigger WHERE tgname IN (%s, %s)",
            [ROW_TRIGGER, TRUNCATE_TRIGGER],
        )
        enabled = {row[0] for row in cursor.fetchall()}
    assert set(functions) == {ROW_TRIGGER, TRUNCATE_TRIGGER}
    assert all("current_setting" not in source for source in functions.values())
    assert enabled == {"A"}  # ENABLE ALWAYS: fires in replica mode too
