"""Celery tasks of the fund: thin wrappers over its services (DESIGN.md "Layout").

A service never imports this module: the ledger's notices queue the send task
by its name (``funds.ledger.services.notices.SEND_TASK``); ``FundsConfig.ready``
imports this module so the name is registered in every process.

No posting depends on them: the notice rows are written with the posting;
these only deliver the text messages, each at most once
(``funds.ledger.services.notices``).

Beat entry (settings.CELERY_BEAT_SCHEDULE)::

    "funds-notices-sweep": {"task": "funds.posting_notices_sweep", "schedule": 600}
    "funds-shortfall-report": {"task": "funds.shortfall_demands_report", "schedule": 21600}
"""

from __future__ import annotations

from celery import shared_task

from funds.ledger.services import notices
from funds.procedure.services import reservations


@shared_task(name=notices.SEND_TASK)
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
