"""Reading the public-revenue ledger (``revenue.view``; SPC interpretation art. 13).

An area outside the reader's scope is a 404 — whether it has any revenue is
itself the area's business; a user with no right to read any ledger gets 403.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header

from accounts import permissions
from core import money
from core.guards import action_required
from core.natural import natural_sorted
from estates.browse import area_get
from estates.models import Unit

from .. import export, ledger, selectors
from ..actions import ALLOCATE, PUBLISH, RECORD, VIEW
from ..forms import PeriodForm
from ..models import INCOME_CATEGORIES, Allocation, Category, Direction, RevenueEntry
from ..quarters import Quarter, last_finished
from ..services.notices import decision_lines

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VOUCHER_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def may_publish(user) -> bool:
    """Bureau approvers and admins see the publish button; the page itself asks for TOTP."""
    return bool(permissions.roles_of(user) & permissions.ACTIONS[PUBLISH].roles)


def period_from(request, area) -> tuple[int, int | None, list[int]]:
    """The year and quarter (None: the whole year) the page shows, from ?year=&quarter=."""
    today = selectors.local_today()
    years = sorted(
        {today.year, last_finished(today).year, *selectors.years_with_entries(area)}, reverse=True
    )
    current = Quarter.of(today)
    form = PeriodForm(request.GET or None, years=years)
    if request.GET and form.is_valid():
        return form.cleaned_data["year"], form.cleaned_data["quarter"], years
    return current.year, current.quarter, years


def period_query(year: int, quarter: int | None) -> str:
    return f"?year={year}" + (f"&quarter={quarter}" if quarter else "")


@action_required(VIEW)
def index(request):
    """The areas whose ledger the user may read; straight to it when there is one."""
    areas = list(permissions.areas_for(request.user, VIEW).order_by("code")[:501])
    if len(areas) == 1:
        return redirect("revenue:ledger", code=areas[0].code)
    return render(request, "revenue/index.html", {"areas": areas[:500], "more": len(areas) > 500})


def _entry_rows(entries, reversed_ids: set[int], *, can_record: bool) -> list[dict]:
    return [
        {
            "entry": entry,
            "amount": money.yuan(entry.signed_fen),
            "reversed": entry.pk in reversed_ids,
            "can_reverse": can_record and not entry.is_reversal and entry.pk not in reversed_ids,
        }
        for entry in entries
    ]


def _totals_rows(totals: ledger.Totals) -> list[dict]:
    return [
        {
            "label": f"{Direction.INCOME.label if code in INCOME_CATEGORIES else Direction.COST.label}"
            f" · {Category(code).label}",
            "amount": money.yuan(fen),
        }
        for code, fen in totals.by_category.items()
    ]


def _year_quarters(area, year: int, entries) -> list[dict]:
    rows = []
    for number in (1, 2, 3, 4):
        period = Quarter(year, number)
        inside = [entry for entry in entries if period.contains(entry.occurred_on)]
        totals = selectors.totals_of(inside)
        rows.append(
            {
                "period": period,
                "income": money.yuan(totals.income_fen),
                "cost": money.yuan(totals.cost_fen),
                "net": money.yuan(totals.net_fen),
                "notice": selectors.current_notice(area, period),
                "allocation": selectors.current_allocation(area, period),
            }
        )
    return rows


@action_required(VIEW)
def area_ledger(request, code: str):
    """明细账: a quarter (or a year) of an area, with totals, the decision and the notices."""
    area = area_get(request.user, code, action=VIEW)
    year, quarter, years = period_from(request, area)
    user = request.user
    can_record = permissions.can(user, RECORD, area)
    context = {
        "area": area,
        "form": PeriodForm(initial={"year": year, "quarter": quarter or ""}, years=years),
        "year": year,
        "quarter": quarter,
        "query": period_query(year, quarter),
        "can_record": can_record,
        "can_allocate": permissions.can(user, ALLOCATE, area),
        "can_publish": may_publish(user),
    }
    if quarter:
        state = selectors.quarter_state(area, Quarter(year, quarter))
        context.update(
            state=state,
            period=state.period,
            totals=state.totals,
            rows=_entry_rows(state.entries, state.reversed, can_record=can_record),
            notices=list(selectors.notices_of(area, state.period)),
            allocations=list(selectors.allocations_of(area, state.period)),
            allocation_net=(money.yuan(state.allocation.net_fen) if state.allocation else ""),
        )
    else:
        first, last = Quarter(year, 1).first_day, Quarter(year, 4).last_day
        entries = list(selectors.entries_between(area, first, last))
        context.update(
            totals=selectors.totals_of(entries),
            rows=_entry_rows(entries, selectors.reversed_ids(entries), can_record=can_record),
            quarters=_year_quarters(area, year, entries),
            notices=list(selectors.notices_of(area, year=year)),
        )
    totals = context["totals"]
    context.update(
        category_rows=_totals_rows(totals),
        income=money.yuan(totals.income_fen),
        cost=money.yuan(totals.cost_fen),
        net=money.yuan(totals.net_fen),
    )
    return render(request, "revenue/ledger.html", context)


def entry_in_scope(user, pk: int, action: str) -> RevenueEntry:
    return get_object_or_404(
        RevenueEntry.objects.select_related("area__community__street", "reverses", "recorded_by"),
        pk=pk,
        area__in=permissions.areas_for(user, action).values("pk"),
    )


@action_required(VIEW)
def voucher(request, pk: int):
    """An entry's voucher, to owners and staff of its area only (it may name a counterparty)."""
    entry = entry_in_scope(request.user, pk, VIEW)
    if not entry.voucher:
        raise Http404
    extension = entry.voucher.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        entry.voucher.open("rb"),
        content_type=VOUCHER_TYPES.get(extension, "application/octet-stream"),
    )
    response["Content-Disposition"] = content_disposition_header(
        False, f"voucher-{entry.pk}.{extension}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@action_required(VIEW)
def allocation_detail(request, pk: int):
    """A decision on a quarter's net, with every unit's share; the reader's own units first."""
    allocation = get_object_or_404(
        Allocation.objects.select_related("area__community__street", "motion__assembly"),
        pk=pk,
        area__in=permissions.areas_for(request.user, VIEW).values("pk"),
    )
    shares = natural_sorted(allocation.shares.all(), key=lambda share: share.unit_code)
    mine = set(
        Unit.objects.filter(
            area=allocation.area,
            ownerships__person__user=request.user,
            ownerships__until__isnull=True,
        ).values_list("pk", flat=True)
    )
    rows = [
        {
            "share": share,
            "amount": money.yuan(share.share_fen),
            "mine": share.unit_id in mine,
        }
        for share in shares
    ]
    return render(
        request,
        "revenue/allocation.html",
        {
            "allocation": allocation,
            "area": allocation.area,
            "period": allocation.period,
            "net": money.yuan(allocation.net_fen),
            "rows": rows,
            "mine": [row for row in rows if row["mine"]],
            "total": money.yuan(sum(share.share_fen for share in shares)),
            "decision": decision_lines(allocation),
            "superseded_by": getattr(allocation, "superseded_by", None)
            if not allocation.is_current
            else None,
        },
    )


@action_required(VIEW)
def export_entries(request, code: str, fmt: str):
    """The shown period's entries as CSV or XLSX (formula injection neutralised: ``export``)."""
    area = area_get(request.user, code, action=VIEW)
    year, quarter, _years = period_from(request, area)
    if quarter:
        period = Quarter(year, quarter)
        first, last, label = period.first_day, period.last_day, period.key
    else:
        first, last, label = Quarter(year, 1).first_day, Quarter(year, 4).last_day, str(year)
    entries = list(selectors.entries_between(area, first, last))
    reversed_ids = selectors.reversed_ids(entries)
    stamp = f"{timezone.localdate():%Y%m%d}"
    filename = f"公共收益-{area.code}-{label}-{stamp}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(
            export.entries_csv(entries, reversed_ids), content_type="text/csv; charset=utf-8"
        )
    else:
        title = f"{area.name} 公共收益明细 {label}"
        content = export.entries_xlsx(
            entries, reversed_ids, title=title, totals=selectors.totals_of(entries)
        )
        response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


routes = [
    path("", index, name="index"),
    path("areas/<str:code>/", area_ledger, name="ledger"),
    path("areas/<str:code>/export.csv", export_entries, {"fmt": "csv"}, name="export_csv"),
    path("areas/<str:code>/export.xlsx", export_entries, {"fmt": "xlsx"}, name="export_xlsx"),
    path("entries/<int:pk>/voucher/", voucher, name="voucher"),
    path("allocations/<int:pk>/", allocation_detail, name="allocation"),
]
