"""Reads of the frozen apportionment basis and of shortfall demands, for the pages (RULES.md §4)."""

from __future__ import annotations

from accounts.models import Role
from funds.models import FundUse, ShortfallDemand, ShortfallReport
from funds.procedure.services.reservations import application_discrepancies, fund_use_discrepancies


def reservations_context(application, fund_use: FundUse | None, *, staff: bool, mine) -> dict:
    """The frozen basis against the register (staff: the reviewer sees every change since
    the roll was frozen) and the shortfall demands (staff all; an owner their own).

    Staff — the bureau, the convener (committee) and the street officer, who are the ones
    told of an owner's unpaid shortfall (RULES.md §4) — also see the debts reported
    (``reports``: one row per demand, with who was told and how)."""
    context: dict = {"discrepancies": [], "demands": [], "my_demands": [], "reports": []}
    if fund_use is not None:
        demands = list(fund_use.shortfall_demands.select_related("advance_account"))
        context["my_demands"] = [d for d in demands if d.unit_code in mine and d.outstanding_fen]
        if staff:
            context["demands"] = demands
            context["discrepancies"] = fund_use_discrepancies(fund_use)
            context["reports"] = reported_debts(fund_use)
    elif staff and application is not None:
        context["discrepancies"] = application_discrepancies(application)
    return context


OPEN_DEMAND = (ShortfallDemand.Status.OPEN, ShortfallDemand.Status.REPORTED)


def reported_debts(fund_use: FundUse) -> list[dict]:
    """Each reported demand still owed: the unit, what it owes, to whom it was reported."""
    labels = dict(Role.choices)
    rows: dict[int, dict] = {}
    reports = (
        ShortfallReport.objects.filter(demand__fund_use=fund_use)
        .select_related("demand", "recipient")
        .order_by("demand__unit_code", "pk")
    )
    for report in reports:
        demand = report.demand
        if demand.outstanding_fen <= 0:
            continue
        row = rows.setdefault(
            demand.pk, {"demand": demand, "reported_at": demand.reported_at, "to": []}
        )
        row["to"].append(
            {
                "name": str(report.recipient),
                "role": labels.get(report.role, report.role),
                "by_sms": report.by_sms,
            }
        )
    return list(rows.values())
