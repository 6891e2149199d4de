"""audit.verify_chain on a real Celery worker: Redis broker, a worker subprocess, the
test's PostgreSQL database. Run with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_audit \\
        .venv/bin/pytest -m postgres tests/test_celery_worker.py
"""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.services import audit_record
from audit.tasks import verify_chain
from gongzhi.celery import app
from tests.celeryworker import task_result, task_send, worker_start

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

RESULT_TIMEOUT = 60


def test_a_worker_verifies_the_chain_written_by_this_test(tmp_path):
    eager_before = app.conf.task_always_eager
    for n in range(5):
        with transaction.atomic():
            audit_record(actor=None, action="test.change", object_type="tests.thing", object_id=n)

    with worker_start(tmp_path / "worker.log") as worker:
        # The result comes back through Redis: only the worker can have put it there.
        result = task_send(worker, verify_chain)
        try:
            outcome = task_result(result, timeout=RESULT_TIMEOUT)
        except Exception as exc:  # show the worker's log with any failure
            pytest.fail(f"no result from the worker ({exc!r}):\n{worker.log()}")

    assert (outcome["ok"], outcome["count"], outcome["broken_seq"]) == (True, 5, None)
    assert app.conf.task_always_eager is eager_before
