"""Celery tasks of core: housekeeping only (thin wrappers, DESIGN.md "Layout")."""

from __future__ import annotations

from celery import shared_task

from .upload_drafts import kept_uploads_purge


@shared_task(name="core.kept_uploads_purge")
def kept_uploads_purge_all() -> int:
    """Hourly: remove every kept upload past its time, not only those a submit happens to
    sweep (a form left half-filled must not keep its files for ever). Batches of 200."""
    removed = 0
    while batch := kept_uploads_purge():
        removed += batch
    return removed
