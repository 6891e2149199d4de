"""Posting to the fund ledger: the one way money moves (RULES.md §4; Order 165 art. 10).

The invariants are stated in ``funds.ledger.models.accounts``. ``transaction_post``
keeps them: it refuses an unbalanced set of lines, writes the ``area_fund``
control entry itself (the total of the unit sub-ledger lines), refuses a
posting that would take a bank account or a sub-ledger below zero — on its
value date or any day since, not only today (RULES §4:
"never driven negative" — a shortfall is reported by the caller instead),
notifies the owners of every unit posted to (RULES §4) and records an audit
event, all in one database transaction.

Callers write lines as if the unit sub-ledgers were ordinary accounts: the
lines they pass (debit +, credit −) must sum to zero. Examples:

- deposit of 100 元 for a unit: ``[(bank, +10000), (unit, -10000)]``
- payment of 5,000 元 to a contractor: ``[(works, +500000), (bank, -500000)]``
- settlement charged to units: ``[(unit_a, +s_a), (unit_b, +s_b), (works, -total)]``
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text
from funds.ledger.models import Account, Entry, Transaction

from .bulk import insert_rows
from .checks import (
    AccountRow,
    check_never_negative,
    clean_lines,
    hold_interest_lock,
    lock_decreasing,
    refuse_closed_period,
    today,
)
from .notices import notices_create

Kind = Account.Kind


def transaction_digest(*, kind: str, area_id: int, value_date: date, lines, reverses_id) -> str:
    body = {
        "kind": kind,
        "area": area_id,
        "value_date": value_date.isoformat(),
        "lines": sorted([account_id, amount] for account_id, amount in lines),
        "reverses": reverses_id,
    }
    canonical = json.dumps(body, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _same_or_conflict(existing: Transaction, digest: str) -> Transaction:
    if existing.digest != digest:
        raise Conflict(
            "idempotency_conflict",
            _("幂等键 %(key)s 已用于另一笔不同内容的记账。") % {"key": existing.key},
            fields={"key": _("该键已被使用。")},
        )
    return existing


def transaction_post(
    *,
    kind: str,
    lines: Iterable[tuple[Account | int, int]],
    memo: str,
    key: str,
    actor,
    value_date: date | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Post one balanced transaction and return it (or the one already posted under ``key``).

    ``lines``: (account or account id, fen) pairs, debit positive, credit
    negative, summing to zero, all accounts of one area, no ``area_fund``
    account (the control entry is written here). ``value_date`` is the day
    the money moved (default: today in Asia/Shanghai); interest counts from it.

    Idempotent by ``key``: the same key with the same content returns the
    stored transaction and posts nothing; the same key with other content is
    a ``DomainError`` (``idempotency_conflict``). Two concurrent calls with one
    key post once (the unique key decides; the loser returns the winner's row).
    """
    memo, value_date = _checked_request(kind=kind, key=key, memo=memo, value_date=value_date)
    pairs, accounts = clean_lines(lines)
    area_id, unit_total = _with_control_line(pairs, accounts)
    if reverses is not None and reverses.area_id != area_id:
        raise DomainError("mixed_areas", _("冲正凭证必须与原凭证属于同一区域。"))
    reverses_id = reverses.pk if reverses is not None else None
    digest = transaction_digest(
        kind=kind, area_id=area_id, value_date=value_date, lines=pairs, reverses_id=reverses_id
    )

    with transaction.atomic():
        existing = Transaction.objects.filter(key=key).first()
        if existing is not None:
            return _same_or_conflict(existing, digest)
        if unit_total or any(accounts[a].kind == Kind.UNIT for a, _amount in pairs):
            hold_interest_lock(area_id)
            refuse_closed_period(area_id, value_date)
        decreasing = lock_decreasing(pairs, accounts)
        if decreasing:
            # We may have waited on the locks for a concurrent call with this key.
            existing = Transaction.objects.filter(key=key).first()
            if existing is not None:
                return _same_or_conflict(existing, digest)
            check_never_negative(decreasing, accounts, value_date)
        txn, created = _create_once(
            area_id=area_id,
            kind=kind,
            memo=memo,
            value_date=value_date,
            key=key,
            digest=digest,
            actor=actor,
            reverses=reverses,
        )
        if not created:
            return txn
        _write_entries(txn, pairs, accounts, actor=actor)
    return txn


def _checked_request(*, kind: str, key: str, memo: str, value_date: date | None):
    """The kind, key, memo and value date of a posting, checked; (memo, value_date)."""
    if kind not in Transaction.Kind.values:
        raise DomainError("bad_kind", _("未知的记账类型：%(kind)s。") % {"kind": kind})
    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        raise DomainError("bad_key", _("幂等键必须是 1–200 个字符。"), fields={"key": _("无效。")})
    memo = (memo or "").strip()
    if not memo or len(memo) > 200:
        raise DomainError("bad_memo", _("摘要必须是 1–200 个字符。"), fields={"memo": _("无效。")})
    memo = clean_text(memo, field="memo", limit=200)
    value_date = value_date or today()
    if value_date > today():
        raise DomainError(
            "future_date", _("记账日期不能晚于今天。"), fields={"value_date": _("无效。")}
        )
    return memo, value_date


