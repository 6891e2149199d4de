"""audit.verify_chain on a real Celery worker: Redis broker, a worker subprocess, the
test's PostgreSQL database. Run with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_audit \\
        .venv/bin/pytest -m postgres tests/test_celery_worker.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult
from django.conf import settings
from django.db import connection, transaction

from audit.services import audit_record
from audit.tasks import verify_chain
from gongzhi.celery import app

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

BROKER = "redis://127.0.0.1:6379/15"
CELERY = Path(sys.executable).with_name("celery")
READY_TIMEOUT = 60
RESULT_TIMEOUT = 60


def _require_redis() -> None:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis does not answer at {BROKER} ({exc}); start it to run this test.")


def _test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip(
            "needs PostgreSQL: a worker process cannot open an in-memory SQLite test database"
        )
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A worker on a queue of its own, reading the test database; always stopped."""
    _require_redis()
    queue = f"test-audit-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
    }
    command = [
        str(CELERY), "-A", "gongzhi", "worker",
        "--pool=solo", "--concurrency=1", "-Q", queue, "-n", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_ready(process, log_path)
        yield queue, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_ready(process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{log_path.read_text()}")
        if "ready." in log_path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    pytest.fail(f"the worker was not ready within {READY_TIMEOUT} s:\n{log_path.read_text()}")


@contextmanager
def not_eager():
    """This process runs tasks eagerly (no broker in its settings). For this call
    publish for real, then restore the setting exactly as it was. The broker is
    passed as an explicit connection: the app's cached producer pool may already
    point at the default broker, and resetting it would mean private attributes."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


def test_a_worker_verifies_the_chain_written_by_this_test(worker):
    queue, log_path = worker
    eager_before = app.conf.task_always_eager
    for n in range(5):
        with transaction.atomic():
            audit_record(actor=None, action="test.change", object_type="tests.thing", object_id=n)

    with not_eager():
        with app.connection_for_write(BROKER) as broker:
            sent = verify_chain.apply_async(queue=queue, connection=broker)
        # The result comes back through Redis: only the worker can have put it there.
        result = AsyncResult(sent.id, app=app, backend=RedisBackend(app=app, url=BROKER))
        try:
            outcome = result.get(timeout=RESULT_TIMEOUT)
        except Exception as exc:  # show the worker's log with any failure
            pytest.fail(f"no result from the worker ({exc!r}):\n{log_path.read_text()}")

    assert (outcome["ok"], outcome["count"], outcome["broken_seq"]) == (True, 5, None)
    assert app.conf.task_always_eager is eager_before
