"""``{{ moment|calendar_flag }}``: says when a deadline falls in a year the bureau has not entered.

RULES.md §2 "Periods": a working-day deadline in a year with no bureau
calendar is counted from the ``holidays`` package (no swapped working days)
and is flagged as provisional wherever it is shown.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar

register = template.Library()


@register.filter
def calendar_flag(value) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value, timezone.get_default_timezone()).date()
    if not isinstance(value, date):
        return ""
    missing = calendar.missing_years(value)
    if not missing:
        return ""
    return _("（%(year)d年节假日安排尚未录入，按节假日软件包推算，不含调休）") % {
        "year": missing[0]
    }
