"""When an area's fund may change custody (Order 165 art. 15), checked inside the transfer.

RULES.md §4: before the owners' assembly exists the bureau keeps the
accounts (代管); afterwards the balance moves to the assembly's account. The
move is one posting from the old bank account to the new one, so it must not
leave either account in a state the bank never saw:

- **no open payment instruction**: an instruction issued against the old
  account and confirmed after the move would be posted against the new one
  (``payment_confirm`` posts to the bank account of the regime in force), a
  payment from an account that never issued it. The committee or the bureau
  first has the bank pay it (confirmation) or cancels it.
- **value date not before the last posting** of the area: a transfer dated
  before money arrived moves a balance that did not yet exist, and the old
  account reads negative from that date until the deposits it moved (years
  of statements wrong). The same day as the last posting is allowed.

The caller (``custody_transfer``) holds the area's ``FundProfile`` row lock;
this takes the area's ``FundUse`` rows in primary-key order, the lock
``payment_instruct`` takes first, so no instruction can be issued between
this check and the move.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from estates.models import ManagementArea

from ..models import FundUse, PaymentInstruction, Transaction


def custody_transfer_check(*, area: ManagementArea, value_date: date) -> None:
    """Refuse a custody transfer with an open instruction or an early value date (docstring)."""
    # Lock every money record of the area (pk order, STYLE.md §6): an instruction is
    # issued under its FundUse's lock, so none appears after this check.
    list(
        FundUse.objects.select_for_update()
        .filter(area=area)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    open_keys = list(
        PaymentInstruction.objects.filter(
            fund_use__area=area, status=PaymentInstruction.Status.INSTRUCTED
        )
        .order_by("pk")
        .values_list("key", flat=True)[:5]
    )
    if open_keys:
        raise DomainError(
            "open_instruction",
            _(
                "该区域还有未经银行确认的划款指令（%(keys)s），不能移交账户："
                "请先登记银行划款确认或撤销指令（《住宅专项维修资金管理办法》第十五条）。"
            )
            % {"keys": "、".join(open_keys)},
        )
    if value_date > timezone.localdate():
        message = _("移交日期不能晚于今天。")
        raise DomainError("future_date", message, fields={"value_date": message})
    last = Transaction.objects.filter(area=area).aggregate(last=Max("value_date"))["last"]
    if last is not None and value_date < last:
        message = _("移交日期不能早于该区域最后一笔记账的日期（%(day)s）。") % {
            "day": f"{last.year}年{last.month}月{last.day}日"
        }
        raise DomainError("early_value_date", message, fields={"value_date": message})
