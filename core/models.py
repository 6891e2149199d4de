"""Models shared by every domain app: the bureau-kept working-day calendar.

RULES.md §2 "Periods": a period whose last day is a public holiday ends on the
next working day (Civil Code art. 203), on China's official calendar with its
swapped working days. The State Council publishes each year's schedule in
November (国务院办公厅关于某年部分节假日安排的通知); the bureau enters it here.
The ``holidays`` package knows the published schedules only up to 2026.

A notice is kept for good: a correction is a new entry for the same year
(``version`` + 1, with a reason), the newest one is in force, and every entry
is audited. A deadline already fixed — an assembly's published opening, an
emergency application's review due moment, an objection deadline — is stored
when it is fixed, so a later entry never moves it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .kept import KeptError, KeptModel


class CalendarKeptError(KeptError):
    """Raised on an attempt to change or remove an entered holiday notice."""


class HolidayNotice(KeptModel):
    """One year's holiday schedule as the State Council's notice sets it (one version)."""

    kept_error = CalendarKeptError

    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"))
    notice_ref = models.CharField(_("通知文号"), max_length=100)
    published_on = models.DateField(_("通知发布日期"))
    reason = models.TextField(_("更正原因"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("录入人"),
    )
    entered_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="core_holiday_year_version"),
        ]

    def __str__(self) -> str:
        return f"{self.year}（第{self.version}版）"


class HolidayNoticeDay(KeptModel):
    """A day the notice names: a rest day (放假) or a swapped working day (调休上班)."""

    kept_error = CalendarKeptError

    class Kind(models.TextChoices):
        REST = "rest", _("放假")
        WORK = "work", _("调休上班")

    notice = models.ForeignKey(
        HolidayNotice, on_delete=models.PROTECT, related_name="days", verbose_name=_("节假日安排")
    )
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=4, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=40)

    class Meta:
        verbose_name = _("节假日安排日期")
        verbose_name_plural = _("节假日安排日期")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "day"], name="core_holiday_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.name}"
