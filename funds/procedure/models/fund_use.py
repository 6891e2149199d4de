"""The money side of a repair paid from the fund, whatever procedure approved it.

RULES.md §4 (Order 165 arts. 22–25) and §5 (art. 24): after approval, a
payment instruction goes to the custody bank, the bank's confirmation posts
the ledger, and after acceptance the final cost is settled and apportioned to
the sub-ledgers in the 列支范围, then published. A normal application
(``FundApplication``: owners' vote, review, approval) and an emergency
application (``emergency``: no vote) both point to one ``FundUse`` and use the
same services (``funds.procedure.services.payments`` and ``settlement``).

"No vote, no money" is not a field here: the payment services ask the gate
registered for the FundUse's ``source`` before any money moves
(``funds.procedure.services.payments.payment_source_register``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.procedure.models.scope import CostScopeModel


class FundUse(CostScopeModel):
    class Source(models.TextChoices):
        APPLICATION = "application", _("维修资金使用申请")
        EMERGENCY = "emergency", _("紧急维修")
        COMMISSION = "commission", _("代修")

    class Status(models.TextChoices):
        OPEN = "open", _("已批准，待结算")
        SETTLED = "settled", _("已结算分摊")
        PUBLISHED = "published", _("已公示")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.OPEN: frozenset({Status.SETTLED}),
        Status.SETTLED: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset(),
    }

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="fund_uses",
        verbose_name=_("物业管理区域"),
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    # One money record per approved application: "application:12", "emergency:7".
    source_key = models.CharField(_("来源标识"), max_length=60, unique=True)
    title = models.CharField(_("事项"), max_length=200)
    # 列支范围 (RULES.md §1): both empty = the whole area.
    scope_buildings = models.JSONField(_("列支范围：楼栋"), default=list, blank=True)
    scope_unit_codes = models.JSONField(_("列支范围：房屋"), default=list, blank=True)
    budget_fen = models.BigIntegerField(_("批准金额（分）"))
    # The owners' tolerance of the approved motion (RULES.md §4; funds.procedure.ceiling): 0 for
    # an emergency, whose base is the whitelist item's cap instead.
    tolerance_pct = models.PositiveSmallIntegerField(_("业主同意的超支比例（%）"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    opened_at = models.DateTimeField(_("批准时间"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    final_cost_fen = models.BigIntegerField(_("结算金额（分）"), null=True, blank=True)
    over_budget_reason = models.TextField(_("超出预算的理由"), blank=True)
    settled_on = models.DateField(_("结算日期"), null=True, blank=True)
    settled_at = models.DateTimeField(_("结算登记时间"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settlement_txn = models.OneToOneField(
        "funds.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结算凭证"),
    )
    # Σ of the shares the sub-ledgers could not cover at settlement (RULES §4: reported).
    shortfall_fen = models.BigIntegerField(_("余额不足合计（分）"), default=0)
    # 质保金 (funds.procedure.ceiling): held back from the contractor at settlement, payable only
    # after ``retention_release`` on or after the day after the works' warranty ends.
    retention_fen = models.BigIntegerField(_("质保金（分）"), default=0)
    warranty_ends_on = models.DateField(_("工程保修期届满日"), null=True, blank=True)
    retention_released_at = models.DateTimeField(_("质保金释放时间"), null=True, blank=True)
    retention_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    publication = models.ForeignKey(
        "publications.Publication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公示"),
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("维修资金使用")
        verbose_name_plural = _("维修资金使用")
        constraints = [
            models.CheckConstraint(condition=Q(budget_fen__gt=0), name="fund_use_budget_positive"),
            models.CheckConstraint(
                condition=Q(final_cost_fen__isnull=True) | Q(final_cost_fen__gt=0),
                name="fund_use_final_cost_positive",
            ),
            models.CheckConstraint(
                condition=Q(retention_fen__gte=0), name="fund_use_retention_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def scope_object(self):
        return self.area

    @property
    def retention_held_fen(self) -> int:
        """The 质保金 still held back (0 once released)."""
        return 0 if self.retention_released_at else self.retention_fen


class PaymentInstruction(models.Model):
    """划款指令 to the custody bank; confirmed when the bank says it paid."""

    class Status(models.TextChoices):
        INSTRUCTED = "instructed", _("已发出，待银行确认")
        CONFIRMED = "confirmed", _("银行已划款")
        CANCELLED = "cancelled", _("已撤销")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.INSTRUCTED: frozenset({Status.CONFIRMED, Status.CANCELLED}),
        Status.CONFIRMED: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    # Instructions that count against the approved amount.
    LIVE = frozenset({Status.INSTRUCTED, Status.CONFIRMED})

    fund_use = models.ForeignKey(FundUse, on_delete=models.PROTECT, related_name="payments")
    # Idempotency: the same key is the same instruction (DESIGN.md "Idempotency").
    key = models.CharField(_("指令编号"), max_length=100, unique=True)
    digest = models.CharField(max_length=64)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    payee_name = models.CharField(_("收款人"), max_length=200)
    payee_bank = models.CharField(_("收款行"), max_length=100)
    payee_account = models.CharField(_("收款账号"), max_length=40)
    memo = models.CharField(_("用途"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=Status.choices,
        default=Status.INSTRUCTED,
        db_index=True,
    )
    instructed_at = models.DateTimeField(_("发出时间"), default=timezone.now)
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    exported_at = models.DateTimeField(_("首次导出时间"), null=True, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=60, blank=True)
    # The custody bank account (its number, digits only) the transfer left from: a bank
    # reference is unique per bank account, whatever areas that account serves.
    payer_account = models.CharField(_("付款账号"), max_length=40, blank=True)
    paid_on = models.DateField(_("划款日期"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transaction = models.OneToOneField(
        "funds.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_instruction",
    )
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("撤销原因"), blank=True)

    class Meta:
        ordering = ["fund_use", "instructed_at", "pk"]
        verbose_name = _("划款指令")
        verbose_name_plural = _("划款指令")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="confirmed")
                | (Q(transaction__isnull=False) & ~Q(bank_reference="")),
                name="payment_confirmed_has_posting",
            ),
            models.UniqueConstraint(
                fields=["payer_account", "bank_reference"],
                condition=~Q(payer_account="") & ~Q(bank_reference=""),
                name="payment_reference_once_per_bank_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.amount_fen}"

    def scope_object(self):
        return self.fund_use.area


class ContractorRefund(models.Model):
    """Money the contractor paid back when the final cost came out below what was paid."""

    fund_use = models.ForeignKey(FundUse, on_delete=models.PROTECT, related_name="refunds")
    key = models.CharField(_("编号"), max_length=100, unique=True)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    bank_reference = models.CharField(_("银行流水号"), max_length=60)
    received_on = models.DateField(_("到账日期"))
    transaction = models.OneToOneField(
        "funds.Transaction", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fund_use", "pk"]
        verbose_name = _("施工单位退款")
        verbose_name_plural = _("施工单位退款")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.amount_fen}"

    def scope_object(self):
        return self.fund_use.area


class FundUseShare(models.Model):
    """One unit's share of a settled cost (Order 165 arts. 20–21) and what it was charged.

    ``charged_fen`` ≤ ``share_fen``: a sub-ledger is charged at most what it
    holds; the rest is the unit's shortfall, owed and reported, never posted as
    a negative balance (RULES.md §4). ``collected_fen`` grows as the shortfall
    is charged later (``settlement.shortfall_collect``).
    """

    fund_use = models.ForeignKey(FundUse, on_delete=models.PROTECT, related_name="shares")
    unit = models.ForeignKey(
        "estates.Unit", on_delete=models.PROTECT, related_name="fund_use_shares"
    )
    unit_code = models.CharField(_("房屋编码"), max_length=120)
    floor_area = models.DecimalField(_("专有部分面积"), max_digits=12, decimal_places=2)
    developer_held = models.BooleanField(_("开发建设单位未售"), default=False)
    share_fen = models.BigIntegerField(_("分摊金额（分）"))
    charged_fen = models.BigIntegerField(_("结算时扣划（分）"))
    collected_fen = models.BigIntegerField(_("其后补扣（分）"), default=0)

    class Meta:
        ordering = ["fund_use", "unit_code"]
        verbose_name = _("分摊明细")
        verbose_name_plural = _("分摊明细")
        constraints = [
            models.UniqueConstraint(fields=["fund_use", "unit"], name="fund_use_share_once"),
            models.CheckConstraint(
                condition=Q(charged_fen__gte=0)
                & Q(collected_fen__gte=0)
                & Q(share_fen__gte=F("charged_fen") + F("collected_fen")),
                name="fund_use_share_within",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.share_fen}"

    def scope_object(self):
        return self.fund_use.area

    @property
    def outstanding_fen(self) -> int:
        return self.share_fen - self.charged_fen - self.collected_fen


class ShortfallCollection(models.Model):
    """A later charge of a unit's outstanding shortfall, with its ledger posting."""

    share = models.ForeignKey(FundUseShare, on_delete=models.PROTECT, related_name="collections")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    transaction = models.OneToOneField(
        "funds.Transaction", on_delete=models.PROTECT, related_name="+"
    )
    collected_on = models.DateField(_("扣划日期"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["share", "pk"]
        verbose_name = _("余额不足补扣")
        verbose_name_plural = _("余额不足补扣")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="collection_positive")
        ]

    def __str__(self) -> str:
        return f"{self.share_id} {self.amount_fen}"

    def scope_object(self):
        return self.share.fund_use.area