def _with_control_line(pairs: list[tuple[int, int]], accounts: dict) -> tuple[int, int]:
    """Check the lines are one area's and balanced, and append the ``area_fund`` control
    entry (the total of the unit lines); return (area id, unit total)."""
    area_ids = {accounts[account_id].area_id for account_id, _amount in pairs}
    if len(area_ids) != 1:
        raise DomainError("mixed_areas", _("一笔记账只能涉及一个物业管理区域的账户。"))
    (area_id,) = area_ids
    if any(accounts[account_id].kind == Kind.AREA_FUND for account_id, _amount in pairs):
        raise DomainError("control_account", _("区域总账由系统根据分户账自动记账，不能直接记入。"))
    if sum(amount for _account_id, amount in pairs) != 0:
        raise DomainError("unbalanced", _("借贷不平衡：各行金额之和必须为零。"))
    unit_total = sum(
        amount for account_id, amount in pairs if accounts[account_id].kind == Kind.UNIT
    )
    if unit_total:
        control = Account.objects.filter(area_id=area_id, kind=Kind.AREA_FUND).first()
        if control is None:
            raise Conflict("no_accounts", _("该区域尚未开设维修资金账户。"))
        pairs.append((control.pk, unit_total))
        accounts[control.pk] = AccountRow(control.pk, control.kind, control.area_id, None)
    return area_id, unit_total


def _create_once(*, key: str, digest: str, actor, **fields) -> tuple[Transaction, bool]:
    """Create the transaction row: (row, True); if a concurrent call with the same key
    won, (its row, False) — the caller then writes nothing."""
    try:
        with transaction.atomic():
            txn = Transaction.objects.create(
                key=key,
                digest=digest,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                **fields,
            )
            return txn, True
    except IntegrityError:
        # A concurrent call with the same key won (or the original is already reversed).
        existing = Transaction.objects.filter(key=key).first()
        if existing is not None:
            return _same_or_conflict(existing, digest), False
        raise Conflict("already_reversed", _("该凭证已被冲正，不能再次冲正。")) from None


def _write_entries(txn: Transaction, pairs, accounts, *, actor) -> None:
    """The entries of a new transaction, the owners' notices and the audit event."""
    insert_rows(
        Entry,
        ["transaction", "account", "amount_fen"],
        ((txn.pk, account_id, amount) for account_id, amount in pairs),
    )
    unit_lines = [
        (accounts[a].unit_id, amount) for a, amount in pairs if accounts[a].kind == Kind.UNIT
    ]
    if unit_lines:
        notices_create(txn=txn, unit_lines=unit_lines)
    audit_record(
        actor=actor,
        action=f"fund.{txn.kind}",
        obj=txn,
        after={"key": txn.key, "digest": txn.digest, "reverses": txn.reverses_id},
        summary={
            "kind": txn.kind,
            "memo": txn.memo,
            "value_date": txn.value_date.isoformat(),
            "lines": len(pairs),
            "debits_fen": sum(
                amount for _a, amount in pairs if amount > 0 and accounts[_a].kind != Kind.UNIT
            ),
            "units": len(unit_lines),
        },
    )


def transaction_reverse(*, transaction: Transaction, reason: str, actor) -> Transaction:
    """Post the reversal of ``transaction`` (every entry negated) and return it.

    RULES.md §4: a correction is a reversing entry, nothing is updated or
    deleted. A transaction is reversed at most once (``reverses`` is unique;
    a repeated call returns the same reversal); a reversal is not itself
    reversed — post the corrected transaction instead. The reversal is dated
    today: the sub-ledgers' 积数 change from today, not retroactively.
    """
    original = transaction
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("请填写冲正原因。"), fields={"reason": _("必填。")})
    if original.kind == Transaction.Kind.REVERSAL:
        raise Conflict("reverse_reversal", _("冲正凭证不能再冲正，请重新记一笔正确的账。"))
    entries = list(
        original.entries.select_related("account").only("account__kind", "amount_fen", "account_id")
    )
    lines = [(e.account_id, -e.amount_fen) for e in entries if e.account.kind != Kind.AREA_FUND]
    return transaction_post(
        kind=Transaction.Kind.REVERSAL,
        lines=lines,
        memo=(_("冲正 #%(pk)s：%(reason)s") % {"pk": original.pk, "reason": reason})[:200],
        key=f"reversal:{original.pk}",
        actor=actor,
        reverses=original,
    )
