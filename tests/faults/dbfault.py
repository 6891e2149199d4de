"""Cutting a service off from the database in the middle of its transaction.

One test body, two ways to cut (``FAULTS``):

- ``injected`` (every database, the default run): the driver's error is raised
  at the cut point, as psycopg raises it when the server goes away.
- ``terminated`` (PostgreSQL only, ``-m postgres``): a second connection calls
  ``pg_terminate_backend`` on the worker's own session — what a failover, a
  DBA or the out-of-memory killer does. The worker's next statement fails for
  real and the server rolls its transaction back.

The cut point is the audit write of a named action (``AuditEvent.save``).
Every service writes its audit events after its own rows and inside the same
transaction (STYLE.md §2), so cutting at the last audit write of a call cuts
it after all of its other writes and before its commit. ``probe`` runs at the
cut, on the worker's connection, and records what the transaction had written
by then: the proof that the test cut something half-written.

Both variants run with ``django_db(transaction=True)``: the service's own
``atomic()`` is the outermost block, so its commit and rollback are the real
ones, as in production (a test transaction around it would turn them into
savepoints, and a terminated session would take the test's transaction too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, connection, transaction

from audit.models import AuditEvent

# What a caller sees when the connection goes in the middle of a statement.
DB_ERRORS = (OperationalError, InterfaceError)
INJECTED_MESSAGE = "server closed the connection unexpectedly"


def _admin_connection():
    import psycopg

    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )


def backend_terminate() -> int:
    """Terminate this connection's server session from a second connection; return its pid."""
    pid = connection.connection.info.backend_pid
    with _admin_connection() as admin:
        # PostgreSQL 14+: wait (up to 10 s) until the session has really gone.
        gone = admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()[0]
    assert gone, f"backend {pid} did not terminate"
    return pid


@dataclass(frozen=True)
class Fault:
    name: str

    def strike(self) -> None:
        if self.name == "terminated":
            backend_terminate()  # the statement that follows fails on the dead session
        else:
            raise OperationalError(INJECTED_MESSAGE)

    def caused(self, error: BaseException) -> bool:
        """Whether ``error`` is this cut (not some other database error on the way)."""
        if self.name == "terminated":
            import psycopg

            # AdminShutdown "terminating connection due to administrator command", or the
            # socket already closed: the driver's own error, wrapped by Django.
            return isinstance(error.__cause__, psycopg.OperationalError)
        return str(error) == INJECTED_MESSAGE

    def recover(self) -> None:
        """What a worker does after a lost connection: drop it; the next query reconnects."""
        connection.close()


FAULTS = [
    pytest.param(Fault("injected"), id="injected"),
    pytest.param(Fault("terminated"), id="terminated", marks=pytest.mark.postgres),
]


@pytest.fixture
def fault(request) -> Fault:
    chosen: Fault = request.param
    if chosen.name == "terminated" and connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL (DATABASE_URL)")
    return chosen


@dataclass
class Cut:
    action: str
    struck: bool = False
    seen: object = None
    actions_before: list[str] = field(default_factory=list)


def cut_at_audit(
    monkeypatch, fault: Fault, action: str, *, probe: Callable[[], object] | None = None
) -> Cut:
    """Cut the connection when the audit event ``action`` is about to be written (once)."""
    cut = Cut(action=action)
    original = AuditEvent.save

    def save(self, *args, **kwargs):
        if not cut.struck:
            if self.action == action:
                cut.struck = True
                cut.seen = probe() if probe is not None else None
                fault.strike()
            else:
                cut.actions_before.append(self.action)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AuditEvent, "save", save)
    return cut


def lose_reply_after_commit(monkeypatch, fault: Fault, action: str) -> Cut:
    """The transaction that writes audit event ``action`` commits, and then the connection
    goes before the caller hears so (the reply to COMMIT lost): the caller gets the database
    error although the work is done — the case an idempotency key exists for."""
    cut = Cut(action=action)
    original = AuditEvent.save

    def lost() -> None:
        fault.strike()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # a terminated session fails here

    def save(self, *args, **kwargs):
        if self.action == action and not cut.struck:
            cut.struck = True
            transaction.on_commit(lost)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AuditEvent, "save", save)
    return cut


def audit_chain_ok() -> str:
    """``manage.py audit_verify``: the audit chain has no gap and no stray event."""
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def funds_check_ok() -> str:
    """``manage.py funds_check``: the fund ledger balances (exits 1 with BROKEN otherwise)."""
    out = StringIO()
    call_command("funds_check", stdout=out)
    return out.getvalue()
