"""Evidence files of an application: checked (type, size, magic bytes), hashed, stored.

The check is ``core.uploads.validate_upload`` (PDF, JPEG or PNG, at most
10 MB, content matching the extension), reused rather than copied. Files get
random names (``emergency.models.applications``) and their SHA-256 goes into
the audit chain with the step that attached them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.text import join_list
from core.uploads import validate_upload

from ..models import Evidence, EvidenceKind, WhitelistItem

Upload = Any  # a Django UploadedFile (or File): name, size, read, seek, chunks


def file_facts(upload: Upload, field: str) -> tuple[int, str]:
    """Size and SHA-256 of an upload after the type, size and magic-byte check."""
    try:
        validate_upload(upload)
    except ValidationError as exc:
        message = _("%(name)s：%(error)s") % {
            "name": getattr(upload, "name", ""),
            "error": " ".join(exc.messages),
        }
        raise DomainError("bad_file", message, fields={field: message}) from None
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return upload.size, digest.hexdigest()


def evidence_clean(
    item: WhitelistItem | None, evidence: Sequence[tuple[str, Upload]], *, stage_kinds
) -> list[tuple[str, Upload, int, str]]:
    cleaned = []
    for kind, upload in evidence:
        if kind not in stage_kinds:
            message = _("未知的材料类别：%(kind)s。") % {"kind": kind}
            raise DomainError("bad_kind", message, fields={"evidence": message})
        size, sha256 = file_facts(upload, f"evidence_{kind}")
        cleaned.append((kind, upload, size, sha256))
    if item is not None:
        given = {kind for kind, *_rest in cleaned}
        missing = [kind for kind in item.evidence if kind not in given]
        if missing:
            labels = join_list(str(EvidenceKind(kind).label) for kind in missing)
            message = _("“%(item)s”须提交以下材料，缺少：%(labels)s。") % {
                "item": item.name,
                "labels": labels,
            }
            raise DomainError(
                "missing_evidence",
                message,
                fields={f"evidence_{kind}": _("必须提交。") for kind in missing},
            )
    return cleaned


def evidence_store(application, cleaned, actor) -> list[Evidence]:
    stored = []
    for kind, upload, size, sha256 in cleaned:
        row = Evidence(
            application=application,
            kind=kind,
            original_name=str(getattr(upload, "name", ""))[-200:],
            size=size,
            sha256=sha256,
            uploaded_by=actor,
        )
        row.file.save(row.original_name, upload, save=False)
        row.save()
        stored.append(row)
    return stored
