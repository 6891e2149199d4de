"""Reads of the public-revenue ledger: a quarter's entries, totals, decision and notices."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from . import ledger
from .models import (
    COST_CATEGORIES,
    INCOME_CATEGORIES,
    Allocation,
    QuarterNotice,
    RevenueEntry,
)
from .quarters import Quarter

CATEGORY_ORDER: tuple[str, ...] = (*INCOME_CATEGORIES, *COST_CATEGORIES)


def local_today() -> date:
    # Quarters are the district's (Asia/Shanghai), whatever the request's time zone.
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())


def entries_between(area, first: date, last: date) -> QuerySet[RevenueEntry]:
    return (
        RevenueEntry.objects.filter(area=area, occurred_on__gte=first, occurred_on__lte=last)
        .select_related("reverses", "recorded_by")
        .order_by("occurred_on", "pk")
    )


def quarter_entries(area, period: Quarter) -> QuerySet[RevenueEntry]:
    return entries_between(area, period.first_day, period.last_day)


def totals_of(entries) -> ledger.Totals:
    return ledger.totals((entry.line() for entry in entries), CATEGORY_ORDER)


def reversed_ids(entries) -> set[int]:
    """Ids of the given entries that a reversal (anywhere in the ledger) cancels."""
    ids = [entry.pk for entry in entries]
    return set(
        RevenueEntry.objects.filter(reverses_id__in=ids).values_list("reverses_id", flat=True)
    )


def current_allocation(area, period: Quarter) -> Allocation | None:
    return (
        Allocation.objects.filter(
            area=area, year=period.year, quarter=period.quarter, superseded_by__isnull=True
        )
        .select_related("motion__assembly", "recorded_by")
        .order_by("-pk")
        .first()
    )


def allocations_of(area, period: Quarter) -> QuerySet[Allocation]:
    return Allocation.objects.filter(area=area, year=period.year, quarter=period.quarter).order_by(
        "-pk"
    )


def current_notice(area, period: Quarter) -> QuarterNotice | None:
    return (
        QuarterNotice.objects.filter(
            area=area, year=period.year, quarter=period.quarter, superseded_by__isnull=True
        )
        .select_related("publication")
        .order_by("-pk")
        .first()
    )


def notices_of(area, period: Quarter | None = None, *, year: int | None = None):
    notices = QuarterNotice.objects.filter(area=area).select_related("publication")
    if period is not None:
        notices = notices.filter(year=period.year, quarter=period.quarter)
    elif year is not None:
        notices = notices.filter(year=year)
    return notices.order_by("-year", "-quarter", "-pk")


def data_digest(area, period: Quarter, entries, allocation: Allocation | None) -> str:
    """SHA-256 of what a quarter's notice shows: a notice is re-issued only if this changed."""
    data = {
        "area": area.code,
        "period": period.key,
        "entries": [
            [
                entry.pk,
                entry.direction,
                entry.category,
                entry.signed_fen,
                entry.occurred_on.isoformat(),
                entry.counterparty,
                entry.memo,
                entry.reverses_id,
            ]
            for entry in entries
        ],
        "allocation": allocation.pk if allocation is not None else None,
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class QuarterState:
    """Everything the ledger page and the notice need about one quarter of one area."""

    area: object
    period: Quarter
    entries: list[RevenueEntry]
    totals: ledger.Totals
    reversed: set[int]
    allocation: Allocation | None
    notice: QuarterNotice | None
    digest: str
    finished: bool

    @property
    def allocation_stale(self) -> bool:
        """The decision was recorded against a net the ledger no longer shows."""
        return self.allocation is not None and self.allocation.net_fen != self.totals.net_fen

    @property
    def notice_stale(self) -> bool:
        """The ledger changed since the current notice: a correction is due (RULES.md §7)."""
        return self.notice is not None and self.notice.publication.data_digest != self.digest


def quarter_state(area, period: Quarter, *, today: date | None = None) -> QuarterState:
    entries = list(quarter_entries(area, period))
    allocation = current_allocation(area, period)
    return QuarterState(
        area=area,
        period=period,
        entries=entries,
        totals=totals_of(entries),
        reversed=reversed_ids(entries),
        allocation=allocation,
        notice=current_notice(area, period),
        digest=data_digest(area, period, entries, allocation),
        finished=period.finished(today or local_today()),
    )


def years_with_entries(area) -> list[int]:
    dates = RevenueEntry.objects.filter(area=area).dates("occurred_on", "year", order="DESC")
    return [day.year for day in dates]
