"""Emergency applications (RULES.md §5; Order 165 art. 24), their evidence, 代修, reminders.

The stored ``status`` moves only through ``emergency.services`` along
``TRANSITIONS``. The due moments (review, payment, bank confirmation, works
start) are computed by the pure ``emergency.deadlines`` when the event that
starts each one happens and stored, so lists can filter on them; whether one is overdue is
read against the clock, never set by a job.

With ``GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE`` on (off by default, a policy
some provinces follow), an application whose bureau review is overdue *is*
approved when read (``current_status``): the first service that acts on it
records that deemed approval (``emergency.services.decisions``). RULES.md §5
bars it — the review stays open, however late — for an application inside
the art. 18 warranty, with an unknown completion date (never read as
"outside warranty"), or with an art. 25 exclusion ticked on the reviewer's
checklist (``deemed_bar``).

The reviewer's checklist (RULES.md §5 last paragraph, §4 "Exclusions",
"Warranty"): the repair type (from the item's facility at filing,
``FACILITY_REPAIR_TYPE``; the reviewer may record another), the warranty of
each building of the 列支范围 (``funds.procedure.warranty``, checked on the filing day,
stored at filing and again when the reviewer records the checklist), the
four art. 25 exclusions with the reason the fund still pays now, and — inside
warranty — the recovery claim (追偿, ``emergency.models.recovery``).
"""

# One piece because the application's state, its transition table and the deadline and
# deemed-approval reads on that state belong together; the evidence, commission and
# reminder rows beside it are small and hang off the application.

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import NamedUploadModel, validate_upload
from funds.models import CostScopeModel, RepairType
from funds.procedure import warranty
from funds.procedure.models.applications import EXCLUSIONS

from .whitelist import EvidenceKind


def auto_approve_overdue() -> bool:
    return bool(getattr(settings, "GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE", False))


class WarrantyStatus(models.TextChoices):
    """The 列支范围's warranty position as a whole (``funds.procedure.warranty.overall``)."""

    IN = warranty.IN, _("保修期内")
    UNKNOWN = warranty.UNKNOWN, _("竣工日期未知")
    OUT = warranty.OUT, _("已过保修期")
    NONE = warranty.NONE, _("无法定保修期")


EXCLUSION_FIELDS: tuple[str, ...] = tuple(name for name, _label in EXCLUSIONS)
# RULES.md §5: what bars a deemed approval, checked in the database too (the API's filter).
DEEMED_ELIGIBLE = Q(warranty_status__in=(WarrantyStatus.OUT, WarrantyStatus.NONE)) & Q(
    **dict.fromkeys(EXCLUSION_FIELDS, False)
)


def _evidence_path(instance: Evidence, filename: str) -> str:
    # A random name: evidence photos show homes and people, their path must not be guessable.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"emergency/{instance.application_id}/{secrets.token_hex(16)}.{extension}"


