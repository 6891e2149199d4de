"""Demo fund data for one management area, called from ``gongzhi.demo.seed``.

``funds_demo_seed(area)`` gives the area a fund profile (bureau custody,
5 % of 1,500.00 元/m² — Order 165 art. 7), opens its accounts, records every
unit's first deposit through ``deposit_record`` (a few units left unpaid or
part-paid, so the area page has something to flag), posts 2024's interest by
积数. The demo's repairs (a settled use of the fund, an emergency repair) go
through the use procedure itself (``gongzhi.demo_history``), so the ledger and
the apportionment pages tell one story. Deterministic (by unit code) and
idempotent: every posting has a fixed key, so a second run posts nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from estates.models import Unit
from funds.ledger import selectors, services
from funds.ledger.deposit_rule import first_deposit_fen
from funds.models import FundProfile, InterestPosting

DEMO_RATE = Decimal("0.05")
DEMO_COST_PER_M2_FEN = 150_000
INTEREST_START, INTEREST_END = date(2024, 1, 1), date(2024, 12, 31)
# 2024 interest credited by the bank: 1.35 % a year of the balance, as a demo figure.
INTEREST_RATE = Decimal("0.0135")


def funds_demo_seed(area, *, actor=None) -> dict:
    """Seed the fund of ``area``; returns counts. Safe to run again."""
    with transaction.atomic():
        if not FundProfile.objects.filter(area=area).exists():
            services.fund_profile_set(
                area=area,
                deposit_rate=DEMO_RATE,
                cost_per_m2_fen=DEMO_COST_PER_M2_FEN,
                bank_name="中国建设银行宿州分行",
                account_no="3405 0163 8801 0000 0001",
                actor=actor,
            )
        services.accounts_ensure(area=area, actor=actor)

        units = list(Unit.objects.filter(area=area).select_related("building").order_by("code"))
        deposited = 0
        for index, unit in enumerate(units):
            first = first_deposit_fen(unit.floor_area, DEMO_COST_PER_M2_FEN, DEMO_RATE)
            if index % 25 == 7:
                continue  # not paid yet
            amount = first // 2 if index % 25 == 13 else first
            completed = unit.building.completion_date or date(2015, 1, 1)
            services.deposit_record(
                unit=unit,
                amount_fen=amount,
                paid_on=completed + timedelta(days=30 + index % 60),
                key=f"demo:{area.code}:{unit.code}:first",
                actor=actor,
                memo=f"首期交存 {unit.code}",
            )
            deposited += 1

        interest = 0
        if not InterestPosting.objects.filter(
            area=area, start=INTEREST_START, end=INTEREST_END
        ).exists():
            total = selectors.area_totals(area).sub_ledgers_fen
            interest = int(total * INTEREST_RATE)
            if interest:
                services.interest_post(
                    area=area,
                    start=INTEREST_START,
                    end=INTEREST_END,
                    amount_fen=interest,
                    actor=actor,
                )

    return {"deposits": deposited, "interest_fen": interest}
