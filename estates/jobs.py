"""Register imports run as Celery jobs from the upload page (DESIGN.md "Long batch work").

A 20,000-row file takes ~25 s to import: too long for a web request. The
upload page therefore only stores the file and creates an ``ImportJob``;
the task ``estates.register_import_job`` (``estates.tasks``) runs
``register_import`` and the job page shows its progress and, at the end, the
same row report as before. With no broker (the default local run) Celery is
eager and the task runs right after the commit, still inside the request.

- **The file** is kept for good (it is the record of what was imported) and
  encrypted with the Fernet key, because it holds resident ID numbers in clear
  (DESIGN.md "Personal data"). The job keeps the SHA-256 of the clear bytes;
  the task refuses a stored file that no longer matches it.
- **Claiming** is a compare-and-set (STYLE.md §7): ``queued → running`` must
  update exactly one row, so a task delivered twice runs once. Every move
  follows ``ImportJob.TRANSITIONS`` and writes an audit event with it.
- **All or nothing**: the import and the ``running → done`` move commit in one
  transaction. If anything fails the import rolls back and the job is marked
  ``failed`` with a plain message (the traceback goes to the log only).
- **A worker that dies** (killed, out of memory, the machine lost) leaves its
  job ``running`` with nothing imported: its transaction dies with it. Such a
  job is *abandoned*, and the task delivered again takes it over instead of
  leaving it ``running`` for ever (docs/operations.md "故障与恢复"). Each run
  claims the job with a fresh ``started_at``, which is its claim token: every
  later move of the job is a compare-and-set on it, so a run that was taken
  over can no longer finish the job. Whether a run is alive: on PostgreSQL a
  run holds the job's row lock for as long as its import transaction is open
  and the lock goes with a dead worker's session, so a job whose row is not
  locked is abandoned at once; without row locks (SQLite, the local run) a
  job is abandoned once it has been running for ``STALE_AFTER``. Celery does
  not deliver again a task whose worker process was killed (it acknowledges
  it as lost), so ``import_jobs_recover`` (task ``estates.import_jobs_recover``,
  run by beat) queues again what is abandoned, and what was queued
  ``STALE_AFTER`` ago and never ran (a message the broker lost).
- **The report** is stored as JSON: errors ``[line, reason]`` (the first
  ``MAX_ERRORS_KEPT``, with the total), counts and the codes of units not in
  the file. The parser quotes a bad cell in its reason, so a resident ID
  number or phone typed into the wrong column would be quoted too: every run
  of 11 or more digits is masked before anything is stored.

**Progress** is published in the cache while the job runs (``estates.job_progress``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import PurePath

from celery import current_app
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.phones import mask_phone
from audit.services import audit_record
from core.errors import Conflict, DomainError
from estates.crypto import mask_id
from estates.job_progress import ImportProgress, JobProgress, import_job_progress, progress_key
from estates.models import ImportJob, ManagementArea
from estates.services.import_report import ImportReport
from estates.services.importing import register_import

logger = logging.getLogger("gongzhi.estates.import")

__all__ = [
    "JobProgress",
    "ImportProgress",
    "import_job_create",
    "import_job_file",
    "import_job_progress",
    "import_job_run",
    "import_jobs_recover",
    "import_jobs_visible",
    "progress_key",
    "redact",
    "report_json",
]

ACTION = "register.edit"
# A file with more errors is almost always the wrong file; the page shows as many.
MAX_ERRORS_KEPT = 1000
# Without row locks, how long a job may run before it counts as abandoned (20,000 rows take
# ~25 s). Also how long a queued job waits before its message counts as lost (Redis
# redelivers an unacknowledged message after its one-hour visibility timeout).
STALE_AFTER = timedelta(hours=1)
Status = ImportJob.Status

# 11 or more digits in a row (an optional check character X): a phone or an ID number.
# Area values (at most 10 integer digits) and room numbers never are that long.
_LONG_NUMBER_RE = re.compile(r"(?<![0-9])[0-9]{11,}[Xx]?(?![0-9A-Za-z])")


def redact(text: str) -> str:
    """``text`` with every phone / ID-number-like run of digits masked (138****5678)."""

    def mask(match: re.Match) -> str:
        number = match.group()
        return mask_phone(number) if len(number) == 11 else mask_id(number)

    return _LONG_NUMBER_RE.sub(mask, text)


def _fernet() -> Fernet:
    return Fernet(settings.GONGZHI_FERNET_KEY.encode())


def _audit(job_id: int, *, actor, action: str, summary: dict) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=ImportJob._meta.label_lower,
        object_id=job_id,
        summary={"job": job_id, **summary},
    )


def _move(job_id: int, old: str, new: str, *, claim: datetime | None = None, **fields) -> bool:
    """Compare-and-set ``old → new`` with ``fields``, audited; False when the job was not ``old``
    (or, with ``claim``, is no longer the run's that claimed it then)."""
    if new not in ImportJob.TRANSITIONS[old]:
        raise Conflict(
            "bad_transition",
            _("导入任务当前状态为“%(old)s”，不能变为“%(new)s”。")
            % {"old": Status(old).label, "new": Status(new).label},
        )
    rows = ImportJob.objects.filter(pk=job_id, status=old)
    if claim is not None:
        rows = rows.filter(started_at=claim)
    with transaction.atomic():
        moved = rows.update(status=new, **fields)
        if moved != 1:
            return False
        summary = {"from": old, "to": new}
        if fields.get("message"):
            summary["message"] = fields["message"]
        _audit(job_id, actor=None, action=f"register.import_job_{new}", summary=summary)
    return True


# --- creating and queueing --------------------------------------------------------------------


def import_job_create(
    *, area: ManagementArea, data: bytes, filename: str, dry_run: bool, actor
) -> ImportJob:
    """Store an uploaded register file (encrypted) and queue its import or check.

    The task is queued after the commit (``transaction.on_commit``): a worker
    never looks for a job that is not there yet.
    """
    permissions.require(actor, ACTION, area)
    name = redact(PurePath(filename or "").name).strip()[:255] or "register"
    suffix = PurePath(name).suffix.lower()
    stored_name = f"{uuid.uuid4().hex}{suffix if suffix in ('.csv', '.xlsx') else ''}.fernet"
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        job = ImportJob(
            area=area,
            original_filename=name,
            sha256=digest,
            size=len(data),
            dry_run=dry_run,
            created_by=actor,
        )
        # Written before the row; if the transaction then fails, an encrypted orphan remains.
        job.file.save(stored_name, ContentFile(_fernet().encrypt(data)), save=False)
        job.save()
        _audit(
            job.pk,
            actor=actor,
            action="register.import_job_create",
            summary={
                "area": area.code,
                "filename": name[:200],
                "file_sha256": digest,
                "dry_run": dry_run,
            },
        )
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(job_id))
    return job


