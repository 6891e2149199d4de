"""Celery tasks of the estates app: thin wrappers over services (DESIGN.md "Layout")."""

from __future__ import annotations

from celery import shared_task

from . import jobs


@shared_task(name=jobs.IMPORT_TASK)
def register_import_job(job_id: int) -> str | None:
    """Import (or check) the register file of an ``ImportJob`` (``estates.jobs``).

    Safe to deliver twice (acks_late): the job is claimed with a compare-and-set,
    so a second delivery finds it no longer queued and does nothing — unless the
    run that claimed it died unfinished, which it then takes over (``estates.jobs``).
    Not retried: a failed job says why on its page, and the bureau uploads again.
    """
    job = jobs.import_job_run(job_id=job_id)
    return None if job is None else job.status


@shared_task(name="estates.import_jobs_recover")
def import_jobs_recover() -> list[int]:
    """Periodic: queue again the jobs no worker is running (``estates.jobs.import_jobs_recover``).

    Celery acknowledges a task whose worker process was killed without running
    it again, so without this sweep such a job would stay "running" for ever.
    """
    return jobs.import_jobs_recover()
