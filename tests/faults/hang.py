"""Stop a real process dead at a chosen point, so that a test can kill it there.

``tests.faults.killing`` stands in for a kill inside the test process; this
module is for the real thing: a Celery worker or a management command in a
process of its own, which the test kills with SIGKILL once it is stopped here.
It is armed by that process's environment, never in the test process:

- ``GZ_HANG_AUDIT``: the audit action at which to stop. Every operation
  writes its audit event last in its own transaction, so at that point the
  operation's rows are all written and none is committed.
- ``GZ_HANG_MARKER``: a file; the process writes its pid there, then sleeps.
  It stops once only: when the file is there already (the run after the
  kill), it goes on.

Two ways in:

- ``celery -A tests.faults.hang worker --pool=prefork``: the project's Celery
  app, armed in each pool process as it starts. Tasks queued by tasks (a sweep
  queueing the job it found) go to the worker's own queue (``GZ_TEST_QUEUE``).
- ``python -m tests.faults.hang <command> [args…]``: a management command, armed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from celery.signals import worker_process_init

from gongzhi.celery import app

if os.environ.get("GZ_TEST_QUEUE"):
    app.conf.task_default_queue = os.environ["GZ_TEST_QUEUE"]


def arm() -> None:
    from audit.models import AuditEvent

    action = os.environ.get("GZ_HANG_AUDIT", "")
    marker = Path(os.environ.get("GZ_HANG_MARKER", ""))
    if not action:
        return
    original = AuditEvent.save

    def save(self, *args, **kwargs):
        if self.action == action and not marker.exists():
            written = marker.with_suffix(".part")
            written.write_text(str(os.getpid()))
            written.rename(marker)
            while True:  # until the test kills this process
                time.sleep(60)
        return original(self, *args, **kwargs)

    AuditEvent.save = save


@worker_process_init.connect
def _arm_pool_process(**_kwargs) -> None:
    arm()


def pid_wait(marker: Path, *, timeout: float, alive) -> int:
    """The pid the stopped process wrote to ``marker``; fails the test if ``alive()``
    turns false or ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if not alive() or time.monotonic() > deadline:
            pytest.fail(f"the process never stopped at {marker.name}")
        time.sleep(0.1)
    return int(marker.read_text())


if __name__ == "__main__":
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    django.setup()
    arm()
    call_command(sys.argv[1], *sys.argv[2:])
