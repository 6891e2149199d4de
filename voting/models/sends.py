"""One row per text message of an assembly to one person: the send queue (STYLE.md §7).

A notice to a whole area is hundreds of texts. They are queued as rows in the
transaction that publishes the notice, and a worker sends them afterwards
(``voting.services.text_sends``): the convener's request returns at once, the
manage page shows the progress from these rows, and a worker that runs twice
or restarts never sends one twice — each row is claimed ``pending → sending``
with a compare-and-set before its text goes out.

``kind`` and ``round`` keep the model general: the notice is (notice, 0); a
reminder the convener sends is (reminder, n) for its n-th round, so each
round reaches each person at most once.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assembly import Assembly


class TextSend(models.Model):
    class Kind(models.TextChoices):
        NOTICE = "notice", _("会议公告")
        REMINDER = "reminder", _("投票提醒")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="text_sends")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    round = models.PositiveSmallIntegerField(default=0)
    person = models.ForeignKey("estates.Person", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The text is fixed when the rows are queued: every recipient gets the same words.
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # An error class name, never a phone number or the provider's free text.
    error = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("短信发送")
        verbose_name_plural = _("短信发送")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "kind", "round", "person"], name="text_send_once"
            )
        ]
        indexes = [models.Index(fields=["status", "assembly"], name="text_send_status")]

    def __str__(self) -> str:
        return f"{self.assembly_id} {self.kind}#{self.round} {self.person_id} {self.status}"
