"""Files chosen on a form that is shown again are kept, not lost (issue 16 item 4).

A browser never re-fills a file input: when a form with uploads is shown again
for any other error, every file the user chose would have to be chosen again.
Instead each upload that passes ``core.uploads.validate_upload`` is kept
server-side for the draft (a ``core.models.KeptUpload`` row, under MEDIA_ROOT,
expiring after ``KEPT_FOR``), and the form shown again lists it
("已保留：报价单.pdf（可更换）"); a file that failed the check is named as one
to choose again ("须重新选择"). On the next submit a field with no new file
gets its kept files back; choosing new files for a field replaces what was
kept for it. On success the view calls ``attached()`` and the kept copies go
(the service stored its own).

Owner-scoped: rows are found by (owner, form, token) only, so a forged token,
another user's token or another form's token finds nothing.

In a view::

    draft = UploadDraft(request, form="emergency.apply:a1", fields=[...])
    form = SomeForm(request.POST, draft.files(), ...)   # on POST
    ...success: draft.attached()
    render(..., {"uploads": draft})   # template: core/_upload_token.html, core/_kept_uploads.html
"""

from __future__ import annotations

import mimetypes
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from .uploads import validate_upload

KEPT_FOR = timedelta(hours=24)
DRAFT_FIELD = "upload_token"
DISCARD_FIELD = "kept_discard"
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Refused:
    """A file chosen on this submit that failed the check: it must be chosen again."""

    field: str
    name: str
    reason: str


def _sha256(upload) -> str:
    import hashlib

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def kept_uploads_purge(*, now=None) -> int:
    """Remove kept files past their time (and their stored files); the number removed."""
    from .models import KeptUpload

    now = now or timezone.now()
    removed = 0
    for row in KeptUpload.objects.filter(expires_at__lte=now)[:200]:
        row.file.delete(save=False)
        row.delete()
        removed += 1
    return removed


class UploadDraft:
    """The kept uploads of one form on one page for the signed-in user."""

    def __init__(self, request, *, form: str, fields):
        self.form = form
        self.fields = list(fields)
        self.user = request.user if getattr(request.user, "is_authenticated", False) else None
        posted = request.POST.get(DRAFT_FIELD, "") if request.method == "POST" else ""
        self.token = posted if _TOKEN_RE.match(posted) else secrets.token_hex(16)
        self.refused: list[Refused] = []
        self._new: dict[str, list] = {}
        if request.method == "POST" and self.user is not None:
            self._take(request)

    # ------------------------------------------------------------------ reading

    def _rows(self):
        from .models import KeptUpload

        if self.user is None:
            return KeptUpload.objects.none()
        return KeptUpload.objects.filter(
            owner=self.user, form=self.form, token=self.token, expires_at__gt=timezone.now()
        )

    def kept(self, field: str) -> list:
        return [row for row in self._rows().order_by("pk") if row.field == field]

    def kept_by_field(self) -> dict[str, list]:
        found: dict[str, list] = {name: [] for name in self.fields}
        for row in self._rows().order_by("pk"):
            found.setdefault(row.field, []).append(row)
        return found

    def refused_for(self, field: str) -> list[Refused]:
        return [r for r in self.refused if r.field == field]

    # ------------------------------------------------------------------ a submit

    def _take(self, request) -> None:
        """Drop what the user discarded, replace a field's kept files by newly chosen ones,
        keep each new file that passes the check, name each that does not."""
        from .models import KeptUpload

        kept_uploads_purge()
        discard = [int(pk) for pk in request.POST.getlist(DISCARD_FIELD) if pk.isdigit()]
        if discard:
            for row in self._rows().filter(pk__in=discard):
                row.file.delete(save=False)
                row.delete()
        expires = timezone.now() + KEPT_FOR
        for name in self.fields:
            chosen = [upload for upload in request.FILES.getlist(name) if upload]
            if not chosen:
                continue
            self._new[name] = chosen
            for row in self._rows().filter(field=name):
                row.file.delete(save=False)
                row.delete()
            for upload in chosen:
                try:
                    validate_upload(upload)
                except ValidationError as exc:
                    reason = " ".join(exc.messages).rstrip("。.")  # shown inside （…）
                    self.refused.append(Refused(name, upload.name, reason))
                    continue
                row = KeptUpload(
                    owner=self.user,
                    form=self.form,
                    token=self.token,
                    field=name,
                    original_name=str(upload.name)[-200:],
                    size=upload.size,
                    sha256=_sha256(upload),
                    expires_at=expires,
                )
                # A copy, never a move: a large upload is a temporary file that the storage
                # would move away (file_move_safe) before the form and the service read it.
                row.file.save(row.original_name, File(upload.file, name=upload.name), save=False)
                row.save()
                upload.seek(0)

    def files(self) -> MultiValueDict:
        """What the form gets: the files chosen now where a field has any (checked again by
        the form and the service, so a refused one still refuses), the kept ones elsewhere."""
        result = MultiValueDict()
        kept = self.kept_by_field()
        for name in self.fields:
            if name in self._new:
                result.setlist(name, self._new[name])
            elif kept.get(name):
                result.setlist(name, [self._reopen(row) for row in kept[name]])
        return result

    @staticmethod
    def _reopen(row) -> SimpleUploadedFile:
        with row.file.open("rb") as handle:
            content = handle.read()
        kind = mimetypes.guess_type(row.original_name)[0] or "application/octet-stream"
        return SimpleUploadedFile(row.original_name, content, content_type=kind)

    def attached(self) -> None:
        """The form succeeded: its service stored its own copies; the kept ones go."""
        for row in self._rows():
            row.file.delete(save=False)
            row.delete()
