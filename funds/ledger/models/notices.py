"""Notices of postings to sub-ledgers (RULES.md §4: every posting is notified to the owners).

One ``PostingNotice`` per (transaction, unit, owner): it is the owner's notice
list, written in the same database transaction as the posting, so a posting
nobody was told about cannot exist. The SMS is sent after commit by a Celery
task (``funds.tasks``); ``sms_status`` is only the delivery record — the
notice row itself is what the owner always sees.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PostingNotice(models.Model):
    class Sms(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        NO_PHONE = "no_phone", _("无手机号")

    transaction = models.ForeignKey(
        "funds.Transaction", on_delete=models.PROTECT, related_name="notices"
    )
    unit = models.ForeignKey("estates.Unit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "estates.Person", on_delete=models.PROTECT, related_name="fund_notices"
    )
    # The posting as the owner reads it: + money into the sub-ledger, − money out.
    amount_fen = models.BigIntegerField(_("金额（分）"))
    created_at = models.DateTimeField(_("通知时间"), default=timezone.now)
    sms_status = models.CharField(
        _("短信"), max_length=10, choices=Sms.choices, default=Sms.PENDING, db_index=True
    )
    sms_at = models.DateTimeField(_("短信时间"), null=True, blank=True)
    # Which sender run claimed the text (a batch is claimed with one UPDATE, then read back).
    sms_claim = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("资金变动通知")
        verbose_name_plural = _("资金变动通知")
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "unit", "person"], name="fund_notice_once_per_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} {self.unit_id} {self.person_id}"
