"""Celery tasks of the voting app: thin wrappers over ``voting.services`` (DESIGN.md "Layout").

Nothing a vote needs depends on them (RULES.md §3: status comes from the
clock); they send text messages and do early what the first visitor would
otherwise trigger. Both are idempotent (``voting.services.notifications``).

Beat entry (settings.CELERY_BEAT_SCHEDULE)::

    "voting-tick": {"task": "voting.assemblies_tick", "schedule": 300}
"""

from __future__ import annotations

from celery import shared_task

from . import services
from .models import Assembly
from .services.common import notify_queue_register
from .services.turnout import REMINDER_TASK, turnout_reminder_deliver


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


@shared_task(name=REMINDER_TASK)
def turnout_reminder_send(reminder_id: int) -> dict:
    """Send the convener's reminder texts (voting.services.turnout), each at most once."""
    return turnout_reminder_deliver(reminder_id=reminder_id).as_dict()


# The services queue messages after commit through this (they never import this module).
notify_queue_register(lambda assembly_id, kind: notify.delay(assembly_id, kind))
