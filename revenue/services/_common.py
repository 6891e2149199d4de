"""What every revenue service shares: period checks, the area lock, a file's digest."""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError
from estates.models import ManagementArea

from ..quarters import Quarter


def quarter_of(year, quarter) -> Quarter:
    try:
        return Quarter(year, quarter)
    except ValueError:
        message = _("请选择有效的年度和季度。")
        raise DomainError("bad_period", message, fields={"quarter": message}) from None


def require_finished(period: Quarter, today) -> None:
    """A quarter is published or allocated only once it is over (quarters.Quarter.finished)."""
    if not period.finished(today):
        raise Conflict(
            "quarter_not_finished",
            _("%(period)s尚未结束（截至 %(last)s），结束后才能公示或分配。")
            % {"period": period.label, "last": f"{period.last_day:%Y-%m-%d}"},
            fields={"quarter": _("该季度尚未结束。")},
        )


def area_lock(area) -> ManagementArea:
    """Lock the area row: decisions and notices of one area are taken one at a time."""
    return ManagementArea.objects.select_for_update().get(pk=area.pk)


def upload_sha256(upload) -> str:
    """The SHA-256 of an uploaded file (a voucher, a decision), read from the start."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
