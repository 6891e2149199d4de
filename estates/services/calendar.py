"""The bureau keeps the holiday calendar (RULES.md §2 "Periods", Civil Code art. 203).

``holiday_notice_enter`` records one year's State Council notice — its rest
days and swapped working days — as a new version of that year
(``core.models.HolidayNotice``, kept for good). The first entry of a year
needs no reason; a later one corrects it and must say why. Every entry is an
audit event (``calendar.enter`` or ``calendar.correct``). From then on every
working-day deadline counts with it (``core.calendar``); deadlines already
fixed — stored when fixed, or checked ``as_of`` their notice — do not move.

The model lives in ``core`` (below every app); the service lives here because
keeping it needs the bureau's permission and the audit chain, which sit above
``core``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit.services import audit_record
from core import calendar
from core.errors import DomainError
from core.holiday_text import NoticeTextError, parse
from core.models import HolidayNotice, HolidayNoticeDay
from core.text import clean_text

MANAGE = "calendar.manage"
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year_check(year) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("年度应在 %(first)d 至 %(last)d 之间。") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
        raise DomainError("bad_year", message, fields={"year": message})


def holiday_notice_enter(
    *,
    actor,
    year: int,
    notice_ref: str,
    published_on: date,
    days_text: str,
    reason: str = "",
    now=None,
) -> HolidayNotice:
    """Enter ``year``'s holiday notice (a new version); refused with nothing stored on bad input."""
    require(actor, MANAGE)
    _year_check(year)
    notice_ref = clean_text(
        notice_ref, field="notice_ref", label=_("通知文号"), limit=100, required=True
    )
    reason = clean_text(
        reason, field="reason", label=_("更正原因"), limit=1000, required=False, multiline=True
    )
    now = now or timezone.now()
    if not isinstance(published_on, date) or not (
        date(year - 1, 1, 1) <= published_on <= timezone.localdate(now)
    ):
        message = _("通知发布日期应在上一年或当年，且不晚于今天。")
        raise DomainError("bad_published_on", message, fields={"published_on": message})
    try:
        days = parse(days_text or "", year)
    except NoticeTextError as exc:
        raise DomainError(
            "bad_days", " ".join(exc.errors), fields={"days": "\n".join(exc.errors)}
        ) from None

    with transaction.atomic():
        # One writer per year at a time: the version number is the next one.
        previous = (
            HolidayNotice.objects.select_for_update()
            .filter(year=year)
            .aggregate(last=Max("version"))["last"]
        )
        if previous and not reason:
            message = _("%(year)d年已录入过，更正需要说明原因。") % {"year": year}
            raise DomainError("reason_required", message, fields={"reason": message})
        notice = HolidayNotice(
            year=year,
            version=(previous or 0) + 1,
            notice_ref=notice_ref,
            published_on=published_on,
            reason=reason,
            entered_by=actor,
            entered_at=now,
        )
        notice.save(force_insert=True)
        HolidayNoticeDay.objects.bulk_create(
            HolidayNoticeDay(notice=notice, day=d.day, kind=d.kind, name=d.name) for d in days
        )
        audit_record(
            actor=actor,
            action="calendar.correct" if previous else "calendar.enter",
            obj=notice,
            after={
                "year": year,
                "version": notice.version,
                "notice_ref": notice_ref,
                "published_on": published_on,
                "days": [(d.day, d.kind, d.name) for d in days],
                "reason": reason,
            },
            summary={
                "year": year,
                "version": notice.version,
                "notice_ref": notice_ref,
                "rest_days": sum(d.kind == HolidayNoticeDay.Kind.REST for d in days),
                "work_days": sum(d.kind == HolidayNoticeDay.Kind.WORK for d in days),
            },
        )
        transaction.on_commit(calendar.cache_clear)
    return notice
