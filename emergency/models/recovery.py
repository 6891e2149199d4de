"""Recovery claims (追偿) of emergency repairs paid inside warranty (RULES.md §5, last paragraph).

Order 165 art. 18 and 质量管理条例 arts. 40–41: inside the warranty the
developer (建设单位) or the builder (施工单位) bears the repair; art. 25
excludes it from the fund. An emergency cannot wait for them, so the fund pays
now and the bureau records a claim against the one who owes it, and tracks it:

    open → claimed → recovered
      ↘        ↘
       abandoned (either way, with reasons)

Every move is made by ``emergency.services.recovery`` under a row lock, with a
reason, and written to the audit chain; the row keeps the last word of each
step. Abandoning money owed to the owners is the approver's decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecoveryClaim(models.Model):
    class Against(models.TextChoices):
        DEVELOPER = "developer", _("建设单位（开发企业）")
        BUILDER = "builder", _("施工单位")

    class Status(models.TextChoices):
        OPEN = "open", _("待追偿")
        CLAIMED = "claimed", _("已主张")
        RECOVERED = "recovered", _("已追回")
        ABANDONED = "abandoned", _("已放弃")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.OPEN: frozenset({Status.CLAIMED, Status.ABANDONED}),
        Status.CLAIMED: frozenset({Status.RECOVERED, Status.ABANDONED}),
        Status.RECOVERED: frozenset(),
        Status.ABANDONED: frozenset(),
    }
    LIVE = frozenset({Status.OPEN, Status.CLAIMED})

    application = models.ForeignKey(
        "emergency.EmergencyApplication",
        on_delete=models.PROTECT,
        related_name="recovery_claims",
        verbose_name=_("紧急维修申请"),
    )
    against = models.CharField(_("追偿对象"), max_length=10, choices=Against.choices)
    party_name = models.CharField(_("单位名称"), max_length=200)
    amount_fen = models.BigIntegerField(_("追偿金额（分）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    note = models.TextField(_("登记说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("主张时间"), null=True, blank=True)
    claim_note = models.TextField(_("主张情况"), blank=True)
    recovered_fen = models.BigIntegerField(_("追回金额（分）"), default=0)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolution_note = models.TextField(_("办结说明（追回或放弃的理由）"), blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("追偿")
        verbose_name_plural = _("追偿")
        constraints = [
            # One claim per party owed per application; another party is another claim.
            models.UniqueConstraint(
                fields=["application", "against"], name="recovery_claim_once_per_party"
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="recovery_claim_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(recovered_fen__gte=0, recovered_fen__lte=F("amount_fen")),
                name="recovery_claim_recovered_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(status="recovered", recovered_fen__gt=0)
                | (~Q(status="recovered") & Q(recovered_fen=0)),
                name="recovery_claim_recovered_amount_iff_recovered",
            ),
        ]

    def __str__(self) -> str:
        return f"追偿 #{self.pk}（申请第{self.application_id}号，{self.get_against_display()}）"

    def scope_object(self):
        return self.application.area
