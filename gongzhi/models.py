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


class KeptError(Exception):
    """Raised on any attempt to change or remove a row that is kept for good."""


class KeptQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise self.model.kept_error(
            f"{self.model._meta.verbose_name_plural} are kept for good: they cannot be changed."
        )

    def delete(self):
        raise self.model.kept_error(
            f"{self.model._meta.verbose_name_plural} are kept for good: they cannot be deleted."
        )


class KeptModel(models.Model):
    """Insert once, then never change or delete."""

    kept_error: type[KeptError] = KeptError
    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.kept_error(f"A {self._meta.verbose_name} cannot be changed once stored.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.kept_error(f"A {self._meta.verbose_name} cannot be deleted.")


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
