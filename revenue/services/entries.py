"""Entering income and cost, and reversing an entry (RULES.md §6; STYLE.md §8)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core import money
from core.errors import Conflict, DomainError
from core.text import clean_text
from core.uploads import validate_upload

from .. import ledger
from ..actions import RECORD
from ..models import CATEGORIES_OF, Direction, RevenueEntry
from ..quarters import FIRST_YEAR
from ..selectors import local_today
from ._common import upload_sha256

COUNTERPARTY_LIMIT = 200
MEMO_LIMIT = 1000
REASON_LIMIT = 500


def _state(entry: RevenueEntry) -> dict:
    return {
        "area": entry.area.code,
        "direction": entry.direction,
        "category": entry.category,
        "amount_fen": entry.amount_fen,
        "occurred_on": entry.occurred_on.isoformat(),
        "counterparty": entry.counterparty,
        "memo": entry.memo,
        "voucher_sha256": entry.voucher_sha256,
        "reverses": entry.reverses_id,
        "reason": entry.reason,
    }


def _summary(entry: RevenueEntry) -> dict:
    # Shown on the audit page: figures and codes, not the counterparty (it may be a person).
    return {
        "area": entry.area.code,
        "entry": entry.pk,
        "direction": entry.direction,
        "category": entry.category,
        "amount": money.yuan_plain(entry.amount_fen),
        "occurred_on": entry.occurred_on.isoformat(),
        "reverses": entry.reverses_id or "",
    }


def _check_amount(amount_fen) -> str | None:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        return _("金额必须是以分计的整数。")
    if amount_fen <= 0:
        return _("金额必须大于零。")
    if amount_fen > ledger.MAX_FEN:
        return _("金额不能超过 %(max)s 元。") % {"max": money.yuan(ledger.MAX_FEN)}
    return None


def _check_date(occurred_on, today: date) -> str | None:
    if isinstance(occurred_on, datetime) or not isinstance(occurred_on, date):
        return _("请填写发生日期。")
    if occurred_on > today:
        return _("发生日期不能晚于今天。")
    if occurred_on.year < FIRST_YEAR:
        return _("发生日期不能早于 %(year)d 年。") % {"year": FIRST_YEAR}
    return None


def _check_voucher(voucher) -> str | None:
    try:
        validate_upload(voucher)
    except ValidationError as exc:
        return exc.messages[0]
    return None


def _entry_clean(
    *, direction, category, amount_fen, occurred_on, counterparty, memo, voucher, today: date
) -> tuple[str, str]:
    """Every field of an entry checked at once: ``(counterparty, memo)`` cleaned, or one
    ``DomainError`` naming each field that is wrong."""
    fields: dict[str, str] = {}
    if direction not in Direction.values:
        fields["direction"] = _("请选择收入或成本支出。")
    elif category not in CATEGORIES_OF[direction]:
        fields["category"] = _("请选择与收支相符的类别。")
    problem = _check_amount(amount_fen)
    if problem:
        fields["amount"] = problem
    problem = _check_date(occurred_on, today)
    if problem:
        fields["occurred_on"] = problem
    try:
        counterparty = clean_text(
            counterparty,
            field="counterparty",
            limit=COUNTERPARTY_LIMIT,
            required=True,
            label=_("对方单位或个人"),
        )
        memo = clean_text(
            memo, field="memo", limit=MEMO_LIMIT, required=False, label=_("摘要"), multiline=True
        )
    except DomainError as exc:
        fields.update(exc.fields)
    if voucher:
        problem = _check_voucher(voucher)
        if problem:
            fields["voucher"] = problem
    if fields:
        raise DomainError("invalid", next(iter(fields.values())), fields=fields)
    return counterparty, memo


def revenue_entry_record(
    *,
    area,
    direction: str,
    category: str,
    amount_fen: int,
    occurred_on: date,
    counterparty: str,
    actor,
    memo: str = "",
    voucher=None,
    today: date | None = None,
) -> RevenueEntry:
    """Record one income or cost of ``area``'s public revenue (Civil Code art. 282).

    ``amount_fen`` is a positive integer; ``category`` must belong to
    ``direction`` (``models.CATEGORIES_OF``); the date may not be in the
    future. A date in a quarter already published is allowed (a late
    voucher): the quarter's notice then shows as due for correction.
    ``voucher`` is an optional PDF, JPEG or PNG of at most 10 MB.
    """
    permissions.require(actor, RECORD, area)
    today = today or local_today()
    counterparty, memo = _entry_clean(
        direction=direction,
        category=category,
        amount_fen=amount_fen,
        occurred_on=occurred_on,
        counterparty=counterparty,
        memo=memo,
        voucher=voucher,
        today=today,
    )

    with transaction.atomic():
        entry = RevenueEntry(
            area=area,
            direction=direction,
            category=category,
            amount_fen=amount_fen,
            occurred_on=occurred_on,
            counterparty=counterparty,
            memo=memo,
            recorded_by=actor,
        )
        if voucher:
            entry.voucher_sha256 = upload_sha256(voucher)
            extension = voucher.name.rsplit(".", 1)[-1].lower()
            entry.voucher.save(f"voucher.{extension}", voucher, save=False)
        try:
            entry.save(force_insert=True)
            audit_record(
                actor=actor,
                action="revenue.entry_record",
                obj=entry,
                after=_state(entry),
                summary=_summary(entry),
            )
        except BaseException:
            # The row did not make it: do not leave its voucher behind.
            if entry.voucher:
                entry.voucher.storage.delete(entry.voucher.name)
            raise
    return entry


def revenue_entry_reverse(*, entry: RevenueEntry, reason: str, actor) -> RevenueEntry:
    """Cancel ``entry`` with a reversing entry; the only correction of the ledger.

    The reversal repeats the entry's direction, category, amount and date, so
    the entry's quarter nets to zero (and its notice shows as due for a
    correction). An entry is reversed at most once, and a reversal is never
    reversed itself: a wrongly reversed amount is entered again.
    """
    permissions.require(actor, RECORD, entry.area)
    reason = clean_text(
        reason,
        field="reason",
        limit=REASON_LIMIT,
        required=True,
        label=_("冲正原因"),
        multiline=True,
    )
    with transaction.atomic():
        original = RevenueEntry.objects.select_for_update().select_related("area").get(pk=entry.pk)
        if original.is_reversal:
            raise Conflict(
                "reversal_of_reversal",
                _("冲正记录不能再冲正；如冲正有误，请重新登记原收支。"),
            )
        if RevenueEntry.objects.filter(reverses=original).exists():
            raise Conflict("already_reversed", _("记录 #%(pk)s 已经冲正过。") % {"pk": original.pk})
        reversal = RevenueEntry(
            area=original.area,
            direction=original.direction,
            category=original.category,
            amount_fen=original.amount_fen,
            occurred_on=original.occurred_on,
            counterparty=original.counterparty,
            memo=_("冲正 #%(pk)s") % {"pk": original.pk},
            reverses=original,
            reason=reason,
            recorded_by=actor,
        )
        try:
            # A savepoint: on SQLite (no row locks) a concurrent reversal is caught
            # by the one-to-one constraint instead of a lock.
            with transaction.atomic():
                reversal.save(force_insert=True)
        except IntegrityError:
            raise Conflict(
                "already_reversed", _("记录 #%(pk)s 已经冲正过。") % {"pk": original.pk}
            ) from None
        audit_record(
            actor=actor,
            action="revenue.entry_reverse",
            obj=reversal,
            after=_state(reversal),
            summary={**_summary(reversal), "reason": reason[:200]},
        )
    return reversal
