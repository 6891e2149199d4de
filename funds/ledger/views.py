"""The fund's pages: an owner's own sub-ledgers, and an area's ledger for those who oversee it.

Thin (STYLE.md §3): the selectors compute, the pages show. An owner reaches
only the units they own now (``selectors.owner_unit``): any other unit id is
a 404, never a 403 that would confirm the unit exists. An area outside the
user's scope is a 404 as well (``accounts.permissions.areas_for``).
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts import permissions
from core.errors import DomainError
from core.guards import action_required
from core.money import yuan_plain
from core.natural import natural_sorted
from estates.models import ManagementArea

from . import selectors
from .figures import unit_statement
from .services import deposit_demands, today

OWN = "fund.view_own"
AREA = "fund.view_area"
PAGE_SIZE = 50
# Spreadsheet formula injection (OWASP "CSV Injection"): a cell starting with one of
# these is written with a leading apostrophe so Excel/WPS shows it as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _unit_for_owner(request, pk: int):
    unit = selectors.owner_unit(request.user, pk)
    if unit is None or not permissions.can(request.user, OWN, unit):
        raise Http404
    return unit


@action_required(OWN)
def mine(request):
    """我的维修资金: each of the owner's units with its balance, and the notice list."""
    rows = []
    for unit in selectors.owner_units(request.user):
        if not permissions.can(request.user, OWN, unit):
            continue
        lines = selectors.sub_ledger(unit)
        rows.append({"unit": unit, "balance_fen": lines[-1].balance_fen if lines else 0})
    return render(
        request,
        "funds/mine.html",
        {"rows": rows, "notices": selectors.owner_notices(request.user)},
    )


@action_required(OWN)
def unit_ledger(request, pk: int):
    """分户账: every entry of one of the owner's units, with the running balance."""
    unit = _unit_for_owner(request, pk)
    lines = selectors.sub_ledger(unit)
    status = next(iter(_demands(unit.area, unit)), None)
    years = sorted({line.value_date.year for line in lines}, reverse=True)
    year = _year_param(request, default=years[0] if years else today().year)
    return render(
        request,
        "funds/unit_ledger.html",
        {
            "unit": unit,
            "lines": lines,
            "balance_fen": lines[-1].balance_fen if lines else 0,
            "status": status,
            "years": years,
            # The unit's part of the annual statement (RULES.md §4 "Publication").
            "statement": unit_statement(unit, year) if years else None,
        },
    )


def _year_param(request, *, default: int) -> int:
    """``?year=`` as a plausible year, else ``default`` (bad input shows the default year)."""
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return default


def _demands(area: ManagementArea, unit):
    try:
        return deposit_demands(area, unit=unit)
    except DomainError:
        return []  # no fund profile yet: no deposit terms to show


@action_required(OWN)
def unit_ledger_csv(request, pk: int):
    """The same sub-ledger as a CSV file (UTF-8 with BOM, so Excel/WPS read the Chinese)."""
    unit = _unit_for_owner(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"subledger-{unit.area.code}-{unit.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [_("记账日期"), _("凭证号"), _("类型"), _("摘要"), _("金额（元）"), _("余额（元）")]
    )
    for line in selectors.sub_ledger(unit):
        writer.writerow(
            [
                line.value_date.isoformat(),
                line.transaction_id,
                line.kind_label,
                _safe(line.memo),
                yuan_plain(line.amount_fen),
                yuan_plain(line.balance_fen),
            ]
        )
    return response


@action_required(AREA)
def areas(request):
    """The areas whose fund the user oversees."""
    found = permissions.areas_for(request.user, AREA).select_related("fund_profile")
    page = Paginator(found.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funds/areas.html", {"page_obj": page})


FILTERS = {
    "": lambda d: True,
    "unpaid": lambda d: not d.paid_in_full,
    "top_up": lambda d: d.top_up,
}


def _ledger_query(shown: str, q: str, building: str) -> str:
    """The filters as a query string for the pager's links (without ``page``)."""
    return urlencode({k: v for k, v in (("show", shown), ("q", q), ("building", building)) if v})


@action_required(AREA)
def area_ledger(request, code: str):
    """An area's fund: totals, and each unit's first deposit, payments, balance and flags.

    The units are paginated (``PAGE_SIZE``), in natural order of their codes ("2栋-…"
    before "10栋-…"), and may be narrowed to one building and to codes containing ``q``.
    The number of queries does not depend on the number of units (tests/funds).
    """
    area = permissions.areas_for(request.user, AREA).filter(code=code).first()
    if area is None:
        raise Http404
    shown = request.GET.get("show", "")
    if shown not in FILTERS:
        shown = ""
    q = request.GET.get("q", "").strip()[:60]
    try:
        profile = selectors.profile_of(area)
    except DomainError:
        return render(request, "funds/area_ledger.html", {"area": area, "profile": None})
    demands = natural_sorted(deposit_demands(area), key=lambda d: d.code)
    building_of = dict(area.units.values_list("pk", "building__name"))
    buildings = natural_sorted(set(building_of.values()))
    building = request.GET.get("building", "")
    if building not in buildings:
        building = ""
    rows = [
        d
        for d in demands
        if FILTERS[shown](d)
        and (not building or building_of.get(d.unit_id) == building)
        and (not q or q.casefold() in d.code.casefold())
    ]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/area_ledger.html",
        {
            "area": area,
            "profile": profile,
            "totals": selectors.area_totals(area),
            "page_obj": page,
            "shown": shown,
            "q": q,
            "building": building,
            "buildings": buildings,
            "found": len(rows),
            "query": _ledger_query(shown, q, building),
            "unpaid": sum(1 for d in demands if not d.paid_in_full),
            "top_up": sum(1 for d in demands if d.top_up),
            "units": len(demands),
        },
    )
