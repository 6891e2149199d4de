"""The public-revenue ledger of each management area (RULES.md §6).

Civil Code art. 282: income the developer, the property company or others
earn from the owners' common parts (parking spaces on common land,
advertising on walls and lifts, renting out the clubhouse …) belongs to the
owners once reasonable costs are deducted. Art. 283: it is shared by each
owner's share of exclusive area unless the owners agreed otherwise. SPC
interpretation on building ownership (法释〔2009〕7号, 2020 revision) art. 13:
owners may demand to see the records of it.

Everything here is append-only, like a ledger whose rows cannot be deleted
(STYLE.md §8): ``save`` on a stored row, ``delete``, and a queryset's
``update``/``delete`` raise ``AppendOnlyError``. A wrong entry is corrected
by a reversing entry linked to it (at most one per entry); an owners'
decision on the use of a quarter's net, or a quarter's notice, is corrected
by a new row that supersedes the old one — nothing recorded disappears.
"""

# One piece because the append-only base, the entries, the decisions with their shares
# and the notices are the one ledger, read together by its invariants.

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import money
from core.kept import KeptError, KeptModel
from core.uploads import validate_upload

from . import ledger
from .quarters import Quarter


class AppendOnlyError(KeptError):
    """Raised on any attempt to change or remove a row of the revenue ledger."""


class AppendOnlyModel(KeptModel):
    """Insert once, then never change or delete (module docstring)."""

    kept_error = AppendOnlyError

    class Meta:
        abstract = True


class Direction(models.TextChoices):
    INCOME = ledger.INCOME, _("收入")
    COST = ledger.COST, _("成本支出")


class Category(models.TextChoices):
    # Income from the common parts (art. 282's examples and the usual ones).
    PARKING = "parking", _("停车")
    ADVERTISING = "advertising", _("广告")
    VENUE = "venue", _("场地租赁")
    OTHER_INCOME = "other_income", _("其他收入")
    # The reasonable costs art. 282 lets be deducted.
    MANAGEMENT = "management", _("管理成本")
    REPAIR = "repair", _("维修")
    OTHER_COST = "other_cost", _("其他支出")


INCOME_CATEGORIES: tuple[str, ...] = (
    Category.PARKING,
    Category.ADVERTISING,
    Category.VENUE,
    Category.OTHER_INCOME,
)
COST_CATEGORIES: tuple[str, ...] = (Category.MANAGEMENT, Category.REPAIR, Category.OTHER_COST)
CATEGORIES_OF: dict[str, tuple[str, ...]] = {
    Direction.INCOME: INCOME_CATEGORIES,
    Direction.COST: COST_CATEGORIES,
}


def _voucher_path(instance: RevenueEntry, filename: str) -> str:
    # A random name: a voucher may show a counterparty's details, so its
    # address must not be guessable from the entry number.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"revenue/{instance.area_id}/vouchers/{secrets.token_hex(16)}.{extension}"


class RevenueEntry(AppendOnlyModel):
    """One income or cost of an area's public revenue, in integer fen (always > 0).

    A reversing entry (``reverses`` set) repeats the direction, category,
    amount and date of the entry it reverses and counts with the opposite
    sign (``ledger.Line``), so the quarter the original fell in nets to zero
    and its notice can be corrected (RULES.md §7).
    """

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="revenue_entries",
        verbose_name=_("物业管理区域"),
    )
    direction = models.CharField(_("收支"), max_length=8, choices=Direction.choices)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    occurred_on = models.DateField(_("发生日期"), db_index=True)
    counterparty = models.CharField(_("对方单位或个人"), max_length=200)
    memo = models.TextField(_("摘要"), blank=True)
    voucher = models.FileField(
        _("凭证"), upload_to=_voucher_path, max_length=200, blank=True, validators=[validate_upload]
    )
    voucher_sha256 = models.CharField(_("凭证 SHA-256"), max_length=64, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("冲正的记录"),
    )
    reason = models.TextField(_("冲正原因"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["area", "occurred_on", "pk"]
        verbose_name = _("公共收益收支记录")
        verbose_name_plural = _("公共收益收支记录")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="revenue_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(direction=Direction.INCOME, category__in=INCOME_CATEGORIES)
                    | Q(direction=Direction.COST, category__in=COST_CATEGORIES)
                ),
                name="revenue_category_matches_direction",
            ),
            # A reversal says why; an ordinary entry has no reversal reason.
            models.CheckConstraint(
                condition=(
                    Q(reverses__isnull=True, reason="")
                    | (Q(reverses__isnull=False) & ~Q(reason=""))
                ),
                name="revenue_reversal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} {money.yuan(self.amount_fen)}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def signed_fen(self) -> int:
        return -self.amount_fen if self.is_reversal else self.amount_fen

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.occurred_on)

    def line(self) -> ledger.Line:
        return ledger.Line(self.direction, self.category, self.amount_fen, self.is_reversal)

    def scope_object(self):
        return self.area


def _quarter_constraints(prefix: str) -> list[models.BaseConstraint]:
    """A quarter is 1–4, and an area has one first row per quarter: every later one supersedes.

    Named ``<prefix>_quarter_1_to_4`` and ``<prefix>_one_original_per_quarter``.
    """
    return [
        models.CheckConstraint(
            condition=Q(quarter__gte=1, quarter__lte=4), name=f"{prefix}_quarter_1_to_4"
        ),
        models.UniqueConstraint(
            fields=["area", "year", "quarter"],
            condition=Q(supersedes__isnull=True),
            name=f"{prefix}_one_original_per_quarter",
        ),
    ]


