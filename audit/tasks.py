"""Celery tasks of the audit app: thin wrappers over ``audit.selectors``."""

from __future__ import annotations

from celery import shared_task

from .selectors import audit_chain_verify


@shared_task(name="audit.verify_chain")
def verify_chain() -> dict:
    """Verify the whole chain; the same walk as ``manage.py audit_verify``. Read-only,
    so running it twice (acks_late redelivery) is harmless."""
    return audit_chain_verify().as_dict()
