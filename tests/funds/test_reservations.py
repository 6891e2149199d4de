"""Money reserved, not fronted; apportioned over the frozen roll (issue #14 §2, §9; RULES.md §4).

The estate of ``app_helpers``: 1栋-1单元-101 甲 89.50 m², 102 乙 100.00, 103 丙 120.25,
104 丁 75.00 and the developer's 9栋-1单元-901 100.00 (484.75 m² on the roll). The budget
100,000.00 元 is shared over the roll as 101: 18,463.13, 102: 20,629.19, 103: 24,806.60,
104: 15,471.89, 901: 20,629.19 (``funds.apportion``; 102 and 901 tie on area and remainder,
the left-over fen goes to the smaller code).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.errors import DomainError
from estates.models import Unit
from funds.integrity import Broken, ledger_check, reservations_check
from funds.ledger import selectors, services
from funds.models import (
    Account,
    FundUse,
    PaymentInstruction,
    Reservation,
    ShortfallDemand,
    ShortfallReport,
)
from funds.procedure import services as procedure
from funds.procedure.selectors import applications as reads
from funds.procedure.services import reservations
from tests.estates.helpers import make_unit

from .app_helpers import (
    BUDGET,
    DEPOSIT,
    approved,
    build_estate,
    estate_fixture,  # noqa: F401
    instruct,
    pdf,
    png,
    review,
    voted_and_submitted,
)


@pytest.fixture(autouse=True)
def _no_retention(settings):
    # These tests instruct the whole budget; the 质保金 held back from it is
    # tested in test_settlement_ceiling.py (RULES.md §4 "use").
    settings.GONGZHI_FUND_RETENTION_PCT = 0


DEV = "9栋-1单元-901"
ROLL_SHARES = {
    "1栋-1单元-101": 1_846_313,
    "1栋-1单元-102": 2_062_919,
    "1栋-1单元-103": 2_480_660,
    "1栋-1单元-104": 1_547_189,
    DEV: 2_062_919,
}
DEV_HOLDS = 50_000  # 500.00 元 in 901's sub-ledger
# The largest cumulative amount every unit bears with 500.00 元 in 901: at 2,423.77 元 its
# share is 500.00 元 exactly (102 wins the tied left-over fen); at 2,423.78 元 it is 500.01.
MOST = 242_377


def _approve(application, personas, verified):
    return procedure.application_approve(application=application, actor=verified(personas.approver))


def _reserved(fund_use) -> dict[str, int]:
    codes = dict(Unit.objects.values_list("pk", "code"))
    return {codes[u]: v for u, v in reservations.reserved_for(fund_use).items() if v}


# --------------------------------------------------------------------------- cover


def test_one_fen_beyond_what_every_sub_ledger_can_bear_is_refused_and_nothing_changes(
    district, personas, verified
):
    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    fund_use = approved(estate, personas, verified).fund_use
    approver = verified(personas.approver)
    with pytest.raises(DomainError) as refused:
        instruct(fund_use, approver, amount=MOST + 1, key="PAY-over")
    assert refused.value.code == "not_reserved"
    assert "2,423.77" in refused.value.message  # the most that can be instructed now
    assert not PaymentInstruction.objects.exists()
    assert not Reservation.objects.exists()

    instruct(fund_use, approver, amount=MOST, key="PAY-1")
    assert _reserved(fund_use) == {
        "1栋-1单元-101": 44_750,
        "1栋-1单元-102": 50_001,
        "1栋-1单元-103": 60_126,
        "1栋-1单元-104": 37_500,
        DEV: 50_000,
    }
    assert sum(_reserved(fund_use).values()) == MOST
    # One fen more, cumulatively, is one fen 901 does not have.
    with pytest.raises(DomainError) as refused:
        instruct(fund_use, approver, amount=1, key="PAY-2")
    assert refused.value.code == "not_reserved"
    ledger_check()


def test_reserved_money_cannot_leave_the_sub_ledger(district, personas, verified):
    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    fund_use = approved(estate, personas, verified).fund_use
    instruct(fund_use, verified(personas.approver), amount=MOST)
    deposit = selectors.unit_account(estate.unit(DEV)).entries.get().transaction
    with pytest.raises(DomainError) as refused:
        services.transaction_reverse(transaction=deposit, reason="误记", actor=None)
    assert refused.value.code == "reserved_balance"
    assert selectors.balance(selectors.unit_account(estate.unit(DEV))) == DEV_HOLDS


def test_a_second_use_cannot_reserve_what_the_first_holds(district, personas, verified):
    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    first = approved(estate, personas, verified).fund_use
    second = approved(estate, personas, verified).fund_use
    approver = verified(personas.approver)
    instruct(first, approver, amount=145_000, key="A-1")  # 901 reserves 299.12 元
    with pytest.raises(DomainError) as refused:
        instruct(second, approver, amount=145_000, key="B-1")  # would need 299.12 of 200.88
    assert refused.value.code == "not_reserved"
    instruct(second, approver, amount=97_000, key="B-2")  # 901: 200.10 元 of 200.88: fits
    assert reservations.reserved_for(first)[estate.unit(DEV).pk] == 29_912
    assert reservations.reserved_for(second)[estate.unit(DEV).pk] == 20_010
    reservations_check()


# --------------------------------------------------------------------------- 分摊补缴


def test_the_shortfall_is_demanded_at_approval_and_payable_only_when_collected(
    district, personas, verified
):
    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    application = approved(estate, personas, verified)
    fund_use = application.fund_use
    (demand,) = ShortfallDemand.objects.filter(fund_use=fund_use)
    assert (demand.unit_code, demand.share_fen, demand.available_fen, demand.amount_fen) == (
        DEV,
        2_062_919,
        DEV_HOLDS,
        2_012_919,
    )
    assert demand.due_on == timezone.localdate() + timedelta(days=30)
    approver = verified(personas.approver)
    with pytest.raises(DomainError):
        instruct(fund_use, approver, amount=BUDGET, key="PAY-all")

    today = timezone.localdate()
    services_pay = reservations.shortfall_demand_pay  # the reviewer records the bank's credit
    services_pay(
        demand=demand, amount_fen=2_012_918, paid_on=today, key="BANK-1", actor=personas.reviewer
    )
    demand.refresh_from_db()
    assert demand.status == ShortfallDemand.Status.OPEN and demand.outstanding_fen == 1
    with pytest.raises(DomainError) as refused:  # one fen still missing
        instruct(fund_use, approver, amount=BUDGET, key="PAY-all")
    assert refused.value.code == "not_reserved"
    services_pay(demand=demand, amount_fen=1, paid_on=today, key="BANK-2", actor=personas.reviewer)
    services_pay(demand=demand, amount_fen=1, paid_on=today, key="BANK-2", actor=personas.reviewer)
    demand.refresh_from_db()
    assert demand.status == ShortfallDemand.Status.PAID and demand.paid_fen == 2_012_919
    # Posted as deposits into 901's sub-ledger, reserved for this use.
    assert selectors.balance(selectors.unit_account(estate.unit(DEV))) == 2_062_919
    assert _reserved(fund_use) == {DEV: 2_012_919}
    with pytest.raises(DomainError) as refused:  # more than demanded
        services_pay(
            demand=demand, amount_fen=1, paid_on=today, key="BANK-3", actor=personas.reviewer
        )
    assert refused.value.code == "over_demand"

    instruct(fund_use, approver, amount=BUDGET, key="PAY-all")
    assert _reserved(fund_use) == ROLL_SHARES
    ledger_check()


def test_an_unpaid_shortfall_is_reported_to_the_convener_and_the_street_after_its_deadline(
    district, personas, verified
):
    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    fund_use = approved(estate, personas, verified).fund_use
    demand = ShortfallDemand.objects.get(fund_use=fund_use)
    assert reservations.shortfall_demands_report(today=demand.due_on) == {
        "demands": 0,
        "reports": 0,
    }
    after = demand.due_on + timedelta(days=1)
    assert reservations.shortfall_demands_report(today=after) == {"demands": 1, "reports": 2}
    demand.refresh_from_db()
    assert demand.status == ShortfallDemand.Status.REPORTED
    assert sorted(ShortfallReport.objects.values_list("recipient__username", "role")) == [
        ("committee_a1", "committee_member"),
        ("street_a", "street_officer"),
    ]
    # Reported once to each; still owed, still payable.
    assert reservations.shortfall_demands_report(today=after)["reports"] == 0
    reservations.shortfall_demand_pay(
        demand=demand,
        amount_fen=demand.amount_fen,
        paid_on=timezone.localdate(),
        key="LATE",
        actor=personas.reviewer,
    )
    demand.refresh_from_db()
    assert demand.status == ShortfallDemand.Status.PAID


def test_a_normal_use_cannot_have_its_shortfall_advanced(district, personas, verified):
    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    fund_use = approved(estate, personas, verified).fund_use
    approver = verified(personas.approver)
    reservations.advance_account_name(
        area=estate.area,
        kind="street",
        name="甲街道办事处",
        bank_name="工商银行",
        account_no="1317000000000000999",
        actor=approver,
    )
    demand = ShortfallDemand.objects.get(fund_use=fund_use)
    with pytest.raises(DomainError) as refused:
        reservations.shortfall_advance(
            demand=demand, advanced_on=timezone.localdate(), key="ADV", actor=approver
        )
    assert refused.value.code == "not_emergency"
    assert not Reservation.objects.exists()


# --------------------------------------------------------------------------- the frozen roll


def test_settlement_charges_the_frozen_rolls_shares_whatever_the_register_says_since(
    estate, personas, verified
):
    application = voted_and_submitted(estate, personas)
    # After the vote: a unit is added to 1栋 and 甲's unit is re-measured.
    added = make_unit(estate.area, "105", registered="120.00")
    services.accounts_ensure(area=estate.area)
    services.deposit_record(
        unit=added, amount_fen=DEPOSIT, paid_on=timezone.localdate(), key="dep-105", actor=None
    )
    Unit.objects.filter(code="1栋-1单元-101").update(
        registered_area=Decimal("95.00"), floor_area=Decimal("95.00")
    )
    # The reviewer is shown both, before approval.
    shown = {(d.code, d.kind) for d in reservations.application_discrepancies(application)}
    assert shown == {("1栋-1单元-105", "added"), ("1栋-1单元-101", "area")}
    # The owners' estimate stays the one their ballots showed; 105 has none.
    codes = [*ROLL_SHARES, "1栋-1单元-105"]
    assert reads.estimated_shares(application, codes) == ROLL_SHARES

    application = review(application, personas.reviewer)
    application = _approve(application, personas, verified)
    fund_use = application.fund_use
    assert fund_use.basis.source == "roll" and fund_use.basis.area_total == Decimal("484.75")
    approver = verified(personas.approver)
    instruction = instruct(fund_use, approver, amount=BUDGET)
    procedure.payment_confirm(
        instruction=instruction,
        bank_reference="ICBC-1",
        paid_on=timezone.localdate(),
        actor=personas.reviewer,
    )
    today = timezone.localdate()
    procedure.application_works_done(
        application=application, actor=personas.property_staff, done_on=today
    )
    procedure.application_accept(
        application=application,
        actor=personas.committee,
        accepted_on=today,
        note="验收合格。",
        files=[("acceptance_report", "验收报告", pdf("r.pdf")), ("acceptance_photo", "", png())],
    )
    fund_use.refresh_from_db()
    shown = {(d.code, d.kind) for d in reservations.fund_use_discrepancies(fund_use)}
    assert shown == {("1栋-1单元-105", "added"), ("1栋-1单元-101", "area")}
    procedure.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=BUDGET
    )

    fund_use.refresh_from_db()
    charged = dict(fund_use.shares.values_list("unit_code", "share_fen"))
    # Not the register's 15,567.39 / 19,664.07 (105) …: exactly what the ballots showed.
    assert charged == ROLL_SHARES
    assert dict(fund_use.shares.values_list("unit_code", "floor_area"))["1栋-1单元-101"] == Decimal(
        "89.50"
    )
    assert selectors.balance(selectors.unit_account(added)) == DEPOSIT  # never charged
    assert not any(reservations.reserved_for(fund_use).values())  # released by the charge
    for code, share in ROLL_SHARES.items():
        assert (
            selectors.balance(selectors.unit_account(Unit.objects.get(code=code)))
            == DEPOSIT - share
        )
    ledger_check()


# --------------------------------------------------------------------------- funds_check


def test_funds_check_fails_on_a_reservation_beyond_the_balance(district, personas, verified):
    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    fund_use = approved(estate, personas, verified).fund_use
    instruct(fund_use, verified(personas.approver), amount=MOST)
    ledger_check()
    account = selectors.unit_account(estate.unit(DEV))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO funds_reservation (fund_use_id, account_id, unit_id, amount_fen, reason,"
            " created_at) VALUES (%s, %s, %s, 1, 'instruction', %s)",
            [fund_use.pk, account.pk, estate.unit(DEV).pk, timezone.now()],
        )
    with pytest.raises(Broken, match="reserved on it"):
        ledger_check()
    with pytest.raises(SystemExit) as exited:
        call_command("funds_check")
    assert exited.value.code == 1


def test_funds_check_fails_on_an_instruction_beyond_the_reservations(district, personas, verified):
    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    fund_use = approved(estate, personas, verified).fund_use
    instruct(fund_use, verified(personas.approver), amount=MOST)
    PaymentInstruction.objects.filter(fund_use=fund_use).update(amount_fen=MOST + 1)
    with pytest.raises(Broken, match="instructed but only"):
        reservations_check()


def test_no_demand_when_every_sub_ledger_bears_the_budget_and_none_goes_negative(
    estate, personas, verified
):
    fund_use = approved(estate, personas, verified).fund_use
    assert not ShortfallDemand.objects.filter(fund_use=fund_use).exists()  # all can bear it
    instruct(fund_use, verified(personas.approver), amount=BUDGET)
    assert FundUse.objects.get().status == FundUse.Status.OPEN
    for account in Account.objects.filter(kind=Account.Kind.UNIT):
        assert selectors.balance(account) >= 0
    ledger_check()


# --------------------------------------------------------------------------- pages


def test_the_reviewer_sees_the_register_changes_and_the_demands_on_the_page(
    client, district, personas, verified
):
    from django.urls import reverse

    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    application = voted_and_submitted(estate, personas)
    make_unit(estate.area, "105", registered="120.00")
    Unit.objects.filter(code="1栋-1单元-101").update(
        registered_area=Decimal("95.00"), floor_area=Decimal("95.00")
    )
    page = reverse("funds:application_detail", args=[application.pk])
    client.force_login(personas.reviewer)
    html = client.get(page).content.decode()
    assert "登记簿与冻结名册的差异" in html
    assert "1栋-1单元-105" in html and "冻结后新增，不参与分摊" in html
    assert "面积已变更（仍按冻结时的面积分摊）" in html and "95.00" in html

    _approve(review(application, personas.reviewer), personas, verified)
    html = client.get(page).content.decode()
    assert "分摊补缴" in html and "20,129.19" in html  # 901's demand
    client.force_login(estate.register.user("甲"))  # an owner sees neither
    html = client.get(page).content.decode()
    assert "登记簿与冻结名册的差异" not in html and "20,129.19" not in html


def test_a_use_approved_before_reservations_gets_its_roll_and_reservations_on_first_use(
    estate, personas, verified
):
    fund_use = approved(estate, personas, verified).fund_use
    instruct(fund_use, verified(personas.approver), amount=BUDGET)
    # What a use approved and instructed before this change looks like: no basis, nothing held.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM funds_reservation")
        cursor.execute("DELETE FROM funds_apportionmentbasis")
    reservations_check()  # not yet frozen: not judged
    basis = reservations.basis_of(FundUse.objects.get(pk=fund_use.pk))
    assert basis.source == "roll"
    assert _reserved(fund_use) == ROLL_SHARES
    ledger_check()


def test_the_pay_page_refuses_one_fen_beyond_the_reservable_with_400_and_changes_nothing(
    client, district, personas, verified, login_with_totp
):
    from django.urls import reverse

    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    application = approved(estate, personas, verified)
    login_with_totp(client, personas.approver)
    data = {
        "amount": "2423.78",
        "payee_name": "宿州某防水工程有限公司",
        "payee_bank": "建设银行",
        "payee_account": "6217000000000000001",
        "memo": "屋面",
        "key": "A1-OVER",
        "confirmed": "1",
    }
    response = client.post(reverse("funds:application_pay", args=[application.pk]), data)
    assert response.status_code == 400
    assert "不能以其他业主的资金垫付" in response.content.decode()
    assert not PaymentInstruction.objects.exists() and not Reservation.objects.exists()
    data.update(amount="2423.77", key="A1-OK")
    client.post(reverse("funds:application_pay", args=[application.pk]), data)
    assert PaymentInstruction.objects.get().amount_fen == MOST


@pytest.mark.parametrize(
    ("final_cost", "owed", "status"),
    [
        # 50,000.00 元: 901's share 10,314.59 元, charged its 500.00 → owes 9,814.59, not 20,129.19.
        (5_000_000, 981_459, ShortfallDemand.Status.OPEN),
        # 2,000.00 元: 901's share 412.58 元 is within its 500.00 → nothing owed, nothing reported.
        (200_000, 0, ShortfallDemand.Status.CLEARED),
    ],
)
def test_settlement_reduces_a_demand_to_the_real_shortfall(
    district, personas, verified, final_cost, owed, status
):
    from .app_helpers import accepted

    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    application = accepted(estate, personas, verified, amount=200_000)
    procedure.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=final_cost
    )
    demand = ShortfallDemand.objects.get()
    assert (demand.outstanding_fen, demand.status) == (owed, status)
    share = application.fund_use.shares.get(unit_code=DEV)
    assert share.outstanding_fen == owed
    later = demand.due_on + timedelta(days=1)
    assert reservations.shortfall_demands_report(today=later)["demands"] == (1 if owed else 0)
    ledger_check()


def test_the_owner_is_told_of_the_demand_at_approval(
    estate, personas, verified, outbox, django_capture_on_commit_callbacks
):
    # 丁's 30,000.00 元 is reversed before approval: 104 can bear none of its 15,471.89 元.
    deposit = selectors.unit_account(estate.unit("1栋-1单元-104")).entries.get().transaction
    services.transaction_reverse(transaction=deposit, reason="退票", actor=None)
    application = review(voted_and_submitted(estate, personas), personas.reviewer)
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _approve(application, personas, verified)
    demand = ShortfallDemand.objects.get()
    assert (demand.unit_code, demand.amount_fen) == ("1栋-1单元-104", 1_547_189)
    texts = [m for m in outbox if "分摊补缴" in m.text]
    assert [m.phone for m in texts] == [estate.register.owners["丁"].person.phone]
    assert "15,471.89" in texts[0].text and "1栋-1单元-104" in texts[0].text


def test_a_random_run_of_instructions_payments_and_reversals_never_breaks_the_invariants(
    district, personas, verified
):
    """An adversarial sequence over two uses of one building (seeded, so reproducible):
    instructions, cancellations, bank confirmations, 901's shortfall payments and
    reversals of 901's deposits (reserved or not). After every step no sub-ledger is negative or holds less than is reserved on it, no
    open use has instructed more than it holds reserved, and funds_check passes."""
    import random

    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    uses = [approved(estate, personas, verified).fund_use for _ in range(2)]
    approver = verified(personas.approver)
    today = timezone.localdate()
    rng = random.Random(14)
    outcomes: dict[str, int] = {}
    for step in range(40):
        use = rng.choice(uses)
        action = rng.choice(["instruct"] * 4 + ["cancel", "confirm", "pay", "pay", "reverse"])
        try:
            if action == "instruct":
                instruct(use, approver, amount=rng.randint(1, 150_000), key=f"R-{step}")
            elif action in ("cancel", "confirm"):
                live = list(use.payments.filter(status=PaymentInstruction.Status.INSTRUCTED))
                if not live:
                    continue
                chosen = rng.choice(live)
                if action == "cancel":
                    procedure.payment_cancel(instruction=chosen, reason="改期", actor=approver)
                else:
                    procedure.payment_confirm(
                        instruction=chosen,
                        bank_reference=f"B-{step}",
                        paid_on=today,
                        actor=personas.reviewer,
                    )
            elif action == "pay":
                demand = ShortfallDemand.objects.get(fund_use=use)
                if not demand.outstanding_fen:
                    continue
                reservations.shortfall_demand_pay(
                    demand=demand,
                    amount_fen=rng.randint(1, demand.outstanding_fen),
                    paid_on=today,
                    key=f"P-{step}",
                    actor=personas.reviewer,
                )
            else:
                deposit = rng.choice(
                    list(
                        selectors.unit_account(estate.unit(DEV))
                        .entries.filter(transaction__kind="deposit", transaction__reversed_by=None)
                        .select_related("transaction")
                    )
                    or [None]
                )
                if deposit is None:
                    continue
                services.transaction_reverse(
                    transaction=deposit.transaction, reason="测试冲正", actor=None
                )
            outcomes[action] = outcomes.get(action, 0) + 1
        except DomainError as refused:
            outcomes[refused.code] = outcomes.get(refused.code, 0) + 1
        for account in Account.objects.filter(kind=Account.Kind.UNIT):
            held = sum(account.reservations.values_list("amount_fen", flat=True))
            assert selectors.balance(account) >= held >= 0, (step, action, account.pk)
        reservations_check()
    ledger_check()
    # The run did what it is meant to survive: instructions taken and refused, reserved
    # money refused to a reversal (seed 14: 13 taken, 4 refused, 5 reversals refused).
    assert outcomes.get("instruct", 0) > 0, outcomes
    assert outcomes.get("not_reserved", 0) > 0, outcomes
    assert outcomes.get("reserved_balance", 0) > 0, outcomes
