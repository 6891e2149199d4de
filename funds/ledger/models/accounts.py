"""The fund ledger: double-entry, append-only, integer fen (RULES.md §4, Order 165 art. 10).

Order 165 art. 10: the fund is kept in one account per management area (设账)
with one sub-ledger per unit door number (分户账). Here:

- Every ``Account`` belongs to one area. The general ledger of an area holds
  its ``bank`` accounts (one per custody regime, art. 10/15), ``works``
  (paid for repairs not yet settled and apportioned), ``developer``
  (owed by the developer), ``payable`` (owed to contractors), ``income``
  (returns received and not yet allocated) and the ``area_fund`` account.
- The unit sub-ledgers (``unit``, one per ``Unit``, never per person: a sale
  moves the sub-ledger with the unit, art. 28) form a **subsidiary ledger**
  whose control account is ``area_fund``.

Sign convention: an entry's ``amount_fen`` is positive for a debit and
negative for a credit. ``bank``, ``works`` and ``developer`` are debit-normal
(assets); ``area_fund``, ``unit``, ``payable`` and ``income`` are
credit-normal. A *balance* as people read it (``funds.ledger.selectors.balance``) is
the sum of the entries for a debit-normal account and its negation for a
credit-normal one, so an owner who paid 100 元 sees +100.00.

**Invariants** (enforced by ``funds.ledger.services.posting.transaction_post`` and
proved by ``manage.py funds_check``):

1. Each transaction balances: the entries on general-ledger accounts (every
   kind except ``unit``) sum to zero (debits = credits).
2. The control account matches its detail: in each transaction, the entries
   on the area's unit sub-ledgers sum to the entry on its ``area_fund``
   account. The service writes that ``area_fund`` entry itself; nobody posts
   to ``area_fund`` directly. Hence, at any moment, **the sub-ledgers of an
   area sum to its area fund account** — a statement ``funds_check`` verifies
   from the raw entries, so a unit entry slipped in or altered behind the
   service's back is found.
3. Nothing is updated or deleted: ``Transaction`` and ``Entry`` (and
   ``Account``) raise on ``save()`` of a stored row, ``delete()``, and on
   queryset ``update()``/``delete()``. A correction is a reversing
   transaction (``reverses``, unique: one reversal per transaction).
4. A ``bank`` or ``unit`` balance never goes below zero, at the end of any
   value date (RULES.md §4: a sub-ledger is never driven negative; a
   shortfall is reported instead). ``funds_check`` also recomputes every
   interest posting's 积数 from these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.kept import KeptError, KeptModel, KeptQuerySet
from funds.ledger.deposit_rule import MAX_RATE, MIN_RATE


class LedgerError(KeptError):
    """Raised on any attempt to change or delete a ledger row (it is append-only)."""


AppendOnlyQuerySet = KeptQuerySet


class AppendOnlyModel(KeptModel):
    """Insert once, never change or delete (RULES.md §4: nothing is updated or deleted)."""

    kept_error = LedgerError

    class Meta:
        abstract = True


class CustodyRegime(models.TextChoices):
    """Who keeps the area's fund (RULES.md §4; Order 165 arts. 10, 15)."""

    BUREAU = "bureau", _("住建部门代管")
    ASSEMBLY = "assembly", _("业主大会自管")