class EmergencyApplication(CostScopeModel):
    class Status(models.TextChoices):
        FILED = "filed", _("已提交")
        UNDER_REVIEW = "under_review", _("审核中")
        APPROVED = "approved", _("已批准")
        PAID = "paid", _("已预拨")
        WORKS_DONE = "works_done", _("已完工")
        ACCEPTED = "accepted", _("已验收")
        SETTLED = "settled", _("已结算分摊")
        PUBLISHED = "published", _("已公示")
        REFUSED = "refused", _("未予批准")

    # The only moves a service may make (STYLE.md §5). Payment before the works
    # (预拨) is optional: without it an approved application goes straight to
    # works done and is paid at settlement.
    TRANSITIONS: dict[str, frozenset[str]] = {
        # filed → approved only by a deemed approval (review overdue, setting on);
        # a person approves only what a reviewer has taken under review.
        Status.FILED: frozenset({Status.UNDER_REVIEW, Status.APPROVED, Status.REFUSED}),
        Status.UNDER_REVIEW: frozenset({Status.APPROVED, Status.REFUSED}),
        Status.APPROVED: frozenset({Status.PAID, Status.WORKS_DONE}),
        Status.PAID: frozenset({Status.WORKS_DONE}),
        Status.WORKS_DONE: frozenset({Status.ACCEPTED}),
        Status.ACCEPTED: frozenset({Status.SETTLED}),
        Status.SETTLED: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset(),
        Status.REFUSED: frozenset(),
    }
    # Still waiting for the bureau's decision.
    UNDECIDED = frozenset({Status.FILED, Status.UNDER_REVIEW})
    # Approved and the works may (or must) go on.
    WORKS_PENDING = frozenset({Status.APPROVED, Status.PAID})

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="emergency_applications",
        verbose_name=_("物业管理区域"),
    )
    # The item of the version in force when filed (its version goes with it).
    item = models.ForeignKey(
        "emergency.WhitelistItem",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("紧急维修事项"),
    )
    description = models.TextField(_("情况说明"))
    estimate_fen = models.BigIntegerField(_("预算金额（分）"))
    prepayment_fen = models.BigIntegerField(_("申请预拨金额（分）"), default=0)
    # The units that bear the cost (列支范围, RULES.md §1): both empty = the whole area.
    scope_buildings = models.JSONField(_("列支范围：楼栋"), default=list, blank=True)
    scope_unit_codes = models.JSONField(_("列支范围：房屋"), default=list, blank=True)
    problems = models.ManyToManyField(
        "emergency.Problem", blank=True, related_name="applications", verbose_name=_("关联问题")
    )

    status = models.CharField(
        _("状态"), max_length=14, choices=Status.choices, default=Status.FILED, db_index=True
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    applicant_role = models.CharField(_("申请人身份"), max_length=32)
    filed_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    review_due_at = models.DateTimeField(_("审核截止"), db_index=True)

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    review_started_at = models.DateTimeField(_("受理审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)

    # The reviewer's checklist (module docstring).
    repair_type = models.CharField(
        _("维修类别"), max_length=14, choices=RepairType.choices, default=warranty.OTHER
    )
    # {building: [status, completed_on, ends_on]} as in funds.FundApplication.warranty.
    warranty = models.JSONField(_("保修期核查"), default=dict, blank=True)
    warranty_status = models.CharField(
        _("保修期"),
        max_length=8,
        choices=WarrantyStatus.choices,
        default=WarrantyStatus.UNKNOWN,
        db_index=True,
    )
    excl_developer = models.BooleanField(EXCLUSIONS[0][1], default=False)
    excl_utility = models.BooleanField(EXCLUSIONS[1][1], default=False)
    excl_caused = models.BooleanField(EXCLUSIONS[2][1], default=False)
    excl_contract = models.BooleanField(EXCLUSIONS[3][1], default=False)
    exclusion_note = models.TextField(_("有不得列支情形仍先行列支的理由"), blank=True)
    warranty_note = models.TextField(_("保修期内（或竣工日期未知）仍先行列支的理由"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核查人"),
    )
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)

    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approval_note = models.TextField(_("审批意见"), blank=True)
    deemed_approved = models.BooleanField(_("逾期视为批准"), default=False)
    payment_due_at = models.DateTimeField(_("拨付截止"), null=True, blank=True, db_index=True)
    # Fixed at the first live payment instruction of the prepayment (emergency.services.money).
    bank_due_at = models.DateTimeField(_("银行确认截止"), null=True, blank=True, db_index=True)
    works_start_due_at = models.DateTimeField(_("开工截止"), null=True, blank=True, db_index=True)

    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作出不予批准决定的人"),
    )
    refused_at = models.DateTimeField(_("不予批准时间"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予批准理由"), blank=True)

    works_started_at = models.DateTimeField(_("开工时间"), null=True, blank=True)
    works_done_at = models.DateTimeField(_("完工时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    acceptance_note = models.TextField(_("验收意见"), blank=True)
    # The money side (payment instructions, bank confirmations, settlement with
    # apportionment, the signed notice) is the funds app's FundUse, opened at approval.
    fund_use = models.OneToOneField(
        "funds.FundUse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="emergency_application",
        verbose_name=_("维修资金使用"),
    )
    paid_at = models.DateTimeField(_("预拨时间"), null=True, blank=True)
    settled_at = models.DateTimeField(_("结算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    # RULES.md §5: the result stays posted at least 5 days (the signed notice stays for good).
    posted_until = models.DateField(_("公示期至"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("紧急维修申请")
        verbose_name_plural = _("紧急维修申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(estimate_fen__gt=0), name="emergency_estimate_positive"
            ),
            models.CheckConstraint(
                condition=Q(prepayment_fen__gte=0, prepayment_fen__lte=F("estimate_fen")),
                name="emergency_prepayment_within_estimate",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.area.name} {self.item.name}"

    def scope_object(self):
        return self.area

    # ------------------------------------------------------------------ clock-derived

    def review_overdue(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status in self.UNDECIDED and now >= self.review_due_at

    def exclusions_ticked(self) -> list[str]:
        return [str(label) for name, label in EXCLUSIONS if getattr(self, name)]

    def deemed_bar(self) -> str | None:
        """Why a deemed approval can never apply (RULES.md §5), or None when it may."""
        if self.warranty_status == WarrantyStatus.IN:
            return str(_("列支范围内有房屋仍在保修期内"))
        if self.warranty_status == WarrantyStatus.UNKNOWN:
            return str(_("竣工验收日期未知"))
        if any(getattr(self, name) for name in EXCLUSION_FIELDS):
            return str(_("审核人已勾选不得列支情形"))
        return None

    def deemed_approved_now(self, now: datetime | None = None) -> bool:
        """Approved by the clock: review overdue with the auto-approve setting on, and nothing
        that bars it (``deemed_bar``, module docstring)."""
        return auto_approve_overdue() and self.review_overdue(now) and self.deemed_bar() is None

    def deemed_barred_now(self, now: datetime | None = None) -> str | None:
        """The bar, when the setting is on and the review overdue (shown to the bureau)."""
        if auto_approve_overdue() and self.review_overdue(now):
            return self.deemed_bar()
        return None

    @property
    def checklist_done(self) -> bool:
        return self.checked_at is not None

    def current_status(self, now: datetime | None = None) -> str:
        if self.deemed_approved_now(now):
            return self.Status.APPROVED
        return self.status

    def current_status_label(self, now: datetime | None = None) -> str:
        if self.deemed_approved_now(now) or (self.deemed_approved and self.status == "approved"):
            return str(_("逾期视为批准"))
        return str(self.Status(self.current_status(now)).label)

    # ------------------------------------------------------------------ display

    @property
    def final_cost_fen(self) -> int | None:
        return self.fund_use.final_cost_fen if self.fund_use_id else None


class Evidence(NamedUploadModel):
    """One file attached to an application, typed by what it shows (``EvidenceKind``)."""

    application = models.ForeignKey(
        EmergencyApplication, on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(_("材料类别"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(
        _("文件"), upload_to=_evidence_path, max_length=200, validators=[validate_upload]
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("紧急维修材料")
        verbose_name_plural = _("紧急维修材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"

    def scope_object(self):
        return self.application.area


class Commission(models.Model):
    """代修: the bureau commissions the works itself (Order 165 art. 24 para 2).

    Order 165 art. 24: where works an emergency needs are not carried out as
    required, the housing authority may organise them (组织代修), the cost
    charged to the affected owners' sub-ledgers.
    """

    application = models.OneToOneField(
        EmergencyApplication, on_delete=models.PROTECT, related_name="commission"
    )
    contractor = models.CharField(_("施工单位"), max_length=200)
    contractor_contact = models.CharField(_("施工单位联系人及电话"), max_length=100, blank=True)
    estimate_fen = models.BigIntegerField(_("代修预算（分）"))
    reason = models.TextField(_("代修原因"))
    commissioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("决定人"),
    )
    commissioned_at = models.DateTimeField(_("决定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("代修")
        verbose_name_plural = _("代修")
        constraints = [
            models.CheckConstraint(
                condition=Q(estimate_fen__gt=0), name="commission_estimate_positive"
            )
        ]

    def __str__(self) -> str:
        return f"代修 #{self.application_id} {self.contractor}"

    def scope_object(self):
        return self.application.area


class DeadlineNotice(models.Model):
    """A reminder or escalation sent for one deadline of one application to one person.

    The row is the claim that makes the reminder job idempotent: it is
    inserted before the message goes out, and the unique constraint stops a
    second run (or a second worker) from sending it again.
    """

    class Deadline(models.TextChoices):
        REVIEW = "review", _("住建局审核")
        PAYMENT = "payment", _("拨付")
        BANK = "bank_confirm", _("银行划款确认")
        WORKS_START = "works_start", _("开工")

    class Stage(models.TextChoices):
        REMIND = "remind", _("到期提醒")
        ESCALATE = "escalate", _("逾期督办")

    application = models.ForeignKey(
        EmergencyApplication, on_delete=models.CASCADE, related_name="notices"
    )
    deadline = models.CharField(_("时限"), max_length=12, choices=Deadline.choices)
    stage = models.CharField(_("类型"), max_length=10, choices=Stage.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    by_sms = models.BooleanField(_("已发短信"), default=False)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        ordering = ["application", "sent_at", "pk"]
        verbose_name = _("时限提醒")
        verbose_name_plural = _("时限提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "deadline", "stage", "recipient"],
                name="deadline_notice_once",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.deadline} {self.stage} → {self.recipient_id}"
