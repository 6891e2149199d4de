"""make run's setup for real: a Celery worker on kombu's SQLAlchemy transport over a SQLite
file (no Redis), sending an assembly's queued notice texts. Run with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_notices \\
        .venv/bin/pytest -m postgres tests/voting/test_text_sends_worker.py

The broker is a SQLite file; the Django database must be one a second process can open
(PostgreSQL here: the SQLite test database lives in memory).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from gongzhi.celery import app
from tests.celeryworker import process_env
from voting.models import TextSend
from voting.services.text_sends import (
    RUN_TASK,
    notice_recipients,
    notice_text,
    text_sends_queue,
)

from .conftest import ORDINARY, make_assembly, mark_noticed

pytest.importorskip("sqlalchemy")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

CELERY = Path(sys.executable).with_name("celery")
TIMEOUT = 60


def queue(assembly, *, kind: str, round: int = 0) -> None:  # noqa: A002
    with transaction.atomic():
        text_sends_queue(
            assembly=assembly,
            kind=kind,
            round=round,
            person_ids=notice_recipients(assembly).values_list("pk", flat=True),
            text=notice_text(assembly),
            enqueue=False,
        )


def wait_until_sent(assembly, *, kind: str, expected: int, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if TextSend.objects.filter(assembly=assembly, kind=kind, status="sent").count() == expected:
            return
        time.sleep(0.5)
    pytest.fail(f"the worker did not send the {kind} texts:\n{log.read_text(errors='replace')}")


def test_a_worker_on_a_sqlite_broker_resumes_on_start_and_sends_what_is_queued(
    register, personas, tmp_path
):
    broker = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    assembly = mark_noticed(make_assembly(register.area, personas.committee, motions=(ORDINARY,)))
    # Queued while no worker runs (a worker that died, a server started first).
    queue(assembly, kind="notice")
    assert TextSend.objects.filter(status="pending").count() == 6

    log = tmp_path / "worker.log"
    command = [
        str(CELERY), "-A", "gongzhi", "worker", "--pool=solo", "--concurrency=1",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    environment = process_env(CELERY_BROKER_URL=broker)
    with log.open("wb") as out:
        worker = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        # Nothing was sent to the broker: the worker's start resumes the pending texts.
        wait_until_sent(assembly, kind="notice", expected=6, log=log)

        # A reminder queued now goes out through the broker, by the task's name.
        queue(assembly, kind="reminder", round=1)
        saved = app.conf.task_always_eager
        app.conf.task_always_eager = False
        try:
            with app.connection_for_write(broker) as connection:
                app.tasks[RUN_TASK].apply_async(args=[assembly.pk], connection=connection)
        finally:
            app.conf.task_always_eager = saved
        wait_until_sent(assembly, kind="reminder", expected=6, log=log)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
    assert TextSend.objects.exclude(status="sent").count() == 0
    assert TextSend.objects.filter(attempts=1).count() == 12  # each sent once
