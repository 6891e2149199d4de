"""manage.py audit_verify as a real process: its exit status is what cron and
monitoring read. Needs PostgreSQL (a second process cannot see SQLite in memory)."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from audit.models import AuditEvent
from tests.tamper import tamper

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: a second process cannot open an in-memory SQLite database")
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


def audit_verify() -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    env.pop("CELERY_BROKER_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "audit_verify", "--chunk-size", "2"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_intact_chain_exits_0(record):
    events = record(5)

    done = audit_verify()

    assert (done.returncode, done.stdout) == (0, f"OK: 5 events, head {events[-1].hash}\n")


def test_a_tampered_chain_exits_1_naming_the_event(record):
    events = record(5)
    tamper(
        f"UPDATE {AuditEvent._meta.db_table} SET summary = %s WHERE id = %s",
        ['{"说明": "改过"}', events[3].pk],
    )

    done = audit_verify()

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"BROKEN at event #4 (id {events[3].pk}): hash does not match the event's contents\n"
    )
