"""The works after approval: start, completion, acceptance, later evidence (RULES.md §5).

Reported by the applicant's side (``emergency.apply`` in the area) or, once
the bureau has commissioned the works itself (代修), by the bureau
(``emergency.commission``). The works-start time counts from the approval
(``emergency.deadlines``); acceptance needs its record attached.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text

from ..models import EmergencyApplication, Evidence, EvidenceKind
from ._common import application_lock, record, transition
from .decisions import materialise_deemed
from .evidence import Upload, evidence_clean, evidence_store

Status = EmergencyApplication.Status
APPLY = "emergency.apply"
COMMISSION = "emergency.commission"


def require_works_side(actor, application: EmergencyApplication) -> None:
    """The applicant's side (``emergency.apply`` in the area) or, after 代修, the bureau."""
    if permissions.can(actor, APPLY, application):
        return
    if hasattr(application, "commission") and permissions.can(actor, COMMISSION, application):
        return
    permissions.require(actor, APPLY, application)


def _clean_moment(at: datetime | None, now: datetime, earliest: datetime, field: str) -> datetime:
    at = at or now
    if timezone.is_naive(at):
        raise DomainError("bad_time", _("请填写完整的日期和时间。"), fields={field: _("无效。")})
    if at > now or at < earliest:
        message = _("时间须在%(earliest)s之后、现在之前。") % {
            "earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M")
        }
        raise DomainError("bad_time", message, fields={field: message})
    return at


def _works_pending(locked: EmergencyApplication, now: datetime) -> None:
    materialise_deemed(locked, now)
    if locked.status not in EmergencyApplication.WORKS_PENDING:
        raise Conflict(
            "not_approved",
            _("申请当前状态为“%(status)s”，此操作只能在批准后、完工前进行。")
            % {"status": locked.get_status_display()},
        )


def application_works_start(
    *,
    application: EmergencyApplication,
    actor,
    at: datetime | None = None,
    now: datetime | None = None,
) -> EmergencyApplication:
    """Record when the works started (the works-start clock, RULES.md §5)."""
    require_works_side(actor, application)
    now = now or timezone.now()
    with transaction.atomic():
        locked = application_lock(application)
        _works_pending(locked, now)
        if locked.works_started_at is not None:
            raise Conflict("already_started", _("已登记开工时间。"))
        at = _clean_moment(at, now, locked.filed_at, "at")
        return record(
            locked,
            actor=actor,
            action="emergency.works_start",
            fields={"works_started_at": at},
        )


def application_works_done(
    *,
    application: EmergencyApplication,
    actor,
    at: datetime | None = None,
    now: datetime | None = None,
) -> EmergencyApplication:
    """The works are finished (approved or prepaid → works done)."""
    require_works_side(actor, application)
    now = now or timezone.now()
    with transaction.atomic():
        locked = application_lock(application)
        _works_pending(locked, now)
        at = _clean_moment(at, now, locked.works_started_at or locked.filed_at, "at")
        fields = {"works_done_at": at}
        if locked.works_started_at is None:
            fields["works_started_at"] = at
        return transition(
            locked, Status.WORKS_DONE, actor=actor, action="emergency.works_done", fields=fields
        )


def application_accept(
    *,
    application: EmergencyApplication,
    actor,
    note: str,
    evidence: Sequence[Upload] = (),
    now: datetime | None = None,
) -> EmergencyApplication:
    """Acceptance of the finished works (竣工验收), with its record attached (RULES.md §4–5)."""
    require_works_side(actor, application)
    note = clean_text(
        note, field="note", required=True, limit=2000, label=_("验收意见"), multiline=True
    )
    files = evidence_clean(
        None,
        [(EvidenceKind.ACCEPTANCE, upload) for upload in evidence],
        stage_kinds=EvidenceKind.values,
    )
    now = now or timezone.now()
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status != Status.WORKS_DONE:
            raise Conflict(
                "not_done",
                _("申请当前状态为“%(status)s”，须先登记完工才能验收。")
                % {"status": locked.get_status_display()},
            )
        if not files and not locked.evidence.filter(kind=EvidenceKind.ACCEPTANCE).exists():
            message = _("请上传竣工验收记录。")
            raise DomainError(
                "missing_evidence", message, fields={f"evidence_{EvidenceKind.ACCEPTANCE}": message}
            )
        evidence_store(locked, files, actor)
        return transition(
            locked,
            Status.ACCEPTED,
            actor=actor,
            action="emergency.accept",
            fields={"accepted_at": now, "acceptance_note": note},
            summary={"evidence": len(files)},
        )


def evidence_add(
    *, application: EmergencyApplication, kind: str, upload: Upload, actor
) -> Evidence:
    """Attach one more file (e.g. a later report) while the application is not yet settled."""
    require_works_side(actor, application)
    [(kind, upload, size, sha256)] = evidence_clean(
        None, [(kind, upload)], stage_kinds=EvidenceKind.values
    )
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status in (Status.SETTLED, Status.PUBLISHED, Status.REFUSED):
            raise Conflict(
                "closed",
                _("申请当前状态为“%(status)s”，不能再添加材料。")
                % {"status": locked.get_status_display()},
            )
        [row] = evidence_store(locked, [(kind, upload, size, sha256)], actor)
        audit_record(
            actor=actor,
            action="emergency.evidence_add",
            obj=locked,
            after={"evidence": row.sha256, "kind": kind},
            summary={"application": locked.pk, "kind": kind},
        )
    return row
