"""Who authorises money out of the fund: countersignatures and the filing (RULES.md §4).

- ``FundUseCountersign``: a further approver's sign-off on a use already
  approved. Two distinct approvers are needed when the cumulative amount
  instructed for one use exceeds ``GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN``,
  checked at every payment instruction (``funds.procedure.services.authority``); a use
  approved by one person gets its second approver here.
- ``UseFiling`` (备案): under the assembly's own account (Order 165 art. 23
  (5)) the committee approves and instructs, and files the approved use with
  the bureau, which receives it and may order a correction (责令改正). While
  a correction order is open no payment instruction is issued for the use.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FundUseCountersign(models.Model):
    """One more approver of a use (never the applicant, the reviewer or a previous approver)."""

    fund_use = models.ForeignKey(
        "funds.FundUse", on_delete=models.PROTECT, related_name="countersigns"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The cumulative amount instructed (live instructions) when it was signed.
    cumulative_fen = models.BigIntegerField(_("累计划款金额（分）"), default=0)
    note = models.TextField(_("复核意见"), blank=True)
    signed_at = models.DateTimeField(_("复核时间"), default=timezone.now)

    class Meta:
        ordering = ["fund_use", "signed_at", "pk"]
        verbose_name = _("第二审批人复核")
        verbose_name_plural = _("第二审批人复核")
        constraints = [
            models.UniqueConstraint(
                fields=["fund_use", "approver"], name="fund_use_one_countersign_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.fund_use_id} {self.approver_id}"

    def scope_object(self):
        return self.fund_use.area


class UseFiling(models.Model):
    """备案 of a use the committee approved under the assembly's own account (art. 23)."""

    class Status(models.TextChoices):
        FILED = "filed", _("已报备案，待住建局查收")
        RECEIVED = "received", _("住建局已备案")
        CORRECTION = "correction", _("住建局责令改正")
        CORRECTED = "corrected", _("已改正，待住建局复查")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.FILED: frozenset({Status.RECEIVED, Status.CORRECTION}),
        Status.RECEIVED: frozenset({Status.CORRECTION}),
        Status.CORRECTION: frozenset({Status.CORRECTED}),
        Status.CORRECTED: frozenset({Status.RECEIVED, Status.CORRECTION}),
    }
    # No payment instruction is issued while the bureau's correction order is open.
    BLOCKING = frozenset({Status.CORRECTION})

    application = models.OneToOneField(
        "funds.FundApplication", on_delete=models.PROTECT, related_name="filing"
    )
    fund_use = models.OneToOneField(
        "funds.FundUse", on_delete=models.PROTECT, related_name="filing"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.FILED, db_index=True
    )
    filed_at = models.DateTimeField(_("报备时间"), default=timezone.now)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    correction_order = models.TextField(_("责令改正的事项"), blank=True)
    ordered_at = models.DateTimeField(_("责令改正时间"), null=True, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    correction_reply = models.TextField(_("改正情况"), blank=True)
    replied_at = models.DateTimeField(_("改正报告时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("维修资金使用备案")
        verbose_name_plural = _("维修资金使用备案")

    def __str__(self) -> str:
        return f"#{self.application_id} {self.status}"

    def scope_object(self):
        return self.application.area
