"""The convener's reminders to the rights that have not voted yet (issue #16, RULES.md §3).

A ``TurnoutReminder`` is one reminder the convener sent: the text, when, by
whom, and how many were to get it — kept for ever (the audit chain holds the
same event). ``ReminderText`` is one text message of it, claimed before it is
sent so a task that runs twice sends nothing twice (``voting.services.turnout``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .assembly import Assembly


class TurnoutReminder(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="reminders")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("发送时间"))
    # The district's calendar day (Asia/Shanghai) of ``sent_at``: the "one a day" limit.
    day = models.DateField(_("发送日期"))
    text = models.TextField(_("短信内容"))
    rights = models.PositiveIntegerField(_("未投票表决权数"))
    recipients = models.PositiveIntegerField(_("收信手机号数"))
    # The confirmation form's token: a double submit finds the reminder it already made.
    idempotency_key = models.CharField(max_length=64)

    class Meta:
        ordering = ["assembly", "sent_at", "pk"]
        verbose_name = _("催投提醒")
        verbose_name_plural = _("催投提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "idempotency_key"], name="turnout_reminder_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assembly_id} · {self.day}"

    def scope_object(self):
        return self.assembly.area


class ReminderText(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    reminder = models.ForeignKey(TurnoutReminder, on_delete=models.PROTECT, related_name="texts")
    phone = models.CharField(max_length=11)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("催投短信")
        verbose_name_plural = _("催投短信")
        constraints = [
            models.UniqueConstraint(fields=["reminder", "phone"], name="reminder_text_once"),
            models.CheckConstraint(condition=~Q(phone=""), name="reminder_text_has_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.reminder_id} · {self.status}"
