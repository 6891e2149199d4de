"""The district register: where every scope (street, community, area) comes from.

Annex 1 of the district programme (住宅物业管理区域信息台账) fixes the fields
and codes of a management area; they are kept here exactly (RULES.md §8).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


class Building(models.Model):
    """楼栋. The completion-acceptance date (竣工验收) starts the warranty clock (RULES §4)."""

    area = models.ForeignKey(ManagementArea, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(_("楼栋"), max_length=50)
    completion_date = models.DateField(_("竣工验收日期"), null=True, blank=True)

    class Meta:
        ordering = ["area", "name"]
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="building_name_unique_in_area")
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.name}"


class Unit(models.Model):
    """房屋 (a unit door number). Area per SPC art. 8: registered, else surveyed, else contract."""

    class Use(models.TextChoices):
        RESIDENTIAL = "住宅", _("住宅")
        NON_RESIDENTIAL = "非住宅", _("非住宅")

    class Basis(models.TextChoices):
        REGISTERED = "registered", _("不动产登记面积")
        SURVEYED = "surveyed", _("实测面积")
        CONTRACT = "contract", _("合同面积")

    area = models.ForeignKey(ManagementArea, on_delete=models.PROTECT, related_name="units")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(_("房屋编码"), max_length=120)
    stair = models.CharField(_("单元"), max_length=30)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    number = models.CharField(_("房号"), max_length=30)
    use = models.CharField(_("用途"), max_length=10, choices=Use.choices)
    registered_area = models.DecimalField(
        _("登记面积"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    surveyed_area = models.DecimalField(
        _("实测面积"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    contract_area = models.DecimalField(
        _("合同面积"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    area_basis = models.CharField(_("面积依据"), max_length=10, choices=Basis.choices)
    floor_area = models.DecimalField(_("专有部分面积"), max_digits=12, decimal_places=2)
    delivered = models.BooleanField(_("已交付"), default=True)
    developer_held = models.BooleanField(_("开发商持有"), default=False)

    class Meta:
        ordering = ["area", "code"]
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        constraints = [
            models.UniqueConstraint(fields=["area", "code"], name="unit_code_unique_in_area"),
            models.CheckConstraint(condition=Q(floor_area__gt=0), name="unit_floor_area_positive"),
        ]

    def __str__(self) -> str:
        return self.code


class Person(models.Model):
    """An owner as the register knows them.

    The resident ID number is never stored in clear (DESIGN.md "Personal
    data"): ``id_encrypted`` is a Fernet token and ``id_hmac`` a keyed HMAC
    used for lookups (binding a phone, matching an import row).
    """

    name = models.CharField(_("姓名"), max_length=100)
    id_encrypted = models.TextField(_("身份证号（加密）"))
    id_hmac = models.CharField(max_length=64, unique=True)
    id_last4 = models.CharField(_("身份证号后四位"), max_length=4)
    id_prefix = models.CharField(_("身份证号前四位"), max_length=4)
    phone = models.CharField(_("手机号"), max_length=11, blank=True, db_index=True)
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("绑定账户"),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("业主")
        verbose_name_plural = _("业主")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        # 3413**********1234: the first four and last four characters only.
        return f"{self.id_prefix}{'*' * 10}{self.id_last4}"


class Ownership(models.Model):
    """A person's share in a unit over time. A sale closes rows; nothing is deleted."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ownerships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ownerships")
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "since", "pk"]
        verbose_name = _("产权登记")
        verbose_name_plural = _("产权登记")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "person"],
                condition=Q(until__isnull=True),
                name="ownership_one_open_row_per_person_and_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} · {self.person.name}"


class Committee(models.Model):
    """业主委员会 or 物业管理委员会 of one management area, for one term."""

    class Kind(models.TextChoices):
        OWNERS = "owners", _("业主委员会")
        INTERIM = "interim", _("物业管理委员会")

    area = models.ForeignKey(ManagementArea, on_delete=models.PROTECT, related_name="committees")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)

    class Meta:
        ordering = ["area", "-term_start"]
        verbose_name = _("业委会/物管会")
        verbose_name_plural = _("业委会/物管会")

    def __str__(self) -> str:
        return f"{self.area.name} {self.get_kind_display()}"


class CommitteeMember(models.Model):
    class Position(models.TextChoices):
        CHAIR = "chair", _("主任")
        VICE_CHAIR = "vice_chair", _("副主任")
        MEMBER = "member", _("委员")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=100)
    position = models.CharField(_("职务"), max_length=12, choices=Position.choices)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["committee", "position", "name"]
        verbose_name = _("委员")
        verbose_name_plural = _("委员")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_position_display()}）"


class ImportJobQuerySet(models.QuerySet):
    def delete(self):
        raise ImportJob.KeptError("Import jobs and their files are kept; they cannot be deleted.")


class ImportJob(models.Model):
    """One uploaded register file, checked or imported by a Celery task (estates.jobs).

    The uploaded file is kept for good, encrypted (it holds resident ID
    numbers in clear, DESIGN.md "Personal data"): it is the record of what was
    imported, with its SHA-256 over the clear bytes. ``report`` is the
    ImportReport as JSON with ID numbers and phones masked; ``message`` is the
    plain reason a job failed. ``status`` moves only through ``estates.jobs``
    along ``TRANSITIONS``, each move a compare-and-set (STYLE.md §5, §7).
    """

    class KeptError(Exception):
        """Raised on any attempt to delete an import job (its file is the record)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # queued → failed: the task could not be queued (broker down); nothing ran.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.QUEUED: frozenset({Status.RUNNING, Status.FAILED}),
        Status.RUNNING: frozenset({Status.DONE, Status.FAILED}),
        Status.DONE: frozenset(),
        Status.FAILED: frozenset(),
    }

    area = models.ForeignKey(
        ManagementArea,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("物业管理区域"),
    )
    file = models.FileField(_("台账文件（加密保存）"), upload_to="imports/%Y/%m/", max_length=255)
    original_filename = models.CharField(_("原文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"))
    dry_run = models.BooleanField(_("仅预检"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    progress_total = models.PositiveIntegerField(_("总行数"), default=0)
    report = models.JSONField(_("结果"), null=True, blank=True)
    message = models.TextField(_("失败原因"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("台账导入任务")
        verbose_name_plural = _("台账导入任务")

    def __str__(self) -> str:
        return f"#{self.pk} {self.area.code} {self.original_filename}"

    def delete(self, *args, **kwargs):
        raise ImportJob.KeptError("Import jobs and their files are kept; they cannot be deleted.")

    @property
    def active(self) -> bool:
        """Still waiting or running: the job page refreshes itself."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
