"""What lets a settlement go past the approved amount (RULES.md §4 "use", §5).

- ``SupplementaryVote``: an owners' vote on an excess above the ceiling (or,
  for an emergency, above the whitelist item's cap), in the same 列支范围,
  started from the settlement page; only its approved excess counts.
- ``SettlementAuditReport``: the audited final account (审价报告) a settlement
  above the threshold needs.
- ``SettlementExcessApproval``: an emergency settled above its approved
  estimate needs the approver (two above the threshold), for that final cost.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import NamedUploadModel, validate_upload
from funds.procedure.models.fund_use import FundUse


class SupplementaryVote(models.Model):
    """A supplementary owners' vote (补充表决) on ``excess_fen`` above the settlement's base."""

    fund_use = models.ForeignKey(
        FundUse, on_delete=models.PROTECT, related_name="supplementary_votes"
    )
    excess_fen = models.BigIntegerField(_("超出部分（分）"))
    reason = models.TextField(_("超支原因"))
    assembly = models.ForeignKey(
        "voting.Assembly",
        on_delete=models.PROTECT,
        related_name="supplementary_votes",
        verbose_name=_("业主大会会议"),
    )
    motion = models.OneToOneField(
        "voting.Motion",
        on_delete=models.PROTECT,
        related_name="supplementary_vote",
        verbose_name=_("表决议题"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fund_use", "pk"]
        verbose_name = _("超支补充表决")
        verbose_name_plural = _("超支补充表决")
        constraints = [
            models.CheckConstraint(
                condition=Q(excess_fen__gt=0), name="supplementary_excess_positive"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.fund_use_id} +{self.excess_fen}"

    def scope_object(self):
        return self.fund_use.area


def _report_path(instance: SettlementAuditReport, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"funds/settlement/{instance.fund_use_id}/{secrets.token_hex(16)}.{extension}"


class SettlementAuditReport(NamedUploadModel):
    """审价报告: the audited final account of a settlement above the threshold."""

    fund_use = models.ForeignKey(FundUse, on_delete=models.PROTECT, related_name="audit_reports")
    file = models.FileField(
        _("文件"), upload_to=_report_path, max_length=200, validators=[validate_upload]
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["fund_use", "pk"]
        verbose_name = _("审价报告")
        verbose_name_plural = _("审价报告")

    def __str__(self) -> str:
        return self.original_name

    def scope_object(self):
        return self.fund_use.area


class SettlementExcessApproval(models.Model):
    """An approver's consent to settle an emergency at ``cost_fen``, above its estimate."""

    fund_use = models.ForeignKey(FundUse, on_delete=models.PROTECT, related_name="excess_approvals")
    cost_fen = models.BigIntegerField(_("结算金额（分）"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("审批意见"), blank=True)
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fund_use", "pk"]
        verbose_name = _("超预算结算审批")
        verbose_name_plural = _("超预算结算审批")
        constraints = [
            models.UniqueConstraint(
                fields=["fund_use", "cost_fen", "approver"], name="excess_approval_once"
            ),
            models.CheckConstraint(condition=Q(cost_fen__gt=0), name="excess_approval_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.fund_use_id} {self.cost_fen} {self.approver_id}"

    def scope_object(self):
        return self.fund_use.area
