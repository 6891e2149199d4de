"""First-deposit demands: what each unit was asked to pay, with its basis (Order 165 arts. 7, 17).

RULES.md §4: the first deposit (首期交存) is area × 5%–8% of the local
construction cost per m²; **the amount is fixed per unit when it is
demanded**, stored with its basis (area, price, rate, date, rule version). A
later change of the area's price applies to new demands only, and the art. 17
top-up test (balance < 30 % of the first deposit) reads the stored amount —
never a figure recomputed from today's price.

A demand row is kept for good (append-only). A correction is a new row that
``supersedes`` the previous one, with its reason and its actor, audited; the
unit's demand in force is the one nobody has superseded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .accounts import AppendOnlyModel


class FirstDepositDemand(AppendOnlyModel):
    class Source(models.TextChoices):
        DEMAND = "demand", _("按当时标准核定")
        CORRECTION = "correction", _("更正")
        # Data migration 0004: units that existed before demands were stored.
        BACKFILL_POSTING = "backfill_posting", _("按实际首期交存补录")
        BACKFILL_HISTORY = "backfill_history", _("按历史造价记录补录")

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="first_deposit_demands",
        verbose_name=_("物业管理区域"),
    )
    unit = models.ForeignKey(
        "estates.Unit",
        on_delete=models.PROTECT,
        related_name="first_deposit_demands",
        verbose_name=_("房屋"),
    )
    amount_fen = models.BigIntegerField(_("首期应交存（分）"))
    # The basis (Order 165 art. 7): the unit's area and which register figure it was.
    floor_area = models.DecimalField(_("计缴面积"), max_digits=12, decimal_places=2)
    area_basis = models.CharField(_("面积依据"), max_length=10)
    cost_per_m2_fen = models.BigIntegerField(_("每平方米造价（分）"))
    deposit_rate = models.DecimalField(_("交存比例"), max_digits=5, decimal_places=4)
    demanded_on = models.DateField(_("核定日期"))
    rule_version = models.CharField(_("计算规则版本"), max_length=40)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    reason = models.CharField(_("更正原因"), max_length=500, blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("更正的核定"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["unit", "pk"]
        verbose_name = _("首期交存核定")
        verbose_name_plural = _("首期交存核定")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="fund_first_deposit_amount_positive"
            ),
            # One original demand per unit; every later figure is a correction of it.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(supersedes__isnull=True),
                name="fund_first_deposit_one_original_per_unit",
            ),
            # A correction names what it corrects and why; nothing else supersedes.
            models.CheckConstraint(
                condition=(Q(source="correction") & Q(supersedes__isnull=False) & ~Q(reason=""))
                | (~Q(source="correction") & Q(supersedes__isnull=True)),
                name="fund_first_deposit_correction_reasoned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.amount_fen}"
