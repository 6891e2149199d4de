"""Celery tasks of the fund: thin wrappers over ``funds.services`` (DESIGN.md "Layout").

No posting depends on them: the notice rows are written with the posting;
these only deliver the text messages, each at most once
(``funds.services.notices``).

Beat entry (settings.CELERY_BEAT_SCHEDULE)::

    "funds-notices-sweep": {"task": "funds.posting_notices_sweep", "schedule": 600}
    "funds-shortfall-report": {"task": "funds.shortfall_demands_report", "schedule": 21600}
"""

from __future__ import annotations

from celery import shared_task

from funds.procedure.services import reservations

from .services import notices


@shared_task(name="funds.posting_notices_send")
def posting_notices_send_task(transaction_id: int) -> dict:
    """Text the owners of the units one transaction posted to (batched, idempotent)."""
    return notices.posting_notices_send(transaction_id=transaction_id).as_dict()


@shared_task(name="funds.posting_notices_sweep")
def posting_notices_sweep_task() -> dict:
    """Requeue failed texts and send whatever is pending (a lost task, a broker outage)."""
    requeued = notices.posting_notices_retry()
    return {"requeued": requeued, **notices.posting_notices_send(limit=20000).as_dict()}


@shared_task(name="funds.shortfall_demands_report")
def shortfall_demands_report_task() -> dict:
    """Report unpaid 分摊补缴 past their deadline to the convener and the street (idempotent)."""
    return reservations.shortfall_demands_report()
