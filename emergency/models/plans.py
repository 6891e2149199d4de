"""Each area's emergency response plan (紧急维修预案, RULES.md §5).

Kept by those who file emergency applications for the area (the committee,
or the property company / street office where there is none: permission
``emergency.apply``) and shown with every application of the area, so whoever
handles an emergency sees whom to call and what to do first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResponsePlan(models.Model):
    area = models.OneToOneField(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="emergency_plan",
        verbose_name=_("物业管理区域"),
    )
    # One entry a line: the people a phone call reaches at any hour.
    contacts = models.TextField(_("应急联系人"), blank=True)
    contractors = models.TextField(_("待命维修单位"), blank=True)
    steps = models.TextField(_("处置步骤"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新人"),
    )

    class Meta:
        verbose_name = _("紧急维修预案")
        verbose_name_plural = _("紧急维修预案")

    def __str__(self) -> str:
        return f"{self.area.name}紧急维修预案"

    @property
    def is_empty(self) -> bool:
        return not (self.contacts.strip() or self.contractors.strip() or self.steps.strip())

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]
