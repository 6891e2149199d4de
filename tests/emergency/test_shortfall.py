"""Emergency money: units and areas frozen at approval; shortfalls advanced only from the
account the bureau names (issue #14 §2, §9; RULES.md §4 "Apportionment", §5).

a1 (``conftest.funded``): 101 89.50 m², 102 100.00, 201 120.25, each holding 5,000.00 元.
An estimate of 15,000.00 元 is shared 4,334.14 / 4,842.62 / 5,823.24: 201 is short 823.24 元.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from estates.models import Unit
from funds.integrity import ledger_check
from funds.ledger import selectors as ledger
from funds.models import Reservation, ShortfallDemand, Transaction
from funds.procedure.services import reservations
from tests.estates.helpers import make_unit

from .conftest import DEPOSIT_FEN, file_application
from .test_money import SHARES, accept, approve, settle, unit_balances

pytestmark = pytest.mark.django_db


def test_an_emergency_freezes_its_units_and_areas_at_approval(client, funded, personas, verified):
    application = approve(file_application(personas.committee, funded.a1), personas, verified)
    # After approval: a unit is added to 1栋 and 101 is re-measured.
    make_unit(funded.a1, "103", registered="60.00")
    Unit.objects.filter(code="1栋-1单元-101").update(
        registered_area=Decimal("95.00"), floor_area=Decimal("95.00")
    )
    fund_use = application.fund_use
    assert fund_use.basis.source == "approval"
    shown = {(d.code, d.kind) for d in reservations.fund_use_discrepancies(fund_use)}
    assert shown == {("1栋-1单元-103", "added"), ("1栋-1单元-101", "area")}
    client.force_login(personas.reviewer)
    html = client.get(reverse("emergency:detail", args=[application.pk])).content.decode()
    assert "1栋-1单元-103" in html and "冻结后新增，不参与分摊" in html
    accept(application, personas)
    settled = settle(application, personas, 10_000_00)
    # The shares at approval (not 3,797.47 / … / 2,398.40 for the new 103).
    assert dict(settled.fund_use.shares.values_list("unit_code", "share_fen")) == SHARES
    assert unit_balances(funded) == {code: DEPOSIT_FEN - fen for code, fen in SHARES.items()}
    ledger_check()


def test_an_emergency_shortfall_is_advanced_only_from_the_named_account(funded, personas, verified):
    application = approve(
        file_application(personas.committee, funded.a1, estimate_fen=15_000_00),
        personas,
        verified,
    )
    (demand,) = ShortfallDemand.objects.filter(fund_use=application.fund_use)
    assert (demand.unit_code, demand.share_fen, demand.amount_fen) == (
        "2栋-1单元-201",
        582_324,
        82_324,
    )
    approver = verified(personas.approver)
    today = timezone.localdate()
    transactions = Transaction.objects.count()
    with pytest.raises(DomainError) as refused:
        reservations.shortfall_advance(
            demand=demand, advanced_on=today, key="ADV-1", actor=approver
        )
    assert refused.value.code == "no_advance_account"
    assert Transaction.objects.count() == transactions and not Reservation.objects.exists()

    account = reservations.advance_account_name(
        area=funded.a1,
        kind="street",
        name="甲街道办事处应急资金",
        bank_name="工商银行宿州分行",
        account_no="1317000000000000777",
        actor=approver,
    )
    reservations.shortfall_advance(demand=demand, advanced_on=today, key="ADV-1", actor=approver)
    demand.refresh_from_db()
    assert demand.status == ShortfallDemand.Status.ADVANCED
    assert (demand.advanced_fen, demand.advance_account) == (82_324, account)
    unit = Unit.objects.get(code="2栋-1单元-201")
    assert ledger.balance(ledger.unit_account(unit)) == 582_324
    assert reservations.reserved_for(application.fund_use) == {unit.pk: 82_324}
    # The other owners' sub-ledgers gave nothing; settling at the estimate charges every share.
    accept(application, personas)
    settled = settle(application, personas, 15_000_00)
    assert settled.fund_use.shortfall_fen == 0
    assert unit_balances(funded) == {
        "1栋-1单元-101": DEPOSIT_FEN - 433_414,
        "1栋-1单元-102": DEPOSIT_FEN - 484_262,
        "2栋-1单元-201": 0,
    }
    with pytest.raises(DomainError) as refused:
        reservations.shortfall_advance(
            demand=demand, advanced_on=today, key="ADV-2", actor=approver
        )
    assert refused.value.code == "nothing_owed"
    ledger_check()


def test_an_emergency_prepayment_beyond_what_the_sub_ledgers_bear_waits_for_the_shortfall(
    funded, personas, verified
):
    application = approve(
        file_application(
            personas.committee, funded.a1, estimate_fen=15_000_00, prepayment_fen=15_000_00
        ),
        personas,
        verified,
    )
    from .test_money import instruct

    # 201 bears 5,000.00 元: its share of 12,879.44 元 is 5,000.01, of 12,879.43 元 5,000.00.
    with pytest.raises(DomainError) as refused:
        instruct(application, personas, verified, 1_287_944, key="pre-1")
    assert refused.value.code == "not_reserved"
    instruct(application, personas, verified, 1_287_943, key="pre-2")
    assert (
        reservations.reserved_for(application.fund_use)[Unit.objects.get(code="2栋-1单元-201").pk]
        == DEPOSIT_FEN
    )
    ledger_check()
