"""First deposits are what was demanded (Order 165 arts. 7, 17; RULES.md §4).

The fund fixture (conftest): rate 5 %, cost 1,500.00 元/m²; 101 is 89.50 m²
(6,712.50 元), 102 and 901 100.00 m² (7,500.00 元), 103 120.25 m² (9,018.75 元).
A price of 1,800.00 元/m² would make them 8,055.00 / 9,000.00 / 10,822.50 元.
"""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection

from audit.models import AuditEvent
from core.errors import DomainError
from funds.ledger import services
from funds.ledger.deposit_rule import RULE_VERSION
from funds.models import Account, FirstDepositDemand, LedgerError, Transaction
from tests.estates.helpers import make_unit

Kind = Account.Kind
Source = FirstDepositDemand.Source


def by_code(area):
    return {d.code.split("-")[-1]: d for d in services.deposit_demands(area)}


def set_price(fund, cost_per_m2_fen):
    services.fund_profile_set(
        area=fund.area,
        deposit_rate=Decimal("0.05"),
        cost_per_m2_fen=cost_per_m2_fen,
        bank_name="中国工商银行宿州分行",
        account_no="1317000000000000001",
        actor=None,
    )


def pay(fund, number, fen, key, on=date(2024, 1, 10)):
    return services.deposit_record(
        unit=fund.units[number], amount_fen=fen, paid_on=on, key=key, actor=None
    )


def charge(fund, number, fen, key):
    services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[(fund.sub(number), fen), (fund.account(Kind.WORKS), -fen)],
        memo="结算",
        key=key,
        actor=None,
    )


def test_setting_the_terms_stores_each_units_demand_with_its_basis(fund):
    demand = FirstDepositDemand.objects.get(unit=fund.units["101"])
    assert (
        demand.amount_fen,
        demand.floor_area,
        demand.area_basis,
        demand.cost_per_m2_fen,
        demand.deposit_rate,
        demand.demanded_on,
        demand.rule_version,
        demand.source,
    ) == (
        671_250,
        Decimal("89.50"),
        "registered",
        150_000,
        Decimal("0.0500"),
        services.today(),
        RULE_VERSION,
        Source.DEMAND,
    )
    assert FirstDepositDemand.objects.filter(area=fund.area).count() == 4
    assert AuditEvent.objects.filter(action="fund.first_deposits_demand").count() == 1


def test_a_price_change_leaves_paid_demands_and_the_thirty_percent_flag_unchanged(fund):
    pay(fund, "101", 671_250, "p101")  # paid in full
    pay(fund, "102", 750_000, "p102")
    charge(fund, "102", 525_001, "c102")  # 224,999 < 30 % of 750,000 = 225,000

    set_price(fund, 180_000)

    demands = by_code(fund.area)
    assert (demands["101"].first_fen, demands["101"].paid_in_full) == (671_250, True)
    assert demands["101"].outstanding_fen == 0
    assert (demands["102"].first_fen, demands["102"].balance_fen) == (750_000, 224_999)
    assert demands["102"].top_up is True
    # Not paid, but demanded at the old price: still owes 9,018.75 元, not 10,822.50.
    assert (demands["103"].first_fen, demands["103"].outstanding_fen) == (901_875, 901_875)
    assert [d.code.split("-")[-1] for d in services.units_to_top_up(fund.area)] == ["102"]
    assert sorted(d.code.split("-")[-1] for d in services.units_unpaid(fund.area)) == [
        "103",
        "901",
    ]


def test_exactly_thirty_percent_of_the_stored_demand_is_not_flagged_after_a_price_cut(fund):
    pay(fund, "102", 750_000, "p102")
    charge(fund, "102", 525_000, "c102")  # exactly 225,000 = 30 % of 750,000
    set_price(fund, 100_000)  # 5,000.00 元 at the new price; the stored demand rules
    assert (by_code(fund.area)["102"].first_fen, by_code(fund.area)["102"].top_up) == (
        750_000,
        False,
    )
    charge(fund, "102", 1, "c102b")
    assert by_code(fund.area)["102"].top_up is True


