"""The bureau's list of emergency matters (紧急维修事项清单, RULES.md §5), versioned.

An item on the list may be applied for without an owners' vote (Order 165
art. 24). Editing the list publishes a new version; a published version and
its items are never changed or deleted, so an application always shows the
item, evidence list, cost cap and response times it was filed under.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.kept import KeptError as BaseKeptError
from core.kept import KeptModel as BaseKeptModel
from funds.procedure import warranty


class KeptError(BaseKeptError):
    """Raised on any attempt to change or delete a published record of this app."""


class KeptModel(BaseKeptModel):
    """Insert once, then never change or delete."""

    kept_error = KeptError

    class Meta:
        abstract = True


class Facility(models.TextChoices):
    """The facilities RULES.md §5 names (and the programme's task 7)."""

    ELEVATOR = "elevator", _("电梯")
    WATERPROOFING = "waterproofing", _("屋面、外墙防水")
    FACADE = "facade", _("外墙饰面")
    FIRE = "fire", _("消防设施")
    WATER_DRAINAGE = "water_drainage", _("供水、排水管道")
    MANHOLE = "manhole", _("窨井盖")
    GARAGE = "garage", _("地下车库渗漏、倒灌")
    CURTAIN_WALL = "curtain_wall", _("玻璃幕墙")
    SECONDARY_WATER = "secondary_water", _("二次供水设施")


# What an emergency repair of each facility is, for its statutory warranty (RULES.md §5:
# Order 165 art. 18 and 质量管理条例 art. 40 apply on this path too). Our policy: an
# application starts with this type; only the bureau's reviewer may record another on the
# checklist (an applicant could otherwise pick a type without warranty and wait for a
# deemed approval). Facades and curtain walls are 装饰装修 (GB 50210), garage seepage
# leak-proofing of a room that needs it.
FACILITY_REPAIR_TYPE: dict[str, str] = {
    Facility.ELEVATOR: warranty.EQUIPMENT,
    Facility.WATERPROOFING: warranty.WATERPROOFING,
    Facility.FACADE: warranty.DECORATION,
    Facility.FIRE: warranty.EQUIPMENT,
    Facility.WATER_DRAINAGE: warranty.PLUMBING,
    Facility.MANHOLE: warranty.DRAINAGE,
    Facility.GARAGE: warranty.WATERPROOFING,
    Facility.CURTAIN_WALL: warranty.DECORATION,
    Facility.SECONDARY_WATER: warranty.EQUIPMENT,
}


class EvidenceKind(models.TextChoices):
    """What a file attached to an application is. Items require some of them when filing."""

    PHOTO = "photo", _("现场照片")
    BUDGET = "budget", _("维修方案及预算（报价）")
    ELEVATOR_REPORT = "elevator_report", _("特种设备检验报告或电梯维保单位报告")
    FIRE_REPORT = "fire_report", _("消防设施检测报告（消防安全报告）")
    ACCEPTANCE = "acceptance", _("竣工验收记录")
    SETTLEMENT = "settlement", _("维修结算书（发票）")
    OTHER = "other", _("其他材料")


# Kinds an item may require when filing (acceptance and settlement come after the works).
FILING_EVIDENCE = tuple(
    k for k in EvidenceKind if k not in (EvidenceKind.ACCEPTANCE, EvidenceKind.SETTLEMENT)
)


class WhitelistVersion(KeptModel):
    """One published state of the whole list. The highest ``number`` is the current one."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    note = models.TextField(_("修订说明"), blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("紧急维修事项清单版本")
        verbose_name_plural = _("紧急维修事项清单版本")
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="whitelist_version_from_1")
        ]

    def __str__(self) -> str:
        return f"第{self.number}版"

    def scope_object(self):
        # District-wide (accounts.permissions.scope_of): only bureau roles reach it.
        return None


class WhitelistItem(KeptModel):
    """One matter on one version of the list."""

    version = models.ForeignKey(
        WhitelistVersion, on_delete=models.PROTECT, related_name="items", verbose_name=_("版本")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=16)
    name = models.CharField(_("事项名称"), max_length=100)
    description = models.TextField(_("适用情形"), blank=True)
    facility = models.CharField(_("设施类别"), max_length=20, choices=Facility.choices)
    evidence = models.JSONField(_("必须提交的材料"), default=list)
    cap_fen = models.BigIntegerField(_("费用上限（分）"))
    review_days = models.PositiveSmallIntegerField(_("住建局审核时限（工作日）"), default=2)
    payment_days = models.PositiveSmallIntegerField(_("拨付时限（工作日）"), default=2)
    start_hours = models.PositiveSmallIntegerField(_("开工时限（小时）"), default=24)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("紧急维修事项")
        verbose_name_plural = _("紧急维修事项")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="whitelist_item_code_unique"),
            models.UniqueConstraint(
                fields=["version", "position"], name="whitelist_item_position_unique"
            ),
            models.CheckConstraint(condition=Q(cap_fen__gt=0), name="whitelist_item_cap_positive"),
            models.CheckConstraint(
                condition=Q(review_days__gte=1, payment_days__gte=1, start_hours__gte=1),
                name="whitelist_item_times_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def scope_object(self):
        return None

    def evidence_labels(self) -> list[str]:
        return [str(EvidenceKind(kind).label) for kind in self.evidence]

    def as_dict(self) -> dict:
        """The item as the ``emergency_whitelist --json`` command and the audit chain see it."""
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "facility": self.facility,
            "evidence": list(self.evidence),
            "cap_fen": self.cap_fen,
            "review_days": self.review_days,
            "payment_days": self.payment_days,
            "start_hours": self.start_hours,
        }
