"""The published annual statements of an area's fund (RULES.md §4 "Publication", §7).

``AnnualStatement``: one published annual statement of an area
(``funds.ledger.services.statements``); a correction is a new row that
``supersedes`` the current one (RULES.md §7), never an edit. Append-only
(``AppendOnlyModel``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .accounts import AppendOnlyModel

__all__ = ["AnnualStatement"]


class AnnualStatement(AppendOnlyModel):
    """One published annual statement of an area's fund (RULES.md §4 "Publication", §7)."""

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="annual_statements",
        verbose_name=_("物业管理区域"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    publication = models.OneToOneField(
        "publications.Publication",
        on_delete=models.PROTECT,
        related_name="annual_statement",
        verbose_name=_("公示"),
    )
    # A correction supersedes the statement it corrects; one correction per statement,
    # so the versions of a year form one chain.
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("更正的公示"),
    )
    reason = models.TextField(_("更正原因"), blank=True)
    opening_fen = models.BigIntegerField(_("期初余额（分）"))
    closing_fen = models.BigIntegerField(_("期末余额（分）"))
    units = models.PositiveIntegerField(_("分户账数"))
    published_at = models.DateTimeField(_("公示时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )

    class Meta:
        ordering = ["area", "-year", "-pk"]
        verbose_name = _("维修资金年度账目公示")
        verbose_name_plural = _("维修资金年度账目公示")
        constraints = [
            # The first statement of a year is unique; later ones must supersede.
            models.UniqueConstraint(
                fields=["area", "year"],
                condition=Q(supersedes__isnull=True),
                name="annual_statement_first_once",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                name="annual_statement_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}"

    def scope_object(self):
        return self.area