def test_a_later_price_applies_to_units_demanded_after_it(fund):
    set_price(fund, 180_000)
    unit = make_unit(fund.area, "104", registered="100.00")

    status = by_code(fund.area)["104"]
    assert (status.demanded, status.first_fen) == (False, 900_000)

    assert services.first_deposits_demand(area=fund.area, actor=None) == 1
    demand = services.first_deposit_of(unit)
    assert (demand.amount_fen, demand.cost_per_m2_fen) == (900_000, 180_000)
    assert by_code(fund.area)["104"].demanded is True
    # Again: nothing new, and the earlier units keep their figures.
    assert services.first_deposits_demand(area=fund.area, actor=None) == 0
    assert by_code(fund.area)["101"].first_fen == 671_250


def test_a_payment_from_a_unit_not_yet_demanded_demands_it_on_the_terms_in_force(fund):
    unit = make_unit(fund.area, "105", registered="50.00")
    from funds.ledger.services import accounts_ensure

    accounts_ensure(area=fund.area)
    services.deposit_record(
        unit=unit, amount_fen=375_000, paid_on=date(2024, 3, 1), key="p105", actor=None
    )
    assert services.first_deposit_of(unit).amount_fen == 375_000  # 50 × 1,500 × 5 %
    assert by_code(fund.area)["105"].paid_in_full is True


def test_a_correction_is_a_reasoned_audited_new_demand_superseding_the_old(fund, personas):
    staff = personas.admin
    pay(fund, "101", 671_250, "p101")
    original = services.first_deposit_of(fund.units["101"])

    corrected = services.first_deposit_correct(
        unit=fund.units["101"],
        cost_per_m2_fen=180_000,
        reason="区住建局2024年第3号文更正造价",
        actor=staff,
    )

    assert (corrected.amount_fen, corrected.supersedes_id, corrected.source) == (
        805_500,
        original.pk,
        Source.CORRECTION,
    )
    assert (corrected.floor_area, corrected.deposit_rate) == (Decimal("89.50"), Decimal("0.0500"))
    original.refresh_from_db()
    assert original.amount_fen == 671_250  # kept, superseded
    status = by_code(fund.area)["101"]
    assert (status.first_fen, status.outstanding_fen) == (805_500, 134_250)
    event = AuditEvent.objects.get(action="fund.first_deposit_correct")
    assert event.summary == {
        "unit": fund.units["101"].code,
        "from_fen": 671_250,
        "to_fen": 805_500,
        "reason": "区住建局2024年第3号文更正造价",
    }
    assert event.actor == staff


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"cost_per_m2_fen": 180_000, "reason": "  "}, "reason_required"),
        ({"reason": "无变化"}, "nothing_to_correct"),
        ({"cost_per_m2_fen": 150_000, "reason": "同价"}, "nothing_to_correct"),
        ({"deposit_rate": Decimal("0.0801"), "reason": "比例"}, "bad_rate"),
        ({"floor_area": Decimal("0"), "reason": "面积"}, "bad_area"),
        ({"floor_area": Decimal("89.505"), "reason": "面积"}, "bad_area"),
        ({"cost_per_m2_fen": 1.5, "reason": "造价"}, "bad_cost"),
    ],
)
def test_a_correction_without_reason_or_change_or_with_a_bad_basis_is_refused(fund, changes, code):
    with pytest.raises(DomainError) as error:
        services.first_deposit_correct(unit=fund.units["101"], actor=None, **changes)
    assert error.value.code == code
    assert FirstDepositDemand.objects.filter(unit=fund.units["101"]).count() == 1


def test_a_correction_at_the_rate_bounds_is_accepted(fund):
    low = services.first_deposit_correct(
        unit=fund.units["102"], deposit_rate=Decimal("0.08"), reason="比例上限", actor=None
    )
    assert low.amount_fen == 1_200_000  # 100 × 1,500 × 8 %
    assert services.first_deposit_of(fund.units["102"]).pk == low.pk


