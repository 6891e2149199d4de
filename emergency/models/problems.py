"""The district's problem ledger (问题整治工作台账, programme annex 2; RULES.md §8).

The fields are exactly the annex's; 序号 is the row number of the exported
sheet (``emergency.annex2``), not stored. A problem sits in a community (the
annex's 所在街道社区) and optionally in one management area, which is also
what lets an emergency application of that area reference it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Problem(models.Model):
    project_name = models.CharField(_("项目名称"), max_length=200)
    community = models.ForeignKey(
        "estates.Community",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在街道社区"),
    )
    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("物业管理区域"),
    )
    company = models.CharField(_("物业服务企业"), max_length=200, blank=True)
    category = models.CharField(_("问题类别"), max_length=50)
    content = models.TextField(_("问题内容"))
    measures = models.TextField(_("整改措施及进展"), blank=True)
    responsible = models.CharField(_("责任单位/人"), max_length=200, blank=True)
    deadline = models.DateField(_("整改完成时限"), null=True, blank=True)
    closed = models.BooleanField(_("是否销号"), default=False)
    remarks = models.TextField(_("备注"), blank=True)

    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        ordering = ["community__street__code", "community__code", "created_at", "pk"]
        verbose_name = _("问题整治台账条目")
        verbose_name_plural = _("问题整治工作台账")

    def __str__(self) -> str:
        return f"{self.project_name}：{self.category}"

    def scope_object(self):
        # accounts.permissions: the area when named, else the community (street ⊃ community).
        return self.area if self.area_id else self.community

    @property
    def street_community(self) -> str:
        return f"{self.community.street.name}/{self.community.name}"
