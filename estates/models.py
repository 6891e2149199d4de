"""The district register: where every scope (street, community, area) comes from.

Annex 1 of the district programme (住宅物业管理区域信息台账) fixes the fields
and codes of a management area; they are kept here exactly (RULES.md §8).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Street(models.Model):
    """街道 (or town): the scope of a street officer."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("街道")
        verbose_name_plural = _("街道")

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """社区: the scope of a community officer."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"], name="community_name_unique_in_street"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street.name}{self.name}"


class PropertyCompany(models.Model):
    """物业服务企业. The unified social credit code is checked with stdnum ``cn.uscc``."""

    name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")

    def __str__(self) -> str:
        return self.name


class ManagementArea(models.Model):
    """物业管理区域: the unit of an owners' assembly, a fund account, a committee."""

    class ServiceForm(models.IntegerChoices):
        # Annex 1, 物业服务形态: codes are the programme's, do not renumber.
        PROFESSIONAL = 1, _("专业化")
        COMMUNITY = 2, _("社区统管")
        EMPLOYER = 3, _("单位代管")
        SELF = 4, _("居民自管")
        NONE = 5, _("无物管")
        OTHER = 6, _("其它")

    class CommitteeStatus(models.IntegerChoices):
        # Annex 1, 业委会组建情况.
        OWNERS_COMMITTEE = 1, _("业委会")
        INTERIM_COMMITTEE = 2, _("物管会")
        NOT_FORMED = 3, _("未成立")

    class PartyCoverage(models.IntegerChoices):
        # Annex 1, 党的工作覆盖.
        PARTY_COMMITTEE = 1, _("党委")
        GENERAL_BRANCH = 2, _("党总支")
        BRANCH = 3, _("党支部")
        WORKING_GROUP = 4, _("工作小组")
        NOT_FORMED = 5, _("未成立")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="areas")
    code = models.CharField(_("区域编码"), max_length=32, unique=True)
    name = models.CharField(_("物业管理区域名称"), max_length=200)
    estate_name = models.CharField(_("小区名称"), max_length=200, blank=True)
    boundaries = models.CharField(_("四至范围"), max_length=500, blank=True)
    service_form = models.PositiveSmallIntegerField(
        _("物业服务形态"), choices=ServiceForm.choices, default=ServiceForm.PROFESSIONAL
    )
    committee_status = models.PositiveSmallIntegerField(
        _("业委会组建情况"), choices=CommitteeStatus.choices, default=CommitteeStatus.NOT_FORMED
    )
    party_coverage = models.PositiveSmallIntegerField(
        _("党的工作覆盖"), choices=PartyCoverage.choices, default=PartyCoverage.NOT_FORMED
    )
    property_company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="areas",
        verbose_name=_("物业服务企业"),
    )
    project_manager = models.CharField(_("项目负责人"), max_length=50, blank=True)
    fee_collection_rate = models.DecimalField(
        _("物业费收缴率(%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("物业管理区域")
        verbose_name_plural = _("物业管理区域")

    def __str__(self) -> str:
        return self.name

    @property
    def street(self) -> Street:
        return self.community.street
