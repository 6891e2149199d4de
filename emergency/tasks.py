"""Celery tasks of the emergency app: thin wrappers over ``emergency.services`` (DESIGN.md "Layout").

Nothing depends on them having run (RULES.md §5, DESIGN.md "Time"): whether a
deadline is due or overdue, and a deemed approval where the setting allows
it, are read from the clock by every page and service. The task only sends
reminders and escalations, each once (``emergency.services.reminders``).

Beat entry (settings.CELERY_BEAT_SCHEDULE)::

    "emergency-reminders": {"task": "emergency.reminders_send", "schedule": 900}
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="emergency.reminders_send")
def reminders_send() -> dict:
    """Every quarter of an hour: remind what is due within 24 h, escalate what is overdue."""
    return services.reminders_send()