def test_a_stored_demand_cannot_be_changed_or_deleted(fund):
    demand = services.first_deposit_of(fund.units["101"])
    demand.amount_fen = 1
    with pytest.raises(LedgerError):
        demand.save()
    with pytest.raises(LedgerError):
        FirstDepositDemand.objects.filter(pk=demand.pk).update(amount_fen=1)
    with pytest.raises(LedgerError):
        demand.delete()


# ------------------------------------------------------------ backfill (migration 0004)


def backfill():
    module = importlib.import_module("funds.migrations.0007_first_deposit_demands_bank_references")
    module.backfill_first_deposits(apps, None)


def forget_demands():
    """The state before migration 0004: no demand stored (raw SQL, as the old schema had none)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM funds_firstdepositdemand")


def test_backfill_takes_a_paid_units_posting_and_an_unpaid_units_recorded_basis(fund):
    # Before demands were stored: terms 1,500.00 元/m² (audited), 101 pays 6,712.50 元,
    # 103 pays an instalment of 1,000.00 元; then the price went up to 1,800.00 元/m²;
    # 901 paid 9,000.00 元 at the new price.
    pay(fund, "101", 671_250, "p101")
    pay(fund, "103", 100_000, "p103")
    set_price(fund, 180_000)
    pay(fund, "901", 900_000, "p901", on=services.today())
    forget_demands()

    backfill()

    rows = {
        d.unit.number: (d.amount_fen, d.cost_per_m2_fen, d.source)
        for d in FirstDepositDemand.objects.select_related("unit")
    }
    assert rows == {
        "101": (671_250, 150_000, Source.BACKFILL_POSTING),
        # No posting: the recorded terms it was demanded on, never today's 9,000.00 元.
        "102": (750_000, 150_000, Source.BACKFILL_HISTORY),
        # An instalment matches no terms: the terms in force when it was paid.
        "103": (901_875, 150_000, Source.BACKFILL_HISTORY),
        "901": (900_000, 180_000, Source.BACKFILL_POSTING),
    }
    demand_101 = FirstDepositDemand.objects.get(unit=fund.units["101"])
    assert (demand_101.demanded_on, demand_101.floor_area) == (date(2024, 1, 10), Decimal("89.50"))
    demands = by_code(fund.area)
    assert (demands["101"].paid_in_full, demands["103"].outstanding_fen) == (True, 801_875)
    # Idempotent: a second run adds nothing.
    backfill()
    assert FirstDepositDemand.objects.count() == 4


def test_backfill_ignores_a_reversed_first_posting(fund):
    txn = pay(fund, "101", 805_500, "wrong")  # a wrong amount, reversed
    services.transaction_reverse(transaction=txn, reason="金额错误", actor=None)
    pay(fund, "101", 671_250, "right", on=date(2024, 1, 11))
    set_price(fund, 180_000)
    forget_demands()

    backfill()

    demand = FirstDepositDemand.objects.get(unit=fund.units["101"])
    assert (demand.amount_fen, demand.source, demand.demanded_on) == (
        671_250,
        Source.BACKFILL_POSTING,
        date(2024, 1, 11),
    )


def test_the_correction_command_supersedes_with_reason_and_refuses_a_non_bureau_user(
    fund, personas
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    unit = fund.units["103"].code
    with pytest.raises(CommandError, match="no active bureau user"):
        call_command(
            "funds_deposit_correct",
            f"--area={fund.area.code}",
            f"--unit={unit}",
            "--reason=x",
            f"--by={personas.committee.username}",
            "--cost=1800.00",
        )
    out = StringIO()
    call_command(
        "funds_deposit_correct",
        f"--area={fund.area.code}",
        f"--unit={unit}",
        "--reason=登记面积更正为 120.52 m²",
        f"--by={personas.admin.username}",
        "--floor-area=120.52",
        stdout=out,
    )
    # 120.52 × 1,500.00 × 5 % = 9,039.00 元
    assert out.getvalue().startswith(f"OK {unit}: first deposit 9,018.75 → 9,039.00 yuan")
    assert services.first_deposit_of(fund.units["103"]).amount_fen == 903_900
