"""The custody transfer (Order 165 art. 15) and when it may happen, checked inside it.

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
this check and the move. Fund uses and instructions belong to the use
procedure: they are read here by model name (``apps.get_model``), like a
string foreign key, so the ledger imports nothing of the procedure.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.apps import apps
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import date_text, join_list
from estates.models import ManagementArea
from funds.ledger.models import Account, CustodyRegime, FundProfile, Transaction
from funds.ledger.selectors import balance

from .accounts import accounts_ensure, profile_state
from .checks import today
from .posting import transaction_post

Kind = Account.Kind


def custody_transfer_check(*, area: ManagementArea, value_date: date) -> None:
    """Refuse a custody transfer with an open instruction or an early value date (docstring)."""
    FundUse = apps.get_model("funds", "FundUse")
    PaymentInstruction = apps.get_model("funds", "PaymentInstruction")
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
        raise Conflict(
            "open_instruction",
            _(
                "该区域还有未经银行确认的划款指令（%(keys)s），不能移交账户："
                "请先登记银行划款确认或撤销指令（《住宅专项维修资金管理办法》第十五条）。"
            )
            % {"keys": join_list(open_keys)},
        )
    if value_date > today():
        message = _("移交日期不能晚于今天。")
        raise DomainError("future_date", message, fields={"value_date": message})
    last = Transaction.objects.filter(area=area).aggregate(last=Max("value_date"))["last"]
    if last is not None and value_date < last:
        message = _("移交日期不能早于该区域最后一笔记账的日期（%(day)s）。") % {
            "day": date_text(last)
        }
        raise DomainError("early_value_date", message, fields={"value_date": message})


def custody_transfer(
    *,
    area: ManagementArea,
    to_regime: str,
    bank_name: str,
    account_no: str,
    actor,
    value_date: date | None = None,
) -> FundProfile:
    """Move an area's fund to the other custody regime's bank account (Order 165 art. 15).

    RULES.md §4: before the owners' assembly exists the bureau keeps the
    accounts (代管); afterwards the balance moves to the assembly's account.
    The whole bank balance is posted from the old regime's bank account to
    the new one (a ``custody`` transaction; none when the balance is zero),
    the profile switches regime and bank details, and the move is audited —
    in one database transaction. Sub-ledgers are untouched: the owners' money
    changes bank, not owner. Moving to the regime already in force is refused,
    and so is a move while a payment instruction is open or dated before the
    area's last posting (``custody.custody_transfer_check``).
    """
    if to_regime not in CustodyRegime.values:
        raise DomainError(
            "bad_regime", _("未知的资金管理方式。"), fields={"to_regime": _("无效。")}
        )
    if not bank_name.strip() or not account_no.strip():
        raise DomainError("bank_required", _("请填写新的专户银行和账号。"))
    with transaction.atomic():
        profile = FundProfile.objects.select_for_update().filter(area=area).first()
        if profile is None:
            raise Conflict("no_profile", _("该区域尚未设置维修资金。"))
        if profile.regime == to_regime:
            raise Conflict(
                "same_regime",
                _("该区域的维修资金已由%(regime)s。") % {"regime": profile.get_regime_display()},
            )
        custody_transfer_check(area=area, value_date=value_date or today())
        before = profile_state(profile)
        accounts_ensure(area=area, actor=actor)
        old_bank = Account.objects.select_for_update().get(
            area=area, kind=Kind.BANK, regime=profile.regime
        )
        new_bank = Account.objects.get(area=area, kind=Kind.BANK, regime=to_regime)
        moved = balance(old_bank)
        txn = None
        if moved:
            txn = transaction_post(
                kind=Transaction.Kind.CUSTODY,
                lines=[(new_bank, moved), (old_bank, -moved)],
                memo=_("维修资金移交至%(bank)s %(no)s")
                % {"bank": bank_name.strip(), "no": account_no.strip()},
                key=f"custody:{area.pk}:{uuid.uuid4().hex}",
                actor=actor,
                value_date=value_date,
            )
        profile.regime = to_regime
        profile.bank_name = bank_name.strip()
        profile.account_no = account_no.strip()
        profile.updated_at = timezone.now()
        profile.save()
        audit_record(
            actor=actor,
            action="fund.custody_transfer",
            obj=profile,
            before=before,
            after=profile_state(profile),
            summary={
                "area": area.code,
                "from": before["regime"],
                "to": to_regime,
                "moved_fen": moved,
                "transaction": txn.pk if txn else None,
            },
        )
    return profile
