"""Reads of the frozen apportionment basis and of shortfall demands, for the pages (RULES.md §4)."""

from __future__ import annotations

from .models import FundUse
from .services.reservations import application_discrepancies, fund_use_discrepancies


def reservations_context(application, fund_use: FundUse | None, *, staff: bool, mine) -> dict:
    """The frozen basis against the register (staff: the reviewer sees every change since
    the roll was frozen) and the shortfall demands (staff all; an owner their own)."""
    context: dict = {"discrepancies": [], "demands": [], "my_demands": []}
    if fund_use is not None:
        demands = list(fund_use.shortfall_demands.select_related("advance_account"))
        context["my_demands"] = [d for d in demands if d.unit_code in mine and d.outstanding_fen]
        if staff:
            context["demands"] = demands
            context["discrepancies"] = fund_use_discrepancies(fund_use)
    elif staff and application is not None:
        context["discrepancies"] = application_discrepancies(application)
    return context
