"""Posting to the fund ledger: the one way money moves (RULES.md §4; Order 165 art. 10).

The invariants are stated in ``funds.models.ledger``. ``transaction_post``
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
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import DomainError
from estates.models import ManagementArea

from ..models import Account, CustodyRegime, Entry, FundProfile, Transaction
from ..money import yuan
from ._bulk import insert_rows

Kind = Account.Kind
# Above this many accounts, look rows up by area rather than by a long IN list
# (SQLite refuses more than 32,766 parameters in one statement).
IN_LIST_LIMIT = 500


def today() -> date:
    """The calendar day in Asia/Shanghai (DESIGN.md "Time")."""
    return timezone.localdate()


natural = Account.natural


def _digest(*, kind: str, area_id: int, value_date: date, lines, reverses_id) -> str:
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
        raise DomainError(
            "idempotency_conflict",
            _("幂等键 %(key)s 已用于另一笔不同内容的记账。") % {"key": existing.key},
            fields={"key": _("该键已被使用。")},
        )
    return existing


class AccountRow(NamedTuple):
    """What posting needs of an account (a model instance per sub-ledger would cost more)."""

    pk: int
    kind: str
    area_id: int
    unit_id: int | None


def _clean_lines(lines: Iterable[tuple[Account | int, int]]) -> tuple[list[tuple[int, int]], dict]:
    """The lines as (account id, fen) with the accounts loaded fresh (their kind and area
    are trusted from the database, not from the caller's objects)."""
    pairs: list[tuple[int, int]] = []
    for line in lines:
        try:
            account, amount = line
        except (TypeError, ValueError):
            raise DomainError("bad_line", _("记账行必须是（账户, 金额）。")) from None
        if type(amount) is not int:
            # bool or float fen are bugs, never money (DESIGN.md "Conventions").
            raise DomainError("bad_amount", _("金额必须是整数分。"))
        if amount == 0:
            raise DomainError("zero_amount", _("记账金额不能为零。"))
        account_id = account.pk if isinstance(account, Account) else account
        if type(account_id) is not int:
            raise DomainError("bad_line", _("记账行必须是（账户, 金额）。"))
        pairs.append((account_id, amount))
    if not pairs:
        raise DomainError("no_lines", _("一笔记账至少要有两行。"))
    ids = [account_id for account_id, _amount in pairs]
    if len(set(ids)) != len(ids):
        raise DomainError("duplicate_account", _("同一账户在一笔记账中只能出现一次。"))
    rows = Account.objects.all()
    if len(ids) > IN_LIST_LIMIT:
        # Every account of a posting belongs to one area: load that area's accounts.
        area_id = Account.objects.filter(pk=ids[0]).values_list("area_id", flat=True).first()
        rows = rows.filter(area_id=area_id)
    else:
        rows = rows.filter(pk__in=ids)
    accounts = {
        row[0]: AccountRow(*row)
        for row in rows.values_list("pk", "kind", "area_id", "unit_id").iterator(chunk_size=20000)
    }
    missing = [account_id for account_id in ids if account_id not in accounts]
    if missing:
        raise DomainError(
            "unknown_account", _("账户不存在或不属于本区域：%(id)s。") % {"id": missing[0]}
        )
    return pairs, accounts


def _balances_of(
    account_ids: Sequence[int], area_id: int, *, up_to: date | None = None
) -> dict[int, int]:
    """Raw sums (debit +) of the given accounts (of entries dated up to ``up_to``, if
    given), in one aggregate query."""
    entries = Entry.objects.all()
    if up_to is not None:
        entries = entries.filter(transaction__value_date__lte=up_to)
    if len(account_ids) > IN_LIST_LIMIT:
        entries = entries.filter(account__area_id=area_id)
    else:
        entries = entries.filter(account_id__in=account_ids)
    wanted = set(account_ids)
    return {
        row["account_id"]: row["total"]
        for row in entries.values("account_id").annotate(total=Sum("amount_fen"))
        if row["account_id"] in wanted
    }


def _lock_decreasing(pairs, accounts) -> dict[int, int]:
    """Lock the bank accounts and sub-ledgers this posting takes money out of.

    RULES.md §4: they are never driven below zero, so their balance is read
    and checked under a row lock (primary-key order, STYLE.md §6). Accounts
    that only receive money are not locked: an interest posting to 300,000
    sub-ledgers locks nothing. Returns {account id: amount} of the locked ones.
    """
    decreasing = {
        account_id: amount
        for account_id, amount in pairs
        if accounts[account_id].kind in Account.NEVER_NEGATIVE
        and natural(accounts[account_id].kind, amount) < 0
    }
    if decreasing:
        ids = sorted(decreasing)
        rows = Account.objects.select_for_update()
        if len(ids) > IN_LIST_LIMIT:
            rows = rows.filter(area_id=accounts[ids[0]].area_id)
        else:
            rows = rows.filter(pk__in=ids)
        list(rows.order_by("pk").values_list("pk", flat=True))
    return decreasing


def _later_lows(ids: Sequence[int], area_id: int, value_date: date) -> dict[int, int]:
    """For each account, the lowest running raw sum reached by its entries dated after
    ``value_date``, relative to its balance at the end of that day (0 if none go lower).

    A posting dated in the past must not drive an account below zero on any
    day since (RULES.md §4; ``funds_check`` verifies every value date), even
    when today's balance would cover it. Usually nothing is dated later than a
    posting (it is dated today): one query that finds no rows.
    """
    entries = Entry.objects.filter(transaction__value_date__gt=value_date)
    if len(ids) > IN_LIST_LIMIT:
        entries = entries.filter(account__area_id=area_id)
    else:
        entries = entries.filter(account_id__in=ids)
    wanted, lows, running, current = set(ids), {}, 0, None
    rows = (
        entries.values_list("account_id", "account__kind", "transaction__value_date")
        .annotate(total=Sum("amount_fen"))
        .order_by("account_id", "transaction__value_date")
    )
    for account_id, kind, _day, total in rows.iterator(chunk_size=20000):
        if account_id not in wanted:
            continue
        if account_id != current:
            current, running = account_id, 0
        running += total
        lows[account_id] = min(lows.get(account_id, 0), natural(kind, running))
    return lows


def _check_never_negative(decreasing: dict[int, int], accounts, value_date: date) -> None:
    """Refuse a posting that takes a bank account or a sub-ledger below zero on its value
    date or any day since (``_later_lows``), and a sub-ledger below what is reserved (冻结)
    on it for repairs today (``funds.models.reservations``: reserved money stays the
    owner's but is not free to leave)."""
    from ..models import Reservation

    ids = sorted(decreasing)
    area_id = accounts[ids[0]].area_id
    # The balance at the end of value_date, then the lowest it reaches on any later day.
    at_date = _balances_of(ids, area_id, up_to=value_date)
    lows = _later_lows(ids, area_id, value_date) if value_date < today() else {}
    unit_ids = [a for a in ids if accounts[a].kind == Kind.UNIT]
    reserved = (
        dict(
            Reservation.objects.filter(account_id__in=unit_ids)
            .values("account_id")
            .annotate(total=Sum("amount_fen"))
            .values_list("account_id", "total")
            .order_by()
        )
        if unit_ids and len(unit_ids) <= IN_LIST_LIMIT
        else _reserved_in_area(unit_ids, accounts)
    )
    # What is reserved is checked against today's balance (a reservation is made today).
    now = {}
    if any(reserved.values()):
        now = at_date if value_date >= today() else _balances_of(ids, area_id)
    for account_id in ids:
        kind = accounts[account_id].kind
        held = reserved.get(account_id, 0) or 0
        if held > 0:
            current = natural(kind, now.get(account_id, 0) + decreasing[account_id])
            if 0 <= current < held:
                account = Account.objects.select_related("unit").get(pk=account_id)
                raise DomainError(
                    "reserved_balance",
                    _("%(account)s 有 %(held)s 元已为维修冻结，记账后仅余 %(after)s 元，不能记账。")
                    % {"account": account, "held": yuan(held), "after": yuan(current)},
                )
        after = natural(kind, at_date.get(account_id, 0) + decreasing[account_id])
        after += lows.get(account_id, 0)
        if after < 0:
            account = Account.objects.select_related("unit").get(pk=account_id)
            raise DomainError(
                "insufficient_balance",
                _("%(account)s 余额不足：记账后将为 %(after)s 元。")
                % {"account": account, "after": yuan(after)},
            )


def _reserved_in_area(unit_ids: list[int], accounts) -> dict[int, int]:
    """What is reserved on many sub-ledgers at once: one GROUP BY over their area."""
    from ..models import Reservation

    if not unit_ids:
        return {}
    wanted = set(unit_ids)
    rows = (
        Reservation.objects.filter(account__area_id=accounts[unit_ids[0]].area_id)
        .values("account_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("account_id", "total")
        .order_by()
    )
    return {a: t for a, t in rows if a in wanted}


def _hold_interest_lock(area_id: int) -> None:
    """Share-lock the area's fund profile row until commit: the lock ``interest_post`` takes
    exclusively (``select_for_update``) while it reads the 积数 and posts.

    Without it, a backdated sub-ledger posting could pass the closed-period
    check while an interest posting of that period is reading the balances,
    and commit after the read: left out of the 积数 it belongs to (RULES.md
    §4). With it, one waits for the other: the posting either commits before
    the interest posting reads (and is counted), or checks after it commits
    (and is refused as in a closed period). Sub-ledger postings only share the
    lock, so they never wait for each other. SQLite runs one writer at a time
    and has no row locks: nothing to take.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM funds_fundprofile WHERE area_id = %s FOR SHARE", [area_id])


def _refuse_closed_period(area_id: int, value_date: date) -> None:
    """A sub-ledger posting dated on or before the end of an interest period already
    allocated is refused.

    It would change the 积数 (a balance inside the period, or the opening
    balance it started from) behind an allocation already posted (RULES.md
    §4): date it after the period instead (a late deposit then earns from the
    day it is recorded), or correct the allocation with a new posting.
    """
    from ..models import InterestPosting

    closed = (
        InterestPosting.objects.filter(area_id=area_id, end__gte=value_date)
        .order_by("-end")
        .first()
    )
    if closed is not None:
        raise DomainError(
            "period_closed",
            _(
                "%(start)s至%(end)s的利息已经分配，分户账不能再记入%(end)s或更早的日期；请以之后的日期记账。"
            )
            % {"start": closed.start, "end": closed.end},
            fields={"value_date": _("所在计息期间已结息。")},
        )


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
    if kind not in Transaction.Kind.values:
        raise DomainError("bad_kind", _("未知的记账类型：%(kind)s。") % {"kind": kind})
    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        raise DomainError("bad_key", _("幂等键必须是 1–200 个字符。"), fields={"key": _("无效。")})
    memo = (memo or "").strip()
    if not memo or len(memo) > 200:
        raise DomainError("bad_memo", _("摘要必须是 1–200 个字符。"), fields={"memo": _("无效。")})
    value_date = value_date or today()
    if value_date > today():
        raise DomainError(
            "future_date", _("记账日期不能晚于今天。"), fields={"value_date": _("无效。")}
        )

    pairs, accounts = _clean_lines(lines)
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
            raise DomainError("no_accounts", _("该区域尚未开设维修资金账户。"))
        pairs.append((control.pk, unit_total))
        accounts[control.pk] = AccountRow(control.pk, control.kind, control.area_id, None)
    if reverses is not None and reverses.area_id != area_id:
        raise DomainError("mixed_areas", _("冲正凭证必须与原凭证属于同一区域。"))
    reverses_id = reverses.pk if reverses is not None else None
    digest = _digest(
        kind=kind, area_id=area_id, value_date=value_date, lines=pairs, reverses_id=reverses_id
    )

    with transaction.atomic():
        existing = Transaction.objects.filter(key=key).first()
        if existing is not None:
            return _same_or_conflict(existing, digest)
        if unit_total or any(accounts[a].kind == Kind.UNIT for a, _amount in pairs):
            _hold_interest_lock(area_id)
            _refuse_closed_period(area_id, value_date)
        decreasing = _lock_decreasing(pairs, accounts)
        if decreasing:
            # We may have waited on the locks for a concurrent call with this key.
            existing = Transaction.objects.filter(key=key).first()
            if existing is not None:
                return _same_or_conflict(existing, digest)
            _check_never_negative(decreasing, accounts, value_date)
        try:
            with transaction.atomic():
                txn = Transaction.objects.create(
                    area_id=area_id,
                    kind=kind,
                    memo=memo,
                    value_date=value_date,
                    key=key,
                    digest=digest,
                    actor=actor if getattr(actor, "is_authenticated", False) else None,
                    reverses=reverses,
                )
        except IntegrityError:
            # A concurrent call with the same key won (or the original is already reversed).
            existing = Transaction.objects.filter(key=key).first()
            if existing is not None:
                return _same_or_conflict(existing, digest)
            raise DomainError("already_reversed", _("该凭证已被冲正，不能再次冲正。")) from None
        insert_rows(
            Entry,
            ["transaction", "account", "amount_fen"],
            ((txn.pk, account_id, amount) for account_id, amount in pairs),
        )
        unit_lines = [
            (accounts[a].unit_id, amount) for a, amount in pairs if accounts[a].kind == Kind.UNIT
        ]
        if unit_lines:
            from .notices import notices_create

            notices_create(txn=txn, unit_lines=unit_lines)
        audit_record(
            actor=actor,
            action=f"fund.{kind}",
            obj=txn,
            after={"key": key, "digest": digest, "reverses": reverses_id},
            summary={
                "kind": kind,
                "memo": memo,
                "value_date": value_date.isoformat(),
                "lines": len(pairs),
                "debits_fen": sum(
                    amount for _a, amount in pairs if amount > 0 and accounts[_a].kind != Kind.UNIT
                ),
                "units": len(unit_lines),
            },
        )
    return txn


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
        raise DomainError("reverse_reversal", _("冲正凭证不能再冲正，请重新记一笔正确的账。"))
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


# --------------------------------------------------------------------------- accounts

GENERAL_KINDS = (Kind.AREA_FUND, Kind.WORKS, Kind.DEVELOPER, Kind.PAYABLE, Kind.INCOME)


def accounts_ensure(*, area: ManagementArea, actor=None) -> int:
    """Open every account of ``area`` that is missing; return how many were opened.

    Order 165 art. 10: one fund account per area and one sub-ledger per unit.
    Both custody regimes' bank accounts exist from the start (art. 15: the
    balance moves between them). Idempotent and safe to run concurrently
    (the unique constraints decide; conflicts are skipped). Bulk: one insert
    for any number of units.
    """
    from estates.models import Unit

    with transaction.atomic():
        have_general = set(
            Account.objects.filter(area=area, unit__isnull=True).values_list("kind", "regime")
        )
        new = [
            Account(area=area, kind=kind, regime="")
            for kind in GENERAL_KINDS
            if (kind, "") not in have_general
        ] + [
            Account(area=area, kind=Kind.BANK, regime=regime)
            for regime in CustodyRegime.values
            if (Kind.BANK, regime) not in have_general
        ]
        with_account = Account.objects.filter(area=area, kind=Kind.UNIT).values("unit_id")
        new += [
            Account(area=area, kind=Kind.UNIT, unit_id=unit_id)
            for unit_id in Unit.objects.filter(area=area)
            .exclude(pk__in=with_account)
            .order_by("pk")
            .values_list("pk", flat=True)
            .iterator(chunk_size=10000)
        ]
        if not new:
            return 0
        before = Account.objects.filter(area=area).count()
        Account.objects.bulk_create(new, batch_size=5000, ignore_conflicts=True)
        opened = Account.objects.filter(area=area).count() - before
        if opened:
            audit_record(
                actor=actor,
                action="fund.accounts_open",
                obj=area,
                summary={"opened": opened},
            )
    return opened


def fund_profile_set(
    *,
    area: ManagementArea,
    deposit_rate,
    cost_per_m2_fen: int,
    bank_name: str,
    account_no: str,
    actor,
    regime: str = CustodyRegime.BUREAU,
) -> FundProfile:
    """Create or change an area's deposit terms and custody bank details (Order 165 art. 7).

    New terms apply to new demands only (RULES.md §4): every unit not demanded
    yet is demanded on them (``first_deposits_demand``); a unit's stored
    first deposit is never recomputed from a later price.

    The regime is chosen when the profile is created; later it changes only
    through ``custody_transfer`` (art. 15), which moves the balance with it.
    """
    from decimal import Decimal

    from funds.deposit import MAX_RATE, MIN_RATE

    if not isinstance(deposit_rate, Decimal) or not MIN_RATE <= deposit_rate <= MAX_RATE:
        raise DomainError(
            "bad_rate",
            _("首期交存比例必须在 5%–8% 之间（《住宅专项维修资金管理办法》第七条）。"),
            fields={"deposit_rate": _("必须在 0.05–0.08 之间。")},
        )
    if deposit_rate.as_tuple().exponent < -4:
        raise DomainError(
            "bad_rate", _("交存比例最多四位小数。"), fields={"deposit_rate": _("无效。")}
        )
    if type(cost_per_m2_fen) is not int or cost_per_m2_fen <= 0:
        raise DomainError(
            "bad_cost", _("每平方米造价必须是正的整数分。"), fields={"cost_per_m2_fen": _("无效。")}
        )
    if not bank_name.strip() or not account_no.strip():
        raise DomainError("bank_required", _("请填写专户银行和账号。"))
    if regime not in CustodyRegime.values:
        raise DomainError("bad_regime", _("未知的资金管理方式。"))
    with transaction.atomic():
        profile = FundProfile.objects.select_for_update().filter(area=area).first()
        before = _profile_state(profile) if profile else None
        if profile is None:
            profile = FundProfile(area=area, regime=regime)
        elif regime != profile.regime:
            raise DomainError(
                "use_custody_transfer", _("资金管理方式只能通过账户移交变更（第十五条）。")
            )
        profile.deposit_rate = deposit_rate
        profile.cost_per_m2_fen = cost_per_m2_fen
        profile.bank_name = bank_name.strip()
        profile.account_no = account_no.strip()
        profile.updated_at = timezone.now()
        profile.save()
        accounts_ensure(area=area, actor=actor)
        audit_record(
            actor=actor,
            action="fund.profile_set",
            obj=profile,
            before=before,
            after=_profile_state(profile),
            summary={
                "area": area.code,
                "rate": str(deposit_rate),
                "cost_per_m2_fen": cost_per_m2_fen,
            },
        )
        # Order 165 art. 7, RULES.md §4: units not demanded yet are demanded on
        # these terms; units already demanded keep their stored amount.
        from .deposits import first_deposits_demand

        first_deposits_demand(area=area, actor=actor)
    return profile


def _profile_state(profile: FundProfile) -> dict:
    return {
        "regime": profile.regime,
        "deposit_rate": str(profile.deposit_rate),
        "cost_per_m2_fen": profile.cost_per_m2_fen,
        "bank_name": profile.bank_name,
        "account_no": profile.account_no,
    }


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
    from ..selectors import balance
    from .custody import custody_transfer_check

    with transaction.atomic():
        profile = FundProfile.objects.select_for_update().filter(area=area).first()
        if profile is None:
            raise DomainError("no_profile", _("该区域尚未设置维修资金。"))
        if profile.regime == to_regime:
            raise DomainError(
                "same_regime",
                _("该区域的维修资金已由%(regime)s。") % {"regime": profile.get_regime_display()},
            )
        custody_transfer_check(area=area, value_date=value_date or today())
        before = _profile_state(profile)
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
            after=_profile_state(profile),
            summary={
                "area": area.code,
                "from": before["regime"],
                "to": to_regime,
                "moved_fen": moved,
                "transaction": txn.pk if txn else None,
            },
        )
    return profile
