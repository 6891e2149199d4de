"""Celery tasks of the voting app: thin wrappers over ``voting.services`` (DESIGN.md "Layout").

Nothing a vote needs depends on them (RULES.md §3: status comes from the
clock); they send text messages and do early what the first visitor would
otherwise trigger. Both are idempotent (``voting.services.notifications``).

Beat entry (settings.CELERY_BEAT_SCHEDULE)::

    "voting-tick": {"task": "voting.assemblies_tick", "schedule": 300}
    "voting-text-sends-resume": {"task": "voting.text_sends_resume", "schedule": 120}

A worker resumes the queued texts when it starts as well (``worker_ready``),
so a restart sends what the last one left, whether or not beat runs.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from . import services
from .models import Assembly
from .services import text_sends
from .services.common import notify_queue_register


@shared_task(name="voting.notify")
def notify(assembly_id: int, kind: str) -> dict:
    """Send notice ``kind`` (notice, open, closing, result) of an assembly to its owners.

    Failed messages are not retried here (in eager mode a retry would run in
    the request that triggered it): their claims are given back and the next
    tick sends them.
    """
    assembly = Assembly.objects.filter(pk=assembly_id).first()
    if assembly is None:
        return {"sent": 0, "skipped": 0, "failed": 0}
    return services.notifications_send(assembly=assembly, kind=kind).as_dict()


@shared_task(name="voting.assemblies_tick")
def assemblies_tick() -> dict:
    """Every few minutes: open due assemblies, count closed ones, publish, remind, finalise."""
    return services.assemblies_tick()


@shared_task(name=text_sends.RUN_TASK)
def text_sends_run(assembly_id: int) -> dict:
    """Send an assembly's queued texts (its notice, a reminder); each row at most once."""
    return text_sends.text_sends_run(assembly_id=assembly_id).as_dict()


@shared_task(name="voting.text_sends_resume")
def text_sends_resume() -> dict:
    """Put back texts a dead worker left half-done and send everything pending."""
    return text_sends.text_sends_resume()


@worker_ready.connect
def _resume_on_start(sender=None, **kwargs) -> None:
    # Queued, not run here: the worker is not consuming yet while this signal runs.
    text_sends_resume.delay()


# The services queue messages after commit through this (they never import this module).
notify_queue_register(lambda assembly_id, kind: notify.delay(assembly_id, kind))
