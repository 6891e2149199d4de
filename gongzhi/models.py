"""What several apps' models share: rows kept for good once stored, and uploaded files.

Ballots and frozen rolls (RULES.md §1, §3), ledger rows (§4: nothing is
updated or deleted), public-revenue entries (§6) and published whitelist
versions (§5) are inserted once and never changed or removed. Each app names
its own error (a subclass of ``KeptError``) through ``kept_error``.

An uploaded file (an assembly's documents, a fund application's quotes and
photos, an emergency's evidence) is kept with its size, SHA-256 and upload
time (``UploadModel``), most also with the name it was uploaded under
(``NamedUploadModel``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.kept import KeptError, KeptModel, KeptQuerySet

__all__ = [
    "KeptError",
    "KeptModel",
    "KeptQuerySet",
    "NamedUploadModel",
    "UploadModel",
]


# The kept-for-good bases moved to ``core.kept`` (below every app); re-exported here.


class UploadModel(models.Model):
    """What is kept beside an uploaded file: its size, its SHA-256 and when it came.

    Each model declares its own ``file`` (where the file is stored differs, and
    its ``upload_to`` is part of the migration) and ``uploaded_by`` (required
    or not).
    """

    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        abstract = True


class NamedUploadModel(UploadModel):
    """An upload that also keeps the name the file had on the uploader's computer."""

    original_name = models.CharField(_("原文件名"), max_length=200)

    class Meta:
        abstract = True

    @property
    def is_image(self) -> bool:
        # validate_upload keeps only PDF, JPEG and PNG files: what is not a PDF is a picture.
        return not self.original_name.lower().endswith(".pdf")
