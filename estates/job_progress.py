"""Progress of a register import job (``estates.jobs``): where it is kept, and why.

``register_import`` calls ``progress(done, total)`` from inside its own
``transaction.atomic()``. A write to the job row there is invisible to the job page until the import
commits (and vanishes if it rolls back), so progress is published in the
Django cache under ``progress_key(job_id)``, at most every ``PROGRESS_STEP``
per cent, and the job page reads it while the job runs. The cache must be
shared by all workers (DESIGN.md "Scale"): Redis, or the default
``DatabaseCache``. The ``DatabaseCache`` uses the same database connection
as the import, so its writes would also wait for the commit; on PostgreSQL
``ImportProgress`` therefore writes from a helper thread, which has its own
connection in autocommit mode. SQLite has a single writer at a time (the
import holds it), so there the writes stay in the import's transaction and
show at its commit: SQLite is the zero-setup local run, where Celery is eager
and the browser is waiting on the upload request anyway. When the job ends
its final counts are on the job row itself.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DEFAULT_DB_ALIAS, connections, router

from estates.models import ImportJob

logger = logging.getLogger("gongzhi.estates.import")

PROGRESS_STEP = 2  # per cent between two progress writes
PROGRESS_TTL = 24 * 3600
Status = ImportJob.Status


def progress_key(job_id: int) -> str:
    return f"estates:import-job:{job_id}:progress"


def _cache_database() -> str | None:
    """The database alias the default cache writes to, when it is a ``DatabaseCache``."""
    backend = caches["default"]
    if isinstance(backend, DatabaseCache):
        return router.db_for_write(backend.cache_model_class)
    return None


class ImportProgress:
    """The ``progress(done, total)`` callback of one job: publishes progress in the cache.

    Writes at most every ``PROGRESS_STEP`` per cent, and always the last call.
    See the module docstring for why a helper thread writes on PostgreSQL; the
    import does not wait for it (``flush()`` does). A failed write is logged and
    never stops the import. Call ``close()`` at the end.
    """

    def __init__(self, job_id: int):
        self.key = progress_key(job_id)
        self.percent = 0
        self._aside: ThreadPoolExecutor | None = None
        alias = _cache_database()
        if alias == DEFAULT_DB_ALIAS and connections[alias].vendor != "sqlite":
            self._aside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-progress")

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if done < total and percent < self.percent + PROGRESS_STEP:
            return
        self.percent = percent
        value = {"done": done, "total": total}
        if self._aside is None:
            self._write(value)
        else:
            self._aside.submit(self._write, value)

    def _write(self, value: dict) -> None:
        try:
            cache.set(self.key, value, PROGRESS_TTL)
        except Exception:
            logger.warning("import progress not recorded (%s)", self.key, exc_info=True)

    def flush(self) -> None:
        """Wait until every progress value passed so far has been written."""
        if self._aside is not None:
            self._aside.submit(lambda: None).result()

    def close(self) -> None:
        if self._aside is not None:
            # The helper thread's own connection is closed in that thread.
            self._aside.submit(connections.close_all)
            self._aside.shutdown(wait=True)
            self._aside = None


@dataclass(frozen=True)
class JobProgress:
    done: int
    total: int
    # None while the total is not known yet (reading and checking the file).
    percent: int | None


def import_job_progress(job: ImportJob) -> JobProgress:
    """What the job page shows: the cache while the job runs, the job row otherwise."""
    if job.status == Status.DONE:
        return JobProgress(job.progress_done, job.progress_total, 100)
    done, total = job.progress_done, job.progress_total
    if job.status == Status.RUNNING:
        value = cache.get(progress_key(job.pk))
        if isinstance(value, dict):
            done, total = int(value.get("done", 0)), int(value.get("total", 0))
    percent = min(100, done * 100 // total) if total > 0 else None
    return JobProgress(done, total, percent)
