"""Posting a period's interest to the sub-ledgers by 积数 (RULES.md §4; Order 165 art. 26).

Interest and other returns roll into the fund: the period's interest is
received in the custody bank account and allocated to every unit's
sub-ledger in proportion to its day-weighted balance (``funds.ledger.accrual``,
with the apportionment rounding of ``funds.apportion``), all as **one**
transaction dated the last day of the period. A period of an area is posted
once: the same period again is refused (``InterestPosting`` is unique per
area and period), and so is a period overlapping one already posted, which
would pay the same days twice.

Built for a whole district: one aggregate query reads the activity of every
sub-ledger (balance per account and value date), the allocation is pure
integer arithmetic, and the entries and owners' notices are bulk inserts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError
from estates.models import ManagementArea
from funds.ledger.accrual import InterestPeriod, interest_for_period
from funds.ledger.models import Account, Entry, FundProfile, InterestPosting, Transaction
from funds.ledger.selectors import bank_account

from .checks import today
from .posting import transaction_post

Progress = Callable[[str], None]


def _activity(
    area: ManagementArea, start: date, end: date
) -> tuple[dict[str, tuple[int, list]], dict[str, int]]:
    """Each sub-ledger's (balance before ``start``, [(date, delta)] within the period), keyed
    by unit code, and the sub-ledger account id of each code.

    Keys are unit codes because ties in the apportionment go to the smaller
    key (RULES.md §4, "ties by unit code ascending"): an owner can re-check
    them, which account ids would not allow. One GROUP BY query over every
    unit entry of the area up to ``end``; amounts as owners read them.
    """
    rows = (
        Entry.objects.filter(
            account__area=area,
            account__kind=Account.Kind.UNIT,
            transaction__value_date__lte=end,
        )
        .values_list("account_id", "account__unit__code", "transaction__value_date")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    ledgers: dict[str, tuple[int, list]] = {}
    account_ids: dict[str, int] = {}
    for account_id, code, value_date, total in rows.iterator(chunk_size=20000):
        account_ids[code] = account_id
        opening, postings = ledgers.get(code, (0, []))
        if value_date < start:
            ledgers[code] = (opening - total, postings)
        else:
            postings.append((value_date, -total))
            ledgers[code] = (opening, postings)
    return ledgers, account_ids


def interest_preview(
    *, area: ManagementArea, start: date, end: date, amount_fen: int
) -> InterestPeriod:
    """The allocation ``interest_post`` would post, without posting anything."""
    _check_period(start, end, amount_fen)
    try:
        return interest_for_period(
            start=start, end=end, ledgers=_activity(area, start, end)[0], interest_fen=amount_fen
        )
    except ValueError as exc:
        raise DomainError("interest_not_allocable", str(exc)) from None


def _check_period(start: date, end: date, amount_fen: int) -> None:
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        raise DomainError("bad_period", _("计息期间无效：止日不能早于起日。"))
    if end >= today():
        raise Conflict("period_not_over", _("计息期间尚未结束，不能分配利息。"))
    if type(amount_fen) is not int or amount_fen <= 0:
        raise DomainError(
            "bad_amount", _("利息金额必须是正的整数分。"), fields={"amount_fen": _("无效。")}
        )


def interest_post(
    *,
    area: ManagementArea,
    start: date,
    end: date,
    amount_fen: int,
    actor,
    progress: Progress | None = None,
) -> InterestPosting:
    """Allocate ``amount_fen`` of interest for ``start``–``end`` (both included) and post it.

    One transaction: the bank account in force is debited with the interest
    and each sub-ledger credited with its 积数 share (shares of 0 are not
    posted). Refused: a period already posted or overlapping a posted one,
    a period not yet over, no sub-ledger with a balance in the period.
    ``progress(stage)`` is called as the work advances (the command's bar).
    """
    _check_period(start, end, amount_fen)
    step = progress or (lambda stage: None)
    with transaction.atomic():
        # One interest posting per area at a time: the overlap check below is then exact.
        # Every sub-ledger posting share-locks this row before its closed-period check
        # (``checks.hold_interest_lock``): a backdated deposit either commits before
        # the 积数 is read below, or is checked after this posting commits and refused.
        FundProfile.objects.select_for_update().filter(area=area).first()
        _refuse_posted(area, start, end)
        step("activity")
        ledgers, account_ids = _activity(area, start, end)
        step("allocate")
        try:
            period = interest_for_period(
                start=start, end=end, ledgers=ledgers, interest_fen=amount_fen
            )
        except ValueError as exc:
            raise DomainError("interest_not_allocable", str(exc)) from None
        bank = bank_account(area)
        lines = [(bank.pk, amount_fen)] + [
            (account_ids[code], -share) for code, share in period.shares.items() if share
        ]
        step("post")
        txn = transaction_post(
            kind=Transaction.Kind.INTEREST,
            lines=lines,
            memo=_("%(start)s至%(end)s利息分配") % {"start": start, "end": end},
            key=f"interest:{area.pk}:{start.isoformat()}:{end.isoformat()}",
            actor=actor,
            value_date=end,
        )
        try:
            with transaction.atomic():
                posting = InterestPosting.objects.create(
                    area=area,
                    start=start,
                    end=end,
                    interest_fen=amount_fen,
                    total_jishu=period.total_jishu,
                    ledgers=len(lines) - 1,
                    transaction=txn,
                )
        except IntegrityError:
            raise _already_posted(start, end) from None
        step("done")
    return posting


def _already_posted(start: date, end: date) -> DomainError:
    return Conflict(
        "interest_already_posted",
        _("%(start)s至%(end)s的利息已经分配过，不能重复分配。") % {"start": start, "end": end},
    )


def _refuse_posted(area: ManagementArea, start: date, end: date) -> None:
    if InterestPosting.objects.filter(area=area, start=start, end=end).exists():
        raise _already_posted(start, end)
    overlap = (
        InterestPosting.objects.filter(area=area)
        .filter(Q(start__lte=end) & Q(end__gte=start))
        .first()
    )
    if overlap is not None:
        raise Conflict(
            "interest_period_overlaps",
            _("计息期间与已分配的%(start)s至%(end)s重叠，同一天的利息不能分配两次。")
            % {"start": overlap.start, "end": overlap.end},
        )
