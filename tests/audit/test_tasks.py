"""The audit.verify_chain task (run eagerly here; tests/test_celery_worker.py runs it on a worker)."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from audit.tasks import verify_chain
from gongzhi.celery import app
from tests.tamper import tamper

pytestmark = pytest.mark.django_db


def test_the_task_is_registered_under_its_name():
    assert app.tasks["audit.verify_chain"].run is verify_chain.run


def test_the_task_reports_an_intact_chain(record):
    events = record(3)

    result = verify_chain.delay().get()

    assert result == {
        "ok": True,
        "count": 3,
        "head": events[2].hash,
        "broken_seq": None,
        "broken_id": None,
        "reason": "",
    }


def test_the_task_reports_the_first_broken_event(record):
    events = record(3)
    tamper(
        f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s",
        ["test.forged", events[1].pk],
    )

    result = verify_chain.delay().get()

    assert (result["ok"], result["count"], result["broken_seq"]) == (False, 1, 2)
    assert result["broken_id"] == events[1].pk
    assert result["reason"] == "hash does not match the event's contents"
