"""Models shared by every domain app: the bureau-kept working-day calendar, and the uploads
kept for a form shown again (``KeptUpload``, see ``core.upload_drafts``).

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
from .uploads import NamedUploadModel


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


class KeptUpload(NamedUploadModel):
    """A file a user chose on a form that was shown again (issue 16 item 4): kept for the
    draft so that it need not be chosen again, then attached on success or expired.

    Owner-scoped: only the user who uploaded it, on the form (``form``) and the page
    (``token``, a random value in a hidden field) it came with, ever gets it back
    (``core.upload_drafts``). A forged or another user's token finds nothing.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("上传人"),
    )
    form = models.CharField(_("表单"), max_length=100)
    token = models.CharField(_("草稿标识"), max_length=64)
    field = models.CharField(_("字段"), max_length=100)
    file = models.FileField(_("文件"), upload_to="kept/%Y/%m/", max_length=300)
    expires_at = models.DateTimeField(_("保留至"), db_index=True)

    class Meta:
        verbose_name = _("暂存上传文件")
        verbose_name_plural = _("暂存上传文件")
        ordering = ["pk"]
        indexes = [models.Index(fields=["owner", "form", "token"], name="core_kept_upload_draft")]

    def __str__(self) -> str:
        return self.original_name
