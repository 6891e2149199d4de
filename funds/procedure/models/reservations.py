"""What a repair may cost each unit, and the money held for it before anything is paid.

RULES.md §4 ("use" and "Apportionment"; Order 165 arts. 20–23) and §5 (art. 24):

- ``ApportionmentBasis``: the units and areas a use is shared over, frozen
  once — for a use the owners voted on, the roll frozen when their vote
  opened (what their ballots showed); for an emergency (no vote), the
  register at approval. Settlement apportions over it, never over today's
  register: a unit added later is never charged without a new decision.
- ``Reservation`` (冻结): money of a unit's sub-ledger held for one use. It is
  an explicit, append-only record beside the ledger, **not** a ledger
  posting. Why: a reservation does not move money — the owner still owns it,
  its interest (积数) still accrues to the owner, and a posting would notify
  every owner of a "charge" that may never happen, then again of its
  release. Putting it in the double-entry ledger would need one more account
  per unit (a reserved sub-ledger) and two postings per unit per instruction
  across the whole ledger for what is a constraint, not a movement. So the
  constraint is kept where balances are checked: ``transaction_post``
  refuses to take a sub-ledger below what is reserved on it, the reserving
  service locks the sub-ledgers, and ``funds_check``
  (``funds.integrity.reservations_check``) proves from the raw rows that no
  sub-ledger holds less than is reserved on it and that no open use has
  instructed more than it holds reserved. Rows carry a signed amount
  (+ reserve, − release); a unit's reservation for a use is their sum.
- ``ShortfallDemand`` (分摊补缴): the estimated share a sub-ledger cannot bear,
  demanded from the owner at approval, before works, with a deadline; paid
  money is posted as a deposit into the sub-ledger and reserved for the use.
  Unpaid after the deadline it is reported to the convener and the street
  as that owner's debt (``ShortfallReport``). On the emergency path the
  shortfall may be advanced only from the account the bureau names for it
  (``AdvanceAccount``; public or street funds), never from other sub-ledgers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.ledger.models import AppendOnlyModel


class ApportionmentBasis(AppendOnlyModel):
    """The frozen units and areas of one FundUse (RULES.md §4 "Apportionment")."""

    class Source(models.TextChoices):
        ROLL = "roll", _("表决名册")
        APPROVAL = "approval", _("批准时登记簿")

    fund_use = models.OneToOneField("funds.FundUse", on_delete=models.PROTECT, related_name="basis")
    source = models.CharField(_("依据"), max_length=10, choices=Source.choices)
    assembly = models.ForeignKey(
        "voting.Assembly", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # [[unit id, code, area "89.50", developer held], ...] sorted by code.
    units = models.JSONField(_("房屋及面积"))
    area_total = models.DecimalField(_("面积合计"), max_digits=14, decimal_places=2)
    digest = models.CharField(_("摘要（SHA-256）"), max_length=64)
    frozen_at = models.DateTimeField(_("冻结时间"), default=timezone.now)

    class Meta:
        verbose_name = _("分摊依据")
        verbose_name_plural = _("分摊依据")

    def __str__(self) -> str:
        return f"{self.fund_use_id} · {self.get_source_display()}"


class Reservation(AppendOnlyModel):
    """A change (+ reserve, − release) of the money held on one sub-ledger for one use."""

    class Reason(models.TextChoices):
        INSTRUCTION = "instruction", _("划款指令冻结")
        COLLECTED = "collected", _("分摊补缴到账冻结")
        ADVANCED = "advanced", _("指定账户垫付冻结")
        SETTLED = "settled", _("结算扣划解冻")
        COLLECT = "collect", _("补扣解冻")

    fund_use = models.ForeignKey(
        "funds.FundUse", on_delete=models.PROTECT, related_name="reservations"
    )
    account = models.ForeignKey(
        "funds.Account", on_delete=models.PROTECT, related_name="reservations"
    )
    unit = models.ForeignKey("estates.Unit", on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    reason = models.CharField(_("原因"), max_length=12, choices=Reason.choices)
    instruction = models.ForeignKey(
        "funds.PaymentInstruction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reservations",
    )
    transaction = models.ForeignKey(
        "funds.Transaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fund_use", "unit", "pk"]
        verbose_name = _("冻结")
        verbose_name_plural = _("冻结")
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_fen=0), name="fund_reservation_amount_not_zero"
            )
        ]
        indexes = [models.Index(fields=["account"], name="fund_reservation_account")]

    def __str__(self) -> str:
        return f"{self.fund_use_id} {self.unit_id} {self.amount_fen}"


class AdvanceAccount(models.Model):
    """The account the bureau names to advance emergency shortfalls (public or street funds)."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("公共资金")
        STREET = "street", _("街道资金")

    area = models.ForeignKey(
        "estates.ManagementArea", on_delete=models.PROTECT, related_name="advance_accounts"
    )
    kind = models.CharField(_("资金性质"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("账户名称"), max_length=200)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    account_no = models.CharField(_("账号"), max_length=40)
    active = models.BooleanField(_("有效"), default=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    named_at = models.DateTimeField(_("指定时间"), default=timezone.now)

    class Meta:
        ordering = ["area", "-named_at"]
        verbose_name = _("垫付指定账户")
        verbose_name_plural = _("垫付指定账户")
        constraints = [
            models.UniqueConstraint(
                fields=["area"], condition=Q(active=True), name="advance_account_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    def scope_object(self):
        return self.area


class ShortfallDemand(models.Model):
    """分摊补缴: one unit's estimated shortfall, demanded at approval (RULES.md §4)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待补缴")
        PAID = "paid", _("已补缴")
        ADVANCED = "advanced", _("已由指定账户垫付")
        REPORTED = "reported", _("逾期未缴，已报告")
        CLEARED = "cleared", _("结算后无需补缴")

    fund_use = models.ForeignKey(
        "funds.FundUse", on_delete=models.PROTECT, related_name="shortfall_demands"
    )
    unit = models.ForeignKey("estates.Unit", on_delete=models.PROTECT, related_name="+")
    unit_code = models.CharField(_("房屋编码"), max_length=120)
    share_fen = models.BigIntegerField(_("预计分摊（分）"))
    available_fen = models.BigIntegerField(_("可冻结余额（分）"))
    amount_fen = models.BigIntegerField(_("补缴金额（分）"))
    paid_fen = models.BigIntegerField(_("已补缴（分）"), default=0)
    advanced_fen = models.BigIntegerField(_("已垫付（分）"), default=0)
    advance_account = models.ForeignKey(
        AdvanceAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="advances"
    )
    due_on = models.DateField(_("补缴期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    demanded_at = models.DateTimeField(_("通知时间"), default=timezone.now)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)

    class Meta:
        ordering = ["fund_use", "unit_code"]
        verbose_name = _("分摊补缴")
        verbose_name_plural = _("分摊补缴")
        constraints = [
            models.UniqueConstraint(fields=["fund_use", "unit"], name="shortfall_demand_once"),
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0)
                & Q(paid_fen__gte=0)
                & Q(advanced_fen__gte=0)
                & Q(amount_fen__gte=F("paid_fen") + F("advanced_fen")),
                name="shortfall_demand_within",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.amount_fen}"

    def scope_object(self):
        return self.fund_use.area

    @property
    def outstanding_fen(self) -> int:
        if self.status == self.Status.CLEARED:
            return 0
        return self.amount_fen - self.paid_fen - self.advanced_fen


class ShortfallReport(models.Model):
    """An unpaid shortfall reported as the owner's debt to one convener or street officer."""

    demand = models.ForeignKey(ShortfallDemand, on_delete=models.PROTECT, related_name="reports")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=32)
    by_sms = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["demand", "pk"]
        verbose_name = _("欠缴报告")
        verbose_name_plural = _("欠缴报告")
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "recipient"], name="shortfall_report_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.recipient_id}"
