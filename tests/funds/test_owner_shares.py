"""我的维修分摊 and the sub-ledger are one source (issue #16 item 3): every repair charge
on a unit's sub-ledger is on its owner's list, at the same amount, with its application;
nothing else is; an owner outside the 列支范围 sees none of it."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from core.money import yuan
from funds.ledger import selectors as ledger
from funds.ledger import services as ledger_services
from funds.models import Account, Transaction
from funds.procedure import services as procedure
from funds.procedure.selectors.owner_shares import shares_of_user
from tests.estates.helpers import make_person, make_unit, own
from tests.voting.conftest import bind

from .app_helpers import accepted, estate_fixture  # noqa: F401

COST = 9_000_000  # 90,000.00 元 settled


def settled(estate, personas, verified):
    application = accepted(estate, personas, verified)
    procedure.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=COST
    )
    application.refresh_from_db()
    return application


def charge_lines(unit):
    return [line for line in ledger.sub_ledger(unit) if line.is_charge]


def test_a_settled_share_is_listed_at_the_amount_the_sub_ledger_shows(
    client, estate, personas, verified
):
    application = settled(estate, personas, verified)
    unit = estate.owner_unit("甲")
    [posting] = charge_lines(unit)
    assert posting.amount_fen < 0
    owner = estate.register.user("甲")
    [line] = shares_of_user(owner)
    assert line.application.pk == application.pk
    assert line.charged_fen == -posting.amount_fen  # the same fen, not a recomputation
    assert line.transaction_ids == (posting.transaction_id,)
    client.force_login(owner)
    page = client.get(reverse("funds:application_mine")).content.decode()
    assert f"{yuan(-posting.amount_fen)} 元" in page
    assert reverse("funds:application_detail", args=[application.pk]) in page
    assert f'id="txn-{posting.transaction_id}"' in page
    # The sub-ledger links the charge to its line on 我的维修分摊.
    ledger_page = client.get(reverse("funds:unit_ledger", args=[unit.pk])).content.decode()
    assert f"{reverse('funds:application_mine')}#txn-{posting.transaction_id}" in ledger_page


def test_each_owner_sees_only_their_own_units_charge(client, estate, personas, verified):
    settled(estate, personas, verified)
    for name in ("甲", "乙", "丙", "丁"):
        [posting] = charge_lines(estate.owner_unit(name))
        [line] = shares_of_user(estate.register.user(name))
        assert line.unit_codes == (estate.owner_unit(name).code,)
        assert line.charged_fen == -posting.amount_fen


def test_an_owner_outside_the_scope_sees_neither_a_charge_nor_the_application(
    client, estate, personas, verified
):
    settled(estate, personas, verified)
    # 2栋 is outside the 列支范围 (1栋 and 9栋-1单元-901).
    unit = make_unit(estate.area, "201", building="2栋", registered="90.00")
    person = make_person("庚", phone="13900009999")
    own(unit, person)
    outsider = bind(person, area=estate.area)
    assert shares_of_user(outsider) == []
    client.force_login(outsider)
    page = client.get(reverse("funds:application_mine")).content.decode()
    assert "1栋屋面防水翻新" not in page
    assert "目前没有涉及您房屋的维修资金使用。" in page


def test_an_owner_of_another_area_sees_nothing(client, estate, personas, verified, district):
    settled(estate, personas, verified)
    unit = make_unit(district.b1, "101", registered="90.00")
    person = make_person("辛", phone="13900009998")
    own(unit, person)
    stranger = bind(person, area=district.b1)
    assert shares_of_user(stranger) == []


def test_a_charge_posted_outside_the_procedure_is_still_listed(client, estate, personas):
    """The demo's roof settlement was posted straight to the ledger: the old list, read from
    share rows, said "nothing concerns your unit" beside a −2,460.30 sub-ledger line."""
    unit = estate.owner_unit("甲")
    works = ledger.account_of(estate.area, Account.Kind.WORKS)
    ledger_services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[(ledger.unit_account(unit), 246_030), (works, -246_030)],
        memo="结算分摊：1栋屋面防水维修",
        key="test:roof:settle",
        actor=None,
        value_date=date(2025, 7, 4),
    )
    [posting] = charge_lines(unit)
    assert posting.amount_fen == -246_030
    [line] = shares_of_user(estate.register.user("甲"))
    assert (line.title, line.charged_fen, line.share_fen) == (
        "结算分摊：1栋屋面防水维修",
        246_030,
        246_030,
    )
    assert line.application is None
    client.force_login(estate.register.user("甲"))
    page = client.get(reverse("funds:application_mine")).content.decode()
    assert "2,460.30 元" in page
    assert "目前没有涉及您房屋的维修资金使用。" not in page
    # Another owner's sub-ledger was not charged: their list stays empty.
    assert shares_of_user(estate.register.user("乙")) == []


def test_a_reversed_charge_nets_to_zero_on_both_sides(client, estate, personas):
    unit = estate.owner_unit("甲")
    works = ledger.account_of(estate.area, Account.Kind.WORKS)
    first = ledger_services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[(ledger.unit_account(unit), 10_000), (works, -10_000)],
        memo="结算分摊：测试",
        key="test:settle",
        actor=None,
        value_date=date(2025, 7, 4),
    )
    ledger_services.transaction_post(
        kind=Transaction.Kind.REVERSAL,
        lines=[(ledger.unit_account(unit), -10_000), (works, 10_000)],
        memo="冲正：结算分摊：测试",
        key="test:settle:reversal",
        actor=None,
        value_date=date(2025, 7, 5),
        reverses=first,
    )
    lines = charge_lines(unit)
    assert [line.amount_fen for line in lines] == [-10_000, 10_000]
    [line] = shares_of_user(estate.register.user("甲"))
    assert line.charged_fen == 0 == -sum(x.amount_fen for x in lines)
    assert len(line.transaction_ids) == 2


def test_a_deposit_is_not_a_charge(estate):
    unit = estate.owner_unit("甲")
    assert [line.is_charge for line in ledger.sub_ledger(unit)] == [False]
    assert ledger.unit_charges([unit]) == []
