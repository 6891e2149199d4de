"""Processes killed for real (SIGKILL) in the middle of their work (issue #9 item 3).

``test_worker_killed.py`` stands in for the kill inside the test process. Here
the process is real and so is the kill: a Celery worker's pool process, and a
management command, are stopped inside their transaction (``tests.faults.hang``)
and killed with SIGKILL, as the out-of-memory killer or ``kill -9`` does. No
handler of theirs runs; the database server rolls back what their session had
written and releases its locks. The work is then done again, once:

- the register import: the worker reports the task lost; the periodic sweep
  finds the job abandoned at once (its row lock went with the dead session) and
  queues it again; the same worker's new pool process imports it, once;
- the interest posting (``manage.py funds_interest``): nothing of the killed
  run is posted; run again it posts the period once; a third run is refused.

Needs PostgreSQL and Redis: ``-m postgres``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from audit.models import AuditEvent
from estates import jobs, tasks
from estates.models import ImportJob
from funds.ledger import selectors
from funds.models import InterestPosting, Transaction
from tests.celeryworker import process_env, task_result, task_send, worker_start
from tests.funds.conftest import build_fund

from .hang import pid_wait
from .test_worker_killed import (
    IMPORTED,
    NO_ROWS,
    TAKEN_OVER_AND_DONE,
    job_actions,
    register_counts,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

STOP_TIMEOUT = 120  # the stopped process got there (a worker starting, an import running)
TASK_TIMEOUT = 120


def until(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.2)
    return value


def job_row_free(job_id: int) -> bool:
    """No session holds the job's row lock (a live import run holds it to its end)."""
    with transaction.atomic():
        rows = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id)
        return rows.exists()


def test_a_worker_killed_with_sigkill_mid_import_leaves_nothing_and_the_sweep_imports_once(
    district, personas, sample, monkeypatch, tmp_path
):
    # The upload's message is delivered by the test itself, to the real worker.
    monkeypatch.setattr(jobs, "_enqueue", lambda job_id: None)
    job = jobs.import_job_create(
        area=district.a1, data=sample, filename="台账.csv", dry_run=False, actor=personas.reviewer
    )
    monkeypatch.undo()
    marker = tmp_path / "stopped"
    hang = {"GZ_HANG_AUDIT": "register.import", "GZ_HANG_MARKER": str(marker)}

    with worker_start(
        tmp_path / "worker.log", app_module="tests.faults.hang", pool="prefork", **hang
    ) as worker:
        first = task_send(worker, tasks.register_import_job, job.pk)
        pid = pid_wait(marker, timeout=STOP_TIMEOUT, alive=lambda: worker.process.poll() is None)

        # Stopped inside the import: the whole register written, nothing committed,
        # and the run alive — its job row locked, so the sweep leaves it alone.
        assert pid != worker.process.pid  # a pool process, not the worker itself
        job.refresh_from_db()
        assert job.status == "running" and register_counts() == NO_ROWS
        assert not job_row_free(job.pk)
        assert jobs.import_jobs_recover() == []

        os.kill(pid, signal.SIGKILL)
        task_result(first, timeout=TASK_TIMEOUT, propagate=False)
        assert first.state == "FAILURE" and "SIGKILL" in str(first.result)
        until(lambda: job_row_free(job.pk), timeout=30, what="the dead session's lock released")
        job.refresh_from_db()
        assert job.status == "running" and register_counts() == NO_ROWS
        assert worker.process.poll() is None  # the worker lives on with a new pool process

        swept = task_result(task_send(worker, tasks.import_jobs_recover), timeout=TASK_TIMEOUT)
        assert swept == [job.pk]
        until(
            lambda: ImportJob.objects.filter(pk=job.pk, status="done").exists(),
            timeout=TASK_TIMEOUT,
            what=f"the job done by the worker:\n{worker.log()}",
        )
        assert "WorkerLostError" in worker.log()

    assert register_counts() == IMPORTED
    assert AuditEvent.objects.filter(action="register.import").count() == 1
    assert job_actions(job) == TAKEN_OVER_AND_DONE


def interest_command(area_code: str) -> list[str]:
    return [
        "funds_interest", "--area", area_code,
        "--start", "2024-01-01", "--end", "2024-01-31", "--amount", "10.00",
    ]  # fmt: skip


def test_the_interest_command_killed_with_sigkill_posts_nothing_and_once_when_run_again(
    district, tmp_path
):
    fund = build_fund(district.a1)
    # 积数: 101 holds 1,000.00 元 all January, 102 2,000.00 元 from the 16th (tests/funds).
    fund.deposit("101", 100_000, on=date(2024, 1, 1))
    fund.deposit("102", 200_000, on=date(2024, 1, 16))
    marker = tmp_path / "stopped"
    environment = process_env(GZ_HANG_AUDIT="fund.interest", GZ_HANG_MARKER=str(marker))
    args = interest_command(district.a1.code)

    with (tmp_path / "command.log").open("wb") as log:
        killed = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.hang", *args],
            cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        pid = pid_wait(marker, timeout=STOP_TIMEOUT, alive=lambda: killed.poll() is None)
        # Stopped with the entries and the notices written, not committed.
        assert pid == killed.pid
        assert not Transaction.objects.filter(kind=Transaction.Kind.INTEREST).exists()
        os.kill(pid, signal.SIGKILL)
        assert killed.wait(timeout=30) == -signal.SIGKILL
    finally:
        if killed.poll() is None:
            killed.kill()

    assert not Transaction.objects.filter(kind=Transaction.Kind.INTEREST).exists()
    assert not InterestPosting.objects.exists()
    assert selectors.balance(fund.sub("101")) == 100_000
    call_command("funds_check", stdout=StringIO())  # exits 1 (CommandError) if unbalanced

    manage = [sys.executable, "manage.py", *args]
    again = subprocess.run(
        manage, cwd=settings.BASE_DIR, env=process_env(), capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("OK ")
    # 1,000 fen × 3.1/6.3 → 492; × 3.2/6.3 → 507 + the left-over fen (tests/funds/test_interest_post).
    assert selectors.balance(fund.sub("101")) == 100_492
    assert selectors.balance(fund.sub("102")) == 200_508

    third = subprocess.run(
        manage, cwd=settings.BASE_DIR, env=process_env(), capture_output=True, text=True
    )
    assert third.returncode == 1 and "已经分配过" in third.stderr
    assert Transaction.objects.filter(kind=Transaction.Kind.INTEREST).count() == 1
    assert InterestPosting.objects.count() == 1
