"""A real Celery worker for tests: Redis broker, a worker subprocess, the test's
PostgreSQL database (a worker process cannot open an in-memory SQLite one).

``worker_start`` runs ``celery worker`` on a queue of its own and stops it
however the test ends; ``task_send`` publishes a task to that queue through the
broker (this test process itself runs tasks eagerly: no broker in its settings).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult
from django.conf import settings
from django.db import connection

from gongzhi.celery import app

BROKER = "redis://127.0.0.1:6379/15"
CELERY = Path(sys.executable).with_name("celery")
READY_TIMEOUT = 60


def redis_required() -> None:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis does not answer at {BROKER} ({exc}); start it to run this test.")


def database_url() -> str:
    """The URL of the database this test runs on, for another process to open."""
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


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a process that works on this test's database and files."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


@dataclass
class Worker:
    queue: str
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def worker_start(
    log_path: Path, *, app_module: str = "gongzhi", pool: str = "solo", **env: str
) -> Iterator[Worker]:
    """A worker of ``app_module`` on a queue of its own, ready; always stopped."""
    redis_required()
    queue = f"test-{uuid.uuid4().hex}"
    environment = process_env(
        CELERY_BROKER_URL=BROKER, CELERY_RESULT_BACKEND=BROKER, GZ_TEST_QUEUE=queue, **env
    )
    command = [
        str(CELERY), "-A", app_module, "worker",
        f"--pool={pool}", "--concurrency=1", "-Q", queue, "-n", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    worker = Worker(queue, log_path, process)
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_ready(worker: Worker) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.log()}")
        if "ready." in worker.log():
            return
        time.sleep(0.2)
    pytest.fail(f"the worker was not ready within {READY_TIMEOUT} s:\n{worker.log()}")


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


def task_send(worker: Worker, task, *args) -> AsyncResult:
    """Publish ``task(*args)`` to the worker's queue; its result comes back through Redis."""
    with not_eager(), app.connection_for_write(BROKER) as broker:
        sent = task.apply_async(args=args, queue=worker.queue, connection=broker)
    return AsyncResult(sent.id, app=app, backend=RedisBackend(app=app, url=BROKER))


def task_result(result: AsyncResult, *, timeout: float, propagate: bool = True):
    """Wait for what the worker returned (``AsyncResult.get`` refuses in an eager process)."""
    with not_eager():
        return result.get(timeout=timeout, propagate=propagate)
