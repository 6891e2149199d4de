"""Maintenance-fund use applications (维修资金使用申请), RULES.md §4, Order 165 arts. 22–25.

proposal (items, budget with quotes, 列支范围, attachments) → owners' vote in
the scope (Civil Code art. 278 item 5) → bureau review (art. 25 exclusions,
art. 18 warranty) → approval by other people (maker ≠ checker) → payment →
works → acceptance → settlement → apportionment → publication. The stored
``status`` moves only through ``funds.procedure.services.applications`` /
``application_review`` along ``TRANSITIONS``; the money steps run on the
application's ``FundUse`` (``funds.procedure.models.fund_use``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import NamedUploadModel, validate_upload
from funds.procedure import warranty
from funds.procedure.models.scope import CostScopeModel


class RepairType(models.TextChoices):
    """What is repaired, which decides its statutory warranty (``funds.procedure.warranty``)."""

    STRUCTURE = warranty.STRUCTURE, _("地基基础和主体结构")
    WATERPROOFING = warranty.WATERPROOFING, _("屋面防水、外墙及有防水要求房间的防渗漏")
    HEATING = warranty.HEATING, _("供热系统")
    COOLING = warranty.COOLING, _("供冷系统")
    ELECTRICAL = warranty.ELECTRICAL, _("电气管线")
    PLUMBING = warranty.PLUMBING, _("给水管道")
    DRAINAGE = warranty.DRAINAGE, _("排水管道")
    EQUIPMENT = warranty.EQUIPMENT, _("设备安装（电梯、水泵、消防设施等）")
    DECORATION = warranty.DECORATION, _("装修工程")
    OTHER = warranty.OTHER, _("其他（无法定保修期）")


# Order 165 art. 25: costs the fund never pays. Each is a checklist item in review.
EXCLUSIONS: tuple[tuple[str, str], ...] = (
    ("excl_developer", _("依法应由建设单位或者施工单位承担的（保修期内）")),
    (
        "excl_utility",
        _("依法应由相关单位承担的供水、供电、供气、供热、通讯、有线电视等管线和设施设备"),
    ),
    ("excl_caused", _("因人为损坏及其他原因应由当事人承担的")),
    ("excl_contract", _("根据物业服务合同约定，应由物业服务企业承担的")),
)


def _attachment_path(instance: ApplicationAttachment, filename: str) -> str:
    # A random name: photos show homes; a path must not be guessable.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"funds/applications/{instance.application_id}/{secrets.token_hex(16)}.{extension}"


class FundApplication(CostScopeModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        VOTING = "voting", _("业主表决中")
        VOTE_FAILED = "vote_failed", _("表决未通过")
        SUBMITTED = "submitted", _("待住建局审核")
        RETURNED = "returned", _("退回补正")
        REVIEWED = "reviewed", _("审核通过，待审批")
        APPROVED = "approved", _("已批准")
        PAID = "paid", _("已划款")
        WORKS_DONE = "works_done", _("已完工")
        ACCEPTED = "accepted", _("已验收")
        SETTLED = "settled", _("已结算分摊")
        PUBLISHED = "published", _("已公示")
        REFUSED = "refused", _("不予批准")
        WITHDRAWN = "withdrawn", _("已撤回")

    # The only moves a service may make (STYLE.md §5). A cancelled vote sends the
    # application back to draft so that a new vote can be called.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.VOTING, Status.WITHDRAWN}),
        Status.VOTING: frozenset({Status.SUBMITTED, Status.VOTE_FAILED, Status.DRAFT}),
        Status.SUBMITTED: frozenset({Status.REVIEWED, Status.RETURNED, Status.REFUSED}),
        Status.RETURNED: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
        Status.REVIEWED: frozenset({Status.APPROVED, Status.REFUSED}),
        Status.APPROVED: frozenset({Status.PAID, Status.WORKS_DONE}),
        Status.PAID: frozenset({Status.WORKS_DONE}),
        Status.WORKS_DONE: frozenset({Status.ACCEPTED}),
        Status.ACCEPTED: frozenset({Status.SETTLED}),
        Status.SETTLED: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset(),
        Status.VOTE_FAILED: frozenset(),
        Status.REFUSED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    }
    EDITABLE = frozenset({Status.DRAFT})
    # Approved and not refused: money may move (the gate also checks the vote).
    PAYABLE = frozenset(
        {
            Status.APPROVED,
            Status.PAID,
            Status.WORKS_DONE,
            Status.ACCEPTED,
            Status.SETTLED,
            Status.PUBLISHED,
        }
    )

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="fund_applications",
        verbose_name=_("物业管理区域"),
    )
    title = models.CharField(_("维修项目"), max_length=150)
    description = models.TextField(_("情况说明"), blank=True)
    repair_type = models.CharField(_("维修类别"), max_length=14, choices=RepairType.choices)
    scope_buildings = models.JSONField(_("列支范围：楼栋"), default=list, blank=True)
    scope_unit_codes = models.JSONField(_("列支范围：房屋"), default=list, blank=True)
    budget_fen = models.BigIntegerField(_("预算金额（分）"), default=0)
    # RULES.md §4 "use": the owners' tolerance "超支不超过 N %" printed in the motion text;
    # the settlement ceiling is budget + floor(budget × N / 100) (funds.procedure.ceiling).
    tolerance_pct = models.PositiveSmallIntegerField(_("业主同意的超支比例（%）"), default=0)
    contractor = models.CharField(_("拟选施工单位"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    applicant_role = models.CharField(_("申请人身份"), max_length=32)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)

    # The vote (Civil Code art. 278 item 5) and, optionally, a top-up motion (item 6).
    assembly = models.ForeignKey(
        "voting.Assembly",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_applications",
        verbose_name=_("业主大会会议"),
    )
    motion = models.OneToOneField(
        "voting.Motion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_application",
        verbose_name=_("表决议题"),
    )
    topup_motion = models.OneToOneField(
        "voting.Motion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_topup_application",
        verbose_name=_("续筹议题"),
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    excl_developer = models.BooleanField(EXCLUSIONS[0][1], default=False)
    excl_utility = models.BooleanField(EXCLUSIONS[1][1], default=False)
    excl_caused = models.BooleanField(EXCLUSIONS[2][1], default=False)
    excl_contract = models.BooleanField(EXCLUSIONS[3][1], default=False)
    materials_complete = models.BooleanField(_("申请材料齐全"), default=False)
    # The warranty check at review: {building: [status, completed_on, ends_on]} (funds.procedure.warranty).
    warranty = models.JSONField(_("保修期核查"), default=dict, blank=True)
    in_warranty = models.BooleanField(_("保修期内或竣工日期不明"), default=False)
    warranty_note = models.TextField(_("保修期内仍由维修资金列支的理由"), blank=True)
    required_approvals = models.PositiveSmallIntegerField(_("所需审批人数"), default=1)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refused_at = models.DateTimeField(_("不予批准时间"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予批准理由"), blank=True)

    fund_use = models.OneToOneField(
        "funds.FundUse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("资金使用"),
    )
    works_done_on = models.DateField(_("完工日期"), null=True, blank=True)
    works_note = models.TextField(_("完工说明"), blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acceptance_note = models.TextField(_("验收意见"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("维修资金使用申请")
        verbose_name_plural = _("维修资金使用申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_fen__gte=0), name="fund_app_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    # While the application waits for its vote, what people are told follows the
    # assembly: "业主表决中" only once the notice is out (issue #16 item 8).
    VOTE_WAIT_LABELS = {
        "draft": _("待发布表决公告"),
        "noticed": _("已公告，待开始表决"),
        "cancelled": _("表决会议已取消"),
    }

    @property
    def status_shown(self) -> str:
        """The status as pages and the API show it (``assembly`` is read: select it)."""
        if self.status == self.Status.VOTING and self.assembly_id:
            label = self.VOTE_WAIT_LABELS.get(self.assembly.status)
            if label is not None:
                return str(label)
        return str(self.get_status_display())

    def scope_object(self):
        return self.area

    def exclusions_ticked(self) -> list[str]:
        return [str(label) for name, label in EXCLUSIONS if getattr(self, name)]


class ApplicationItem(models.Model):
    """One line of the budget: what is done and what it costs (quotes attached separately)."""

    application = models.ForeignKey(FundApplication, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("项目"), max_length=200)
    spec = models.CharField(_("内容/规格/数量"), max_length=300, blank=True)
    amount_fen = models.BigIntegerField(_("金额（分）"))

    class Meta:
        ordering = ["application", "position"]
        verbose_name = _("预算明细")
        verbose_name_plural = _("预算明细")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "position"], name="fund_app_item_position"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="fund_app_item_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationAttachment(NamedUploadModel):
    class Kind(models.TextChoices):
        QUOTE = "quote", _("报价单")
        PLAN = "plan", _("维修方案")
        OTHER = "other", _("其他材料")
        ACCEPTANCE_REPORT = "acceptance_report", _("验收报告")
        ACCEPTANCE_PHOTO = "acceptance_photo", _("验收照片")
        SETTLEMENT = "settlement", _("结算审核材料")

    PROPOSAL_KINDS = frozenset({Kind.QUOTE, Kind.PLAN, Kind.OTHER})
    ACCEPTANCE_KINDS = frozenset({Kind.ACCEPTANCE_REPORT, Kind.ACCEPTANCE_PHOTO})

    application = models.ForeignKey(
        FundApplication, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    file = models.FileField(
        _("文件"), upload_to=_attachment_path, max_length=200, validators=[validate_upload]
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    def scope_object(self):
        return self.application.area


class ApplicationApproval(models.Model):
    """One approver's approval; above the setting's amount two distinct approvers are needed."""

    application = models.ForeignKey(
        FundApplication, on_delete=models.PROTECT, related_name="approvals"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), default=timezone.now)
    note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["application", "approved_at", "pk"]
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "approver"], name="fund_app_one_approval_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.approver_id}"

    def scope_object(self):
        return self.application.area