IMPORT_TASK = "estates.register_import_job"


def _enqueue(job_id: int) -> None:
    # By name, from the app's registry: ``estates.tasks`` imports this module, never the
    # reverse (STYLE.md rule 14). The registered task honours eager mode, unlike send_task.
    try:
        current_app.tasks[IMPORT_TASK].delay(job_id)
    except Exception:
        # The broker is unreachable: nothing ran, so say so on the job page.
        logger.exception("import job %s could not be queued", job_id)
        _move(
            job_id,
            Status.QUEUED,
            Status.FAILED,
            finished_at=timezone.now(),
            message=_("后台任务无法提交，未写入任何数据。请稍后重新上传。"),
        )


# --- running ------------------------------------------------------------------------------------


class _JobLost(Exception):
    """The job left ``running`` while it ran; its import must not commit."""


def import_job_file(job: ImportJob) -> bytes:
    """The clear bytes of a job's stored file, checked against its SHA-256."""
    with job.file.open("rb") as stored:
        token = stored.read()
    try:
        data = _fernet().decrypt(token)
    except InvalidToken:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != job.sha256:
        raise DomainError(
            "import_file_damaged",
            _("保存的台账文件无法读取或已损坏（校验值不符），未写入任何数据。请重新上传。"),
        )
    return data


def _abandoned(running: QuerySet[ImportJob], now: datetime) -> datetime | None:
    """The ``started_at`` of the running job in ``running`` if no live run holds it, else None.

    Call inside a transaction. See the module docstring ("A worker that dies").
    """
    if connections[running.db].features.has_select_for_update_skip_locked:
        # A live run holds the row lock; a dead worker's lock went with its session.
        rows = running.select_for_update(skip_locked=True)
    else:
        rows = running.filter(started_at__lt=now - STALE_AFTER)
    return rows.values_list("started_at", flat=True).first()


def _take_over(job_id: int) -> datetime | None:
    """Claim a running job whose run is gone (a fresh ``started_at``); the new claim, or None."""
    now = timezone.now()
    with transaction.atomic():
        running = ImportJob.objects.filter(pk=job_id, status=Status.RUNNING)
        started = _abandoned(running, now)
        if started is None or running.filter(started_at=started).update(started_at=now) != 1:
            return None
        _audit(
            job_id,
            actor=None,
            action="register.import_job_taken_over",
            summary={"started_at": started.isoformat()},
        )
    return now


