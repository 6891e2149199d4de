"""The convener's reminders to the rights that have not voted yet (issue #16, RULES.md §3).

A ``TurnoutReminder`` is one reminder the convener sent: its round (1, 2, …
within the assembly), the text, when, by whom, and how many were to get it —
kept for ever (the audit chain holds the same event). Its texts are the
assembly's ``TextSend`` rows of kind reminder and the same round, one per
person, sent and resumed like the notice's (``voting.services.text_sends``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .assembly import Assembly


class TurnoutReminder(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="reminders")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The reminder's ordinal within the assembly: the ``round`` of its ``TextSend`` rows.
    round = models.PositiveSmallIntegerField(_("轮次"))
    sent_at = models.DateTimeField(_("发送时间"))
    # The district's calendar day (Asia/Shanghai) of ``sent_at``: the "one a day" limit.
    day = models.DateField(_("发送日期"))
    text = models.TextField(_("短信内容"))
    rights = models.PositiveIntegerField(_("未投票表决权数"))
    recipients = models.PositiveIntegerField(_("收信人数"))
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
            models.UniqueConstraint(fields=["assembly", "round"], name="turnout_reminder_round"),
        ]

    def __str__(self) -> str:
        return f"{self.assembly_id} · {self.day}"

    def scope_object(self):
        return self.assembly.area
