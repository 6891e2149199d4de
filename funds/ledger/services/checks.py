"""The checks a posting passes before it is written (RULES.md §4; ``posting.transaction_post``).

The lines are cleaned against the database (``clean_lines``); the accounts a
posting takes money from are locked in primary-key order (``lock_decreasing``)
and refused if they would go below zero on the value date or any day since,
or a sub-ledger below what is reserved (冻结) on it for repairs
(``check_never_negative``); a sub-ledger posting into an interest period
already allocated is refused (``refuse_closed_period``) under the lock the
interest posting takes (``hold_interest_lock``).

Reservations belong to the use procedure: they are read here by model name
(``apps.get_model("funds", "Reservation")``), like a string foreign key, so
the ledger imports nothing of the procedure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from django.apps import apps
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError
from core.money import yuan
from funds.ledger.models import Account, Entry, InterestPosting

Kind = Account.Kind
natural = Account.natural
# Above this many accounts, look rows up by area rather than by a long IN list
# (SQLite refuses more than 32,766 parameters in one statement).
IN_LIST_LIMIT = 500


def today() -> date:
    """The calendar day in Asia/Shanghai (DESIGN.md "Time")."""
    return timezone.localdate()


class AccountRow(NamedTuple):
    """What posting needs of an account (a model instance per sub-ledger would cost more)."""

    pk: int
    kind: str
    area_id: int
    unit_id: int | None


def clean_lines(lines: Iterable[tuple[Account | int, int]]) -> tuple[list[tuple[int, int]], dict]:
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


def balances_of(
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


def lock_decreasing(pairs, accounts) -> dict[int, int]:
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


def later_lows(ids: Sequence[int], area_id: int, value_date: date) -> dict[int, int]:
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


def check_never_negative(decreasing: dict[int, int], accounts, value_date: date) -> None:
    """Refuse a posting that takes a bank account or a sub-ledger below zero on its value
    date or any day since (``later_lows``), and a sub-ledger below what is reserved (冻结)
    on it for repairs today (the use procedure's ``Reservation`` rows: reserved money stays the
    owner's but is not free to leave)."""
    Reservation = apps.get_model("funds", "Reservation")
    ids = sorted(decreasing)
    area_id = accounts[ids[0]].area_id
    # The balance at the end of value_date, then the lowest it reaches on any later day.
    at_date = balances_of(ids, area_id, up_to=value_date)
    lows = later_lows(ids, area_id, value_date) if value_date < today() else {}
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
        else reserved_in_area(unit_ids, accounts)
    )
    # What is reserved is checked against today's balance (a reservation is made today).
    now = {}
    if any(reserved.values()):
        now = at_date if value_date >= today() else balances_of(ids, area_id)
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


def reserved_in_area(unit_ids: list[int], accounts) -> dict[int, int]:
    """What is reserved on many sub-ledgers at once: one GROUP BY over their area."""
    Reservation = apps.get_model("funds", "Reservation")
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


def hold_interest_lock(area_id: int) -> None:
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
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM funds_fundprofile WHERE area_id = %s FOR SHARE", [area_id])


def refuse_closed_period(area_id: int, value_date: date) -> None:
    """A sub-ledger posting dated on or before the end of an interest period already
    allocated is refused.

    It would change the 积数 (a balance inside the period, or the opening
    balance it started from) behind an allocation already posted (RULES.md
    §4): date it after the period instead (a late deposit then earns from the
    day it is recorded), or correct the allocation with a new posting.
    """
    closed = (
        InterestPosting.objects.filter(area_id=area_id, end__gte=value_date)
        .order_by("-end")
        .first()
    )
    if closed is not None:
        raise Conflict(
            "period_closed",
            _(
                "%(start)s至%(end)s的利息已经分配，分户账不能再记入%(end)s或更早的日期；请以之后的日期记账。"
            )
            % {"start": closed.start, "end": closed.end},
            fields={"value_date": _("所在计息期间已结息。")},
        )