def _hold(job_id: int, claim: datetime) -> bool:
    """Lock the job's row for the rest of the run's transaction (the sign that it is alive);
    False when another run has taken the job over meanwhile."""
    return (
        ImportJob.objects.select_for_update()
        .filter(pk=job_id, status=Status.RUNNING, started_at=claim)
        .values_list("pk", flat=True)
        .first()
        is not None
    )


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Claim a queued (or abandoned) job and run it to ``done`` or ``failed``; None if there
    was nothing to run.

    A second delivery of the same task finds the job claimed and does nothing
    while the run that claimed it is alive; once that run is gone without
    finishing (its worker died), it takes the job over.
    """
    claim = timezone.now()
    if not _move(job_id, Status.QUEUED, Status.RUNNING, started_at=claim):
        claim = _take_over(job_id)
        if claim is None:
            logger.info("import job %s is not queued nor abandoned; nothing to do", job_id)
            return None
        logger.warning("import job %s was abandoned by its worker; running it again", job_id)
    job = ImportJob.objects.select_related("area", "created_by").get(pk=job_id)
    progress = ImportProgress(job.pk)
    try:
        data = import_job_file(job)
        with transaction.atomic():
            if not _hold(job.pk, claim):
                raise _JobLost
            # The import is re-checked against the uploader's rights as they are now.
            report = register_import(
                area=job.area,
                data=data,
                filename=job.original_filename,
                actor=job.created_by,
                dry_run=job.dry_run,
                progress=progress,
            )
            rows = report.counts.rows
            if not _move(
                job.pk,
                Status.RUNNING,
                Status.DONE,
                claim=claim,
                finished_at=timezone.now(),
                progress_done=rows,
                progress_total=rows,
                report=report_json(report),
            ):
                raise _JobLost
    except _JobLost:
        logger.warning("import job %s left 'running' while it ran; import rolled back", job.pk)
        return None
    except DomainError as exc:
        # A message for a person (no permission any more, a concurrent import, a damaged file).
        _fail(job.pk, exc.message, claim=claim)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _fail(
            job.pk,
            _("导入时发生内部错误，未写入任何数据。请稍后重试；如仍失败，请联系系统管理员。"),
            claim=claim,
        )
    finally:
        progress.close()
    job.refresh_from_db()
    return job


def _fail(job_id: int, message: str, *, claim: datetime) -> None:
    _move(
        job_id,
        Status.RUNNING,
        Status.FAILED,
        claim=claim,
        finished_at=timezone.now(),
        message=message,
    )


def import_jobs_recover(*, now: datetime | None = None) -> list[int]:
    """Queue again every job no worker is running; return their ids. Safe to repeat.

    That is a job left ``running`` by a worker that died, and one ``queued``
    ``STALE_AFTER`` ago that never started (a lost message). The task takes
    them over (``import_job_run``); a job queued twice runs once.
    """
    now = now or timezone.now()
    lost = list(
        ImportJob.objects.filter(status=Status.QUEUED, created_at__lt=now - STALE_AFTER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    abandoned = []
    for job_id in (
        ImportJob.objects.filter(status=Status.RUNNING).order_by("pk").values_list("pk", flat=True)
    ):
        with transaction.atomic():
            running = ImportJob.objects.filter(pk=job_id, status=Status.RUNNING)
            if _abandoned(running, now) is not None:
                abandoned.append(job_id)
    for job_id in lost + abandoned:
        _enqueue(job_id)
    return lost + abandoned


def report_json(report: ImportReport) -> dict:
    """The report as stored on the job: no ID number, no phone (see ``redact``)."""
    return {
        "ok": report.ok,
        "dry_run": report.dry_run,
        "filename": redact(report.filename),
        "file_sha256": report.file_sha256,
        "errors": [[line, redact(reason)] for line, reason in report.errors[:MAX_ERRORS_KEPT]],
        "errors_total": len(report.errors),
        "counts": asdict(report.counts),
        "not_in_file_codes": list(report.not_in_file_codes),
    }


# --- reading ------------------------------------------------------------------------------------


def import_jobs_visible(user) -> QuerySet[ImportJob]:
    """The jobs of the areas where ``user`` may edit the register (others are "not found")."""
    return ImportJob.objects.filter(
        area__in=permissions.areas_for(user, ACTION).values("pk")
    ).select_related("area", "created_by")
