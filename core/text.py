"""The one text cleaner every service that stores text uses.

PostgreSQL refuses a NUL character in text, and no person types a control
character: both are refused (a clear message, nothing stored) rather than
stored on SQLite and crashing on PostgreSQL. Line breaks and tabs are kept in
multi-line text only.
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .errors import DomainError

# C0 controls (but tab and line breaks), DEL and the C1 controls; a single-line text's
# tabs and line breaks are folded into spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(
    value,
    *,
    field: str,
    limit: int,
    required: bool = True,
    label: str = "",
    multiline: bool = False,
) -> str:
    """``value`` stripped, or a ``DomainError`` naming ``field``.

    Single-line text has its runs of white space folded to one space; multi-line
    text keeps its lines (``\\r\\n`` becomes ``\\n``). Refused: anything not text, a
    NUL or other control character, nothing at all when ``required``, more than
    ``limit`` characters.
    """
    if value is None:
        value = ""
    if not isinstance(value, str) or _CONTROL.search(value):
        raise _bad(field, label)
    if multiline:
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    else:
        text = " ".join(value.split())
    if required and not text:
        message = _("请填写%(label)s。") % {"label": label} if label else _("请填写此项。")
        raise DomainError("required", message, fields={field: message})
    if len(text) > limit:
        if label:
            message = _("%(label)s不能超过 %(limit)d 字。") % {"label": label, "limit": limit}
        else:
            message = _("不能超过 %(limit)d 字。") % {"limit": limit}
        raise DomainError("too_long", message, fields={field: message})
    return text


def _bad(field: str, label: str) -> DomainError:
    message = (
        _("%(label)s含有不能保存的字符。") % {"label": label}
        if label
        else _("含有不能保存的字符。")
    )
    return DomainError("bad_text", message, fields={field: message})


# --------------------------------------------------------------------------- shown text
# Dates and lists in sentences follow the reader's language (gongzhi/formats/): an
# English page reads "7 December 2026" and "roof, lift and gate", a Chinese one
# "2026年12月7日" and "屋面、电梯、大门".


def date_text(day) -> str:
    """``day`` (a date) as the active language writes it: 2026年12月7日 / 7 December 2026."""
    return date_format(day, "DATE_FORMAT")


def datetime_text(moment) -> str:
    """``moment`` in the district's time: 2026年12月7日 09:30 / 7 December 2026, 09:30."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return date_format(local, "DATETIME_FORMAT")


def cn_date(day) -> str:
    """``day`` in Chinese whatever the reader's language: 2026年12月7日. For the signed
    notices and texts, which are Chinese (PDF_LANGUAGE); a datetime is taken in the
    district's time."""
    if hasattr(day, "hour"):
        day = timezone.localtime(day, timezone.get_default_timezone())
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(moment) -> str:
    """``moment`` in the district's time, in Chinese: 2026年12月7日 09:30."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return f"{cn_date(local)} {local:%H:%M}"


def join_list(items) -> str:
    """Items joined as the active language lists them: "甲、乙、丙" / "A, B, C"."""
    # Translators: the separator between the items of a list (", " in English).
    return _("、").join(str(item) for item in items)
