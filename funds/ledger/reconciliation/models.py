"""Reconciliation with the custody bank.

RULES.md §4 "Publication" (Order 165 art. 30, programme task 3): reconcile
with the account bank and publish at least yearly per area. Both are records
that are kept, not edited:

- ``BankStatement`` + ``BankStatementLine``: one imported bank statement of
  an area's custody account (``funds.ledger.reconciliation.bankcsv`` parses it), identified by the
  SHA-256 of the file — the same file is never imported twice. The lines are
  what the bank said; how they match the ledger is computed when the report
  is read (``funds.ledger.reconciliation.selectors``), so an entry posted after the
  import shows as matched the next time.
(The published annual statements are ``funds.ledger.models.statements``.)

Both are append-only (``AppendOnlyModel``: save of a stored row,
delete and queryset update/delete raise).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.ledger.models.accounts import AppendOnlyModel

__all__ = ["BankStatement", "BankStatementLine"]


class BankStatement(AppendOnlyModel):
    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="bank_statements",
        verbose_name=_("物业管理区域"),
    )
    # The ledger's bank account this statement is reconciled against (the regime in force).
    account = models.ForeignKey(
        "funds.Account",
        on_delete=models.PROTECT,
        related_name="bank_statements",
        verbose_name=_("专户存款账户"),
    )
    account_no = models.CharField(_("专户账号"), max_length=40)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64, unique=True)
    # ``funds.ledger.reconciliation.bankcsv.lines_digest`` of the parsed lines: the same statement in other
    # bytes (CRLF line endings, GB18030) is the same statement. Null only for a
    # statement imported twice before this was kept (the later copy, migration 0004).
    lines_sha256 = models.CharField(
        _("明细 SHA-256"), max_length=64, unique=True, null=True, blank=True
    )
    filename = models.CharField(_("文件名"), max_length=200)
    encoding = models.CharField(_("文件编码"), max_length=20)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    # The period the bank's statement covers; at least from the first to the last line.
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("截止日期"))
    opening_balance_fen = models.BigIntegerField(_("期初余额（分）"))
    closing_balance_fen = models.BigIntegerField(_("期末余额（分）"))
    credits_fen = models.BigIntegerField(_("收入合计（分）"))
    debits_fen = models.BigIntegerField(_("支出合计（分）"))
    line_count = models.PositiveIntegerField(_("笔数"))
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入人"),
    )

    class Meta:
        ordering = ["-end_date", "-pk"]
        verbose_name = _("银行对账单")
        verbose_name_plural = _("银行对账单")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="bank_statement_period"
            ),
            models.CheckConstraint(
                condition=Q(credits_fen__gte=0) & Q(debits_fen__gte=0),
                name="bank_statement_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    closing_balance_fen=F("opening_balance_fen")
                    + F("credits_fen")
                    - F("debits_fen")
                ),
                name="bank_statement_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.start_date}–{self.end_date}"

    def scope_object(self):
        return self.area


class BankStatementLine(AppendOnlyModel):
    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, related_name="lines", verbose_name=_("对账单")
    )
    # Position in time order (1..n) and the line of the file it came from.
    seq = models.PositiveIntegerField(_("序号"))
    file_line = models.PositiveIntegerField(_("文件行号"))
    value_date = models.DateField(_("交易日期"))
    # + money into the custody account, − out of it (the ledger's debit sign for a bank account).
    amount_fen = models.BigIntegerField(_("金额（分）"))
    balance_fen = models.BigIntegerField(_("余额（分）"))
    reference = models.CharField(_("流水号"), max_length=60, blank=True)
    counterparty = models.CharField(_("对方户名"), max_length=200, blank=True)
    memo = models.CharField(_("摘要"), max_length=200, blank=True)

    class Meta:
        ordering = ["statement", "seq"]
        verbose_name = _("对账单明细")
        verbose_name_plural = _("对账单明细")
        constraints = [
            models.UniqueConstraint(fields=["statement", "seq"], name="bank_line_seq_unique"),
            models.CheckConstraint(condition=~Q(amount_fen=0), name="bank_line_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.value_date} {self.amount_fen} {self.reference}"

    def scope_object(self):
        return self.statement.area