class QuarterRecord(AppendOnlyModel):
    """A decision or notice about one quarter of an area, corrected by a new row (RULES.md §7).

    Each model declares ``area``, ``year``, ``quarter`` and ``supersedes``
    (related name ``superseded_by``) and adds ``_quarter_constraints`` to its
    own: the row a later one supersedes stays, so nothing recorded disappears.
    """

    class Meta:
        abstract = True

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "superseded_by")

    def scope_object(self):
        return self.area


def _decision_path(instance: Allocation, filename: str) -> str:
    # Random, like a voucher's: the record names owners and how they voted.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"revenue/{instance.area_id}/decisions/{secrets.token_hex(16)}.{extension}"


class Allocation(QuarterRecord):
    """How the owners decided the net of one quarter is used (Civil Code arts. 282–283).

    ``net_fen`` is the net the decision was recorded against; a notice is
    issued only while it still equals the ledger's net (a later entry or
    reversal needs a new decision, which supersedes this one). Shared by
    area, each unit's share is stored in ``AllocationShare``.
    """

    class Method(models.TextChoices):
        # Art. 283: without an agreement, by each owner's share of exclusive area.
        SHARE_BY_AREA = "share_by_area", _("按专有部分面积分配给业主")
        FUND = "fund", _("转入专项维修资金")
        OTHER = "other", _("其他用途（按业主决定）")
        # Only to supersede a decision whose net a later reversal wiped out: nothing to share.
        NONE = "none", _("无可分配的净收益（取代原决定）")

    # Art. 283 "有约定的，按照约定": a use other than sharing by area needs the owners'
    # decision — a motion voted on the platform, or the uploaded record of one taken
    # off it (a paper vote's minutes) with its result; never free text alone.
    NEEDS_DECISION = frozenset({Method.FUND, Method.OTHER})

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="revenue_allocations",
        verbose_name=_("物业管理区域"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    method = models.CharField(_("分配方式"), max_length=16, choices=Method.choices)
    net_fen = models.BigIntegerField(_("分配的净收益（分）"))
    motion = models.ForeignKey(
        "voting.Motion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("业主大会表决议题"),
    )
    decision_text = models.TextField(_("决定内容"), blank=True)
    # A decision taken off the platform: the scanned record (minutes, tally) and its result.
    decision_file = models.FileField(
        _("业主决定的书面记录"),
        upload_to=_decision_path,
        max_length=200,
        blank=True,
        validators=[validate_upload],
    )
    decision_file_sha256 = models.CharField(_("书面记录 SHA-256"), max_length=64, blank=True)
    decision_result = models.TextField(_("表决结果"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("取代的决定"),
    )
    reason = models.TextField(_("更正原因"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["area", "-year", "-quarter", "-pk"]
        verbose_name = _("公共收益分配决定")
        verbose_name_plural = _("公共收益分配决定")
        constraints = [
            *_quarter_constraints("allocation"),
            # A net of zero or below is only recorded to supersede an earlier decision.
            models.CheckConstraint(
                condition=Q(net_fen__gt=0) | (Q(method="none") & Q(supersedes__isnull=False)),
                name="allocation_net_positive_or_superseding_none",
            ),
            models.CheckConstraint(
                condition=~Q(method="none") | Q(net_fen__lte=0),
                name="allocation_none_only_without_net",
            ),
            models.CheckConstraint(
                condition=~Q(method="other") | ~Q(decision_text=""),
                name="allocation_other_needs_text",
            ),
            models.CheckConstraint(
                condition=Q(decision_file="") | ~Q(decision_result=""),
                name="allocation_decision_record_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.period.label} {self.get_method_display()}"


class AllocationShare(AppendOnlyModel):
    """One unit's share of a net shared by exclusive area (``funds.apportion``, RULES.md §4 rounding).

    The unit's code and area are copied as they were when the decision was
    recorded: the published shares never move when the register changes later.
    """

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="shares")
    unit = models.ForeignKey("estates.Unit", on_delete=models.PROTECT, related_name="+")
    unit_code = models.CharField(_("房屋编码"), max_length=120)
    floor_area = models.DecimalField(_("专有部分面积"), max_digits=12, decimal_places=2)
    share_fen = models.BigIntegerField(_("应分金额（分）"))

    class Meta:
        ordering = ["allocation", "unit_code"]
        verbose_name = _("公共收益分配份额")
        verbose_name_plural = _("公共收益分配份额")
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "unit"], name="allocation_share_unit_once"
            ),
            models.CheckConstraint(
                condition=Q(share_fen__gte=0), name="allocation_share_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_code} {money.yuan(self.share_fen)}"

    def scope_object(self):
        return self.allocation.area


class QuarterNotice(QuarterRecord):
    """A published quarterly notice of an area's public revenue (RULES.md §6–7).

    One first notice per quarter; a correction is a new notice whose
    publication supersedes the old one (``publications`` keeps both). The
    figures it showed are kept beside it for the ledger page.
    """

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="revenue_notices",
        verbose_name=_("物业管理区域"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    publication = models.OneToOneField(
        "publications.Publication",
        on_delete=models.PROTECT,
        related_name="revenue_notice",
        verbose_name=_("公示"),
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("更正的公示"),
    )
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("分配决定"),
    )
    income_fen = models.BigIntegerField(_("收入合计（分）"))
    cost_fen = models.BigIntegerField(_("成本支出合计（分）"))
    net_fen = models.BigIntegerField(_("净收益（分）"))
    entries = models.PositiveIntegerField(_("记录条数"))
    reason = models.TextField(_("更正原因"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        ordering = ["area", "-year", "-quarter", "-pk"]
        verbose_name = _("公共收益季度公示")
        verbose_name_plural = _("公共收益季度公示")
        constraints = [
            *_quarter_constraints("revenue_notice"),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                name="revenue_notice_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.period.label} {self.publication.serial}"
