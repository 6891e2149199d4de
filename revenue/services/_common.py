"""What every revenue service shares: text and period checks, the area lock."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import DomainError
from estates.models import ManagementArea

from ..quarters import Quarter


def clean_text(value, *, field: str, limit: int, required: bool, label: str) -> str:
    """``value`` stripped; refused (with its field) when missing but required, too long,
    or not text at all (a NUL character is not text a person types, and PostgreSQL
    refuses to store it)."""
    if value is None:
        value = ""
    if not isinstance(value, str) or "\x00" in value:
        raise DomainError(
            "bad_text",
            _("%(label)s格式不正确。") % {"label": label},
            fields={field: _("格式不正确。")},
        )
    text = value.strip()
    if required and not text:
        message = _("请填写%(label)s。") % {"label": label}
        raise DomainError("required", message, fields={field: message})
    if len(text) > limit:
        message = _("%(label)s不能超过 %(limit)d 字。") % {"label": label, "limit": limit}
        raise DomainError("too_long", message, fields={field: message})
    return text


def quarter_of(year, quarter) -> Quarter:
    try:
        return Quarter(year, quarter)
    except ValueError:
        message = _("请选择有效的年度和季度。")
        raise DomainError("bad_period", message, fields={"quarter": message}) from None


def require_finished(period: Quarter, today) -> None:
    """A quarter is published or allocated only once it is over (quarters.Quarter.finished)."""
    if not period.finished(today):
        raise DomainError(
            "quarter_not_finished",
            _("%(period)s尚未结束（截至 %(last)s），结束后才能公示或分配。")
            % {"period": period.label, "last": f"{period.last_day:%Y-%m-%d}"},
            fields={"quarter": _("该季度尚未结束。")},
        )


def area_lock(area) -> ManagementArea:
    """Lock the area row: decisions and notices of one area are taken one at a time."""
    return ManagementArea.objects.select_for_update().get(pk=area.pk)