class FundProfile(models.Model):
    """The fund settings of one management area: custody, bank, deposit rate and cost.

    Changed only through ``funds.ledger.services.fund_profile_set`` (deposit terms)
    and ``custody_transfer`` (regime and bank), each audited.
    """

    area = models.OneToOneField(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="fund_profile",
        verbose_name=_("物业管理区域"),
    )
    regime = models.CharField(
        _("资金管理方式"),
        max_length=10,
        choices=CustodyRegime.choices,
        default=CustodyRegime.BUREAU,
    )
    # Order 165 art. 7: 5%–8% of the local construction cost per m², both ends included.
    deposit_rate = models.DecimalField(
        _("首期交存比例"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(MIN_RATE), MaxValueValidator(MAX_RATE)],
    )
    cost_per_m2_fen = models.BigIntegerField(
        _("建筑安装工程每平方米造价（分）"), validators=[MinValueValidator(1)]
    )
    bank_name = models.CharField(_("专户银行"), max_length=100)
    account_no = models.CharField(_("专户账号"), max_length=40)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("维修资金设置")
        verbose_name_plural = _("维修资金设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(deposit_rate__gte=MIN_RATE) & Q(deposit_rate__lte=MAX_RATE),
                name="fund_profile_rate_within_order165_art7",
            ),
            models.CheckConstraint(
                condition=Q(cost_per_m2_fen__gt=0), name="fund_profile_cost_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.get_regime_display()}"


class Account(AppendOnlyModel):
    class Kind(models.TextChoices):
        AREA_FUND = "area_fund", _("区域维修资金（总账）")
        UNIT = "unit", _("分户账")
        BANK = "bank", _("专户存款")
        WORKS = "works", _("待分摊维修支出")
        DEVELOPER = "developer", _("应收开发建设单位")
        PAYABLE = "payable", _("应付维修款")
        INCOME = "income", _("待分配收益")

    # Assets: a debit raises the balance people read. The rest are credit-normal.
    DEBIT_NORMAL = frozenset({Kind.BANK, Kind.WORKS, Kind.DEVELOPER})
    # Money accounts that can never go below zero (RULES.md §4).
    NEVER_NEGATIVE = frozenset({Kind.BANK, Kind.UNIT})

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="fund_accounts",
        verbose_name=_("物业管理区域"),
    )
    kind = models.CharField(_("科目"), max_length=12, choices=Kind.choices)
    unit = models.OneToOneField(
        "estates.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_account",
        verbose_name=_("房屋"),
    )
    # Only bank accounts have one (the bureau's custody account or the assembly's).
    regime = models.CharField(
        _("资金管理方式"), max_length=10, choices=CustodyRegime.choices, blank=True
    )

    class Meta:
        ordering = ["area", "kind", "unit", "pk"]
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="unit") & Q(unit__isnull=False))
                | (~Q(kind="unit") & Q(unit__isnull=True)),
                name="fund_account_unit_iff_sub_ledger",
            ),
            models.CheckConstraint(
                condition=(Q(kind="bank") & ~Q(regime="")) | (~Q(kind="bank") & Q(regime="")),
                name="fund_account_regime_iff_bank",
            ),
            models.UniqueConstraint(
                fields=["area", "kind", "regime"],
                condition=Q(unit__isnull=True),
                name="fund_account_one_per_area_kind_regime",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.UNIT:
            return f"{self.get_kind_display()} {self.unit}"
        if self.kind == self.Kind.BANK:
            return f"{self.get_kind_display()}（{self.get_regime_display()}）"
        return str(self.get_kind_display())

    @property
    def debit_normal(self) -> bool:
        return self.kind in self.DEBIT_NORMAL

    @classmethod
    def natural(cls, kind: str, amount_fen: int) -> int:
        """A raw sum of entries (debit +) as it moves the balance people read."""
        return amount_fen if kind in cls.DEBIT_NORMAL else -amount_fen


class Transaction(AppendOnlyModel):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("交存")
        INTEREST = "interest", _("利息")
        INCOME = "income", _("其他收益")
        PAYMENT = "payment", _("划款")
        SETTLEMENT = "settlement", _("结算分摊")
        REFUND = "refund", _("退还")
        CUSTODY = "custody", _("账户移交")
        REVERSAL = "reversal", _("冲正")
        ADJUSTMENT = "adjustment", _("调整")

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="fund_transactions",
        verbose_name=_("物业管理区域"),
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    memo = models.CharField(_("摘要"), max_length=200)
    # The day the money moved (deposit paid, bank confirmed): 积数 counts from it.
    value_date = models.DateField(_("记账日期"), db_index=True)
    # Idempotency: a retried request with the same key returns this row.
    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    # SHA-256 of what was posted (kind, area, date, lines, reverses): the same
    # key with other content is a conflict, not a retry.
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("记账时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲正的交易"),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        indexes = [models.Index(fields=["area", "value_date"], name="fund_txn_area_date")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.memo}"


class Entry(AppendOnlyModel):
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="entries", verbose_name=_("凭证")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户")
    )
    # Debit positive, credit negative (module docstring); never zero.
    amount_fen = models.BigIntegerField(_("金额（分）"))

    class Meta:
        ordering = ["transaction", "pk"]
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        constraints = [
            models.CheckConstraint(condition=~Q(amount_fen=0), name="fund_entry_amount_not_zero"),
            models.UniqueConstraint(
                fields=["transaction", "account"], name="fund_entry_one_per_account_in_txn"
            ),
        ]
        indexes = [models.Index(fields=["account", "transaction"], name="fund_entry_acct_txn")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount_fen}"


class InterestPosting(AppendOnlyModel):
    """One period's interest of one area, posted once (RULES.md §4; Order 165 art. 26)."""

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="interest_postings",
        verbose_name=_("物业管理区域"),
    )
    start = models.DateField(_("计息起日"))
    end = models.DateField(_("计息止日"))
    interest_fen = models.BigIntegerField(_("利息（分）"))
    total_jishu = models.BigIntegerField(_("积数合计（分·天）"))
    ledgers = models.PositiveIntegerField(_("分户账数"))
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="interest_posting"
    )

    class Meta:
        ordering = ["area", "start"]
        verbose_name = _("利息分配")
        verbose_name_plural = _("利息分配")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "start", "end"], name="fund_interest_once_per_area_period"
            ),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="fund_interest_period"),
            models.CheckConstraint(
                condition=Q(interest_fen__gte=0), name="fund_interest_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.start}–{self.end}"
