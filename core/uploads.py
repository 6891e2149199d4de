"""Uploaded files: the one check every file passes (scans, evidence, quotes, vouchers,
reports), and the model bases keeping its size, SHA-256 and upload time.

An uploaded file (an assembly's documents, a fund application's quotes and
photos, an emergency's evidence) is kept with its size, SHA-256 and upload
time (``UploadModel``), most also with the name it was uploaded under
(``NamedUploadModel``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Signatures of the only file kinds we keep: a wrong extension on a real
# PDF is refused as well as an executable renamed to .pdf.
_MAGIC = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def validate_upload(upload) -> None:
    """A PDF, JPEG or PNG file of at most 10 MB, its content matching its extension."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in _MAGIC:
        raise ValidationError(_("只能上传 PDF、JPG 或 PNG 文件。"), code="file_type")
    size = getattr(upload, "size", None)
    if size is None or size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("文件不能超过 10 MB。"), code="file_size")
    if size == 0:
        raise ValidationError(_("文件是空的。"), code="file_empty")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    if not any(head.startswith(magic) for magic in _MAGIC[extension]):
        raise ValidationError(_("文件内容与扩展名不符。"), code="file_content")


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
