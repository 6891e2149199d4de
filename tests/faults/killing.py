"""A worker killed in the middle of a task, as the task's code sees it.

When a worker process dies nothing of it runs any more: no ``except
Exception`` handler, no retry, no claim given back. In a test the closest
thing is ``SystemExit`` raised at the chosen point: it passes every ``except
Exception`` on its way up, and ``transaction.atomic`` rolls back as a dead
session's transaction is rolled back by the server. On PostgreSQL the tests
that need the session to be really gone (its row locks released) terminate it
too (``tests.faults.dbfault.backend_terminate``). The real thing — a worker's
pool process and a management command killed with SIGKILL — is in
``test_sigkill.py`` (PostgreSQL and Redis).
"""

from __future__ import annotations

import pytest

from accounts import sms
from accounts.sms import LocmemSender
from audit.models import AuditEvent

KILLED = "worker killed"


class DyingSender(LocmemSender):
    """The SMS sender of a worker that is killed when it is about to send text number
    ``die_at`` (counted over the test); every other text goes to ``accounts.sms.outbox``."""

    die_at = 0
    calls = 0

    def send(self, phone: str, text: str) -> None:
        cls = type(self)
        cls.calls += 1
        if cls.calls == cls.die_at:
            raise SystemExit(KILLED)
        super().send(phone, text)


@pytest.fixture
def dying_sender(settings):
    """``dying_sender(n)``: the worker dies before its n-th text; returns the outbox."""
    settings.GONGZHI_SMS_BACKEND = "tests.faults.killing.DyingSender"
    sms.outbox.clear()

    def arm(die_at: int) -> list:
        DyingSender.die_at, DyingSender.calls = die_at, 0
        return sms.outbox

    yield arm
    DyingSender.die_at, DyingSender.calls = 0, 0
    sms.outbox.clear()


def die_at_audit(monkeypatch, action: str, *, probe=None, before=None) -> dict:
    """Kill the worker when the audit event ``action`` is about to be written (once).

    ``probe()`` records what the task had written by then; ``before()`` runs just
    before the kill (e.g. terminating the database session)."""
    seen: dict = {}
    original = AuditEvent.save

    def save(self, *args, **kwargs):
        if self.action == action and "at_kill" not in seen:
            seen["at_kill"] = probe() if probe is not None else True
            if before is not None:
                before()
            raise SystemExit(KILLED)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AuditEvent, "save", save)
    return seen


def texts_by_phone(outbox) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in outbox:
        counts[message.phone] = counts.get(message.phone, 0) + 1
    return counts
