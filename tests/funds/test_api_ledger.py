"""The fund-ledger API (funds/api_ledger.py): owners' sub-ledgers and areas' accounts, read only.

The fund of tests/funds/conftest.py (area a1; first deposits 101: 6,712.50,
102: 7,500.00, 103: 9,018.75, 901: 7,500.00 元) with this history:

- 2024-01-10 deposits: 101 6,712.50; 102 7,500.00; 2024-01-12: 103 9,018.75
- 2024-02-20 payment to the contractor 11,686.58 (bank → works)
- 2024-03-01 settlement: 101 123.45, 102 5,250.00, 103 6,313.13 (works → sub-ledgers)
- 2025-02-01 deposit: 101 100.00

so the balances are 101: 6,689.05; 102: 2,250.00 — exactly 30 % of its first
deposit, not flagged; 103: 2,705.62 — one fen below 30 % (2,705.625), flagged
(Order 165 art. 17); 901: 0, its first deposit unpaid. Bank = sub-ledgers = 11,644.67.
"""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from funds.ledger import services
from funds.ledger.reconciliation import services as reconciliation_services
from funds.models import Transaction
from tests.conftest import pass_totp
from tests.estates.helpers import make_person, make_unit, own, sell
from tests.funds.conftest import bound_owner

from .api_conformance import conforms, load_schema

pytestmark = pytest.mark.django_db

BASE = "/api/v1/funds"


@pytest.fixture
def api():
    client = APIClient()

    def as_(user, *, otp: bool = False):
        client.logout()
        if user is not None:
            client.force_login(user)
            if otp:
                pass_totp(client, user)
        return client

    client.as_ = as_
    return client


@pytest.fixture
def ledger(fund):
    fund.deposit("101", 671_250, on=date(2024, 1, 10))
    fund.deposit("102", 750_000, on=date(2024, 1, 10))
    fund.deposit("103", 901_875, on=date(2024, 1, 12))
    total = 12_345 + 525_000 + 631_313
    services.transaction_post(
        kind=Transaction.Kind.PAYMENT,
        lines=[(fund.account("works"), total), (fund.bank, -total)],
        memo="屋面防水工程款",
        key="test-payment:roof",
        actor=None,
        value_date=date(2024, 2, 20),
    )
    services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[
            (fund.sub("101"), 12_345),
            (fund.sub("102"), 525_000),
            (fund.sub("103"), 631_313),
            (fund.account("works"), -total),
        ],
        memo="屋面防水分摊",
        key="test-settlement:roof",
        actor=None,
        value_date=date(2024, 3, 1),
    )
    fund.deposit("101", 10_000, on=date(2025, 2, 1), key="test-deposit:101:extra")
    return fund


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --------------------------------------------------------------------------- my units


def test_owner_sees_their_unit_with_balance_and_first_deposit(api, ledger):
    response = api.as_(ledger.users["甲"]).get(f"{BASE}/mine/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": ledger.units["101"].pk,
            "code": ledger.units["101"].code,
            "area": "a1",
            "area_name": "甲一小区",
            "building": "1栋",
            "floor_area": "89.50",
            "balance_fen": 668_905,
            "balance_yuan": "6689.05",
            "deposit": {
                "first_fen": 671_250,
                "first_yuan": "6712.50",
                "paid_fen": 681_250,
                "paid_yuan": "6812.50",
                "outstanding_fen": 0,
                "outstanding_yuan": "0.00",
                "paid_in_full": True,
            },
            "top_up": False,
        }
    ]


def test_a_balance_of_exactly_30_percent_is_not_flagged_one_fen_below_is(api, ledger):
    at_30 = api.as_(ledger.users["乙"]).get(f"{BASE}/mine/").json()
    below = api.as_(ledger.users["丙"]).get(f"{BASE}/mine/").json()

    assert [(u["balance_fen"], u["top_up"]) for u in at_30] == [(225_000, False)]
    assert [(u["balance_fen"], u["balance_yuan"], u["top_up"]) for u in below] == [
        (270_562, "2705.62", True)
    ]


def test_owner_whose_area_has_no_deposit_terms_sees_a_null_deposit(api, district):
    unit = make_unit(district.a2, "301", registered="66.00")
    person = make_person("戊", phone="13600000001")
    own(unit, person)
    user = bound_owner(person, district.a2)

    [row] = api.as_(user).get(f"{BASE}/mine/").json()

    assert (row["balance_fen"], row["deposit"], row["top_up"]) == (0, None, False)


def test_a_unit_owned_where_the_user_holds_no_owner_role_is_not_theirs_to_read(
    api, ledger, district
):
    # Bound to the register, but the owner role is for another area (b1): the action's
    # scope decides, not the ownership record alone.
    person = make_person("庚", phone="13600000002")
    own(ledger.units["901"], person)
    user = bound_owner(person, district.b1)
    client = api.as_(user)

    assert client.get(f"{BASE}/mine/").json() == []
    assert client.get(f"{BASE}/mine/{ledger.units['901'].pk}/entries/").status_code == 404
    assert client.get(f"{BASE}/mine/{ledger.units['901'].pk}/statement/").status_code == 404


def test_my_units_is_refused_to_staff_outsiders_and_anonymous(api, ledger, personas):
    for user in (personas.committee, personas.street_officer, personas.outsider, None):
        assert api.as_(user).get(f"{BASE}/mine/").status_code == 403


# --------------------------------------------------------------------------- entries


def test_owner_sees_every_entry_with_the_running_balance(api, ledger):
    rows = results(
        api.as_(ledger.users["甲"]).get(f"{BASE}/mine/{ledger.units['101'].pk}/entries/")
    )

    assert [
        (r["value_date"], r["kind"], r["amount_fen"], r["amount_yuan"], r["balance_fen"])
        for r in rows
    ] == [
        ("2024-01-10", "deposit", 671_250, "6712.50", 671_250),
        ("2024-03-01", "settlement", -12_345, "-123.45", 658_905),
        ("2025-02-01", "deposit", 10_000, "100.00", 668_905),
    ]
    assert [r["balance_yuan"] for r in rows] == ["6712.50", "6589.05", "6689.05"]
    assert rows[1]["kind_label"] == "结算分摊" and rows[1]["memo"] == "屋面防水分摊"
    assert rows[1]["reverses_id"] is None


def test_entries_are_paginated(api, ledger):
    client = api.as_(ledger.users["甲"])
    url = f"{BASE}/mine/{ledger.units['101'].pk}/entries/"

    first = client.get(url, {"page_size": 2}).json()
    second = client.get(url, {"page_size": 2, "page": 2}).json()

    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    assert "page=2" in first["next"]
    assert [r["balance_fen"] for r in second["results"]] == [668_905]
    assert second["next"] is None
    assert client.get(url, {"page_size": 2, "page": 3}).status_code == 404
    assert client.get(url, {"page": "x"}).status_code == 404


def test_another_owners_unit_is_not_found(api, ledger, personas):
    other = ledger.units["102"].pk
    for path in (f"{BASE}/mine/{other}/entries/", f"{BASE}/mine/{other}/statement/"):
        assert api.as_(ledger.users["甲"]).get(path).status_code == 404
        assert api.as_(personas.other_owner).get(path).status_code == 404
    assert api.as_(ledger.users["甲"]).get(f"{BASE}/mine/999999/entries/").status_code == 404


def test_entries_are_refused_to_staff_and_anonymous(api, ledger, personas):
    path = f"{BASE}/mine/{ledger.units['101'].pk}/entries/"
    assert api.as_(personas.committee).get(path).status_code == 403
    assert api.as_(None).get(path).status_code == 403


def test_after_a_sale_the_buyer_sees_the_whole_history_and_the_seller_nothing(api, ledger):
    buyer = make_person("买受人", phone="13700000001")
    buyer_user = bound_owner(buyer, ledger.area)
    sell(ledger.units["101"], buyer, on=date(2025, 6, 1))
    path = f"{BASE}/mine/{ledger.units['101'].pk}/entries/"

    assert api.as_(ledger.users["甲"]).get(path).status_code == 404
    assert api.as_(ledger.users["甲"]).get(f"{BASE}/mine/").json() == []
    rows = results(api.as_(buyer_user).get(path))
    assert [r["balance_fen"] for r in rows] == [671_250, 658_905, 668_905]


# --------------------------------------------------------------------------- statement


def test_statement_of_a_year_adds_up_and_shows_the_units_share(api, ledger):
    response = api.as_(ledger.users["甲"]).get(
        f"{BASE}/mine/{ledger.units['101'].pk}/statement/", {"year": 2024}
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["year"], body["start"], body["end"]) == (2024, "2024-01-01", "2024-12-31")
    assert {k: body[k] for k in ("opening_fen", "deposits_fen", "uses_fen", "closing_fen")} == {
        "opening_fen": 0,
        "deposits_fen": 671_250,
        "uses_fen": 12_345,
        "closing_fen": 658_905,
    }
    assert (body["uses_yuan"], body["closing_yuan"]) == ("123.45", "6589.05")
    assert [e["balance_fen"] for e in body["entries"]] == [671_250, 658_905]
    [use] = body["uses"]
    assert (use["share_fen"], use["share_yuan"], use["total_fen"], use["units"]) == (
        12_345,
        "123.45",
        1_168_658,
        3,
    )
    unit = ledger.units["101"]
    assert body["unit"] == {"id": unit.pk, "code": unit.code, "area_code": "a1"}


def test_statement_defaults_to_the_latest_year_with_an_entry(api, ledger):
    body = (
        api.as_(ledger.users["甲"]).get(f"{BASE}/mine/{ledger.units['101'].pk}/statement/").json()
    )

    assert (body["year"], body["opening_fen"], body["deposits_fen"], body["closing_fen"]) == (
        2025,
        658_905,
        10_000,
        668_905,
    )
    assert body["uses"] == []


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "2024.5", "99999999999999999999999"])
def test_a_bad_year_is_a_400_not_a_500(api, ledger, year):
    response = api.as_(ledger.users["甲"]).get(
        f"{BASE}/mine/{ledger.units['101'].pk}/statement/", {"year": year}
    )

    assert response.status_code == 400
    assert "year" in response.json()


@pytest.mark.parametrize("year", ["2000", "2100"])
def test_the_first_and_last_accepted_years(api, ledger, year):
    response = api.as_(ledger.users["甲"]).get(
        f"{BASE}/mine/{ledger.units['101'].pk}/statement/", {"year": year}
    )

    assert response.status_code == 200
    assert response.json()["closing_fen"] == (0 if year == "2000" else 668_905)


# --------------------------------------------------------------------------- areas


def test_committee_sees_its_areas_totals_and_counts(api, ledger, personas):
    response = api.as_(personas.committee).get(f"{BASE}/areas/a1/")

    body = response.json()
    assert response.status_code == 200
    assert body["area"] == {"code": "a1", "name": "甲一小区"}
    assert body["profile"] == {
        "regime": "bureau",
        "regime_label": "住建部门代管",
        "deposit_rate": "0.0500",
        "cost_per_m2_fen": 150_000,
        "cost_per_m2_yuan": "1500.00",
        "bank_name": "中国工商银行宿州分行",
        "account_no": "1317000000000000001",
    }
    totals = body["totals"]
    assert (totals["bank_fen"], totals["bank_yuan"]) == (1_164_467, "11644.67")
    assert totals["sub_ledgers_fen"] == totals["area_fund_fen"] == 1_164_467
    assert (totals["works_fen"], totals["payable_fen"], totals["other_bank_fen"]) == (0, 0, 0)
    assert body["balanced"] is True
    assert body["bank_statement"] is None
    assert (body["units"], body["unpaid"], body["top_up"]) == (4, 1, 1)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee", 200),
        ("street_officer", 200),
        ("community_officer", 200),
        ("reviewer", 200),
        ("other_committee", 404),
        ("other_street_officer", 404),
        ("owner", 403),
        ("property_staff", 403),
        ("outsider", 403),
    ],
)
def test_who_may_read_an_areas_fund(api, ledger, personas, persona, status):
    client = api.as_(getattr(personas, persona))
    assert client.get(f"{BASE}/areas/a1/").status_code == status
    assert client.get(f"{BASE}/areas/a1/units/").status_code == status


def test_an_approver_reads_areas_after_totp_only(api, ledger, personas):
    assert api.as_(personas.approver).get(f"{BASE}/areas/a1/").status_code == 403
    assert api.as_(personas.approver, otp=True).get(f"{BASE}/areas/a1/").status_code == 200


def test_area_endpoints_refuse_anonymous_and_unknown_areas(api, ledger, personas):
    assert api.as_(None).get(f"{BASE}/areas/a1/").status_code == 403
    assert api.as_(None).get(f"{BASE}/areas/a1/units/").status_code == 403
    assert api.as_(personas.reviewer).get(f"{BASE}/areas/nope/").status_code == 404
    assert api.as_(personas.reviewer).get(f"{BASE}/areas/nope/units/").status_code == 404


def test_area_units_with_first_deposit_paid_balance_and_flags(api, ledger, personas):
    rows = results(api.as_(personas.committee).get(f"{BASE}/areas/a1/units/"))

    assert [
        (
            r["code"].rsplit("-", 1)[-1],
            r["floor_area"],
            r["first_fen"],
            r["paid_fen"],
            r["outstanding_fen"],
            r["balance_fen"],
            r["paid_in_full"],
            r["top_up"],
        )
        for r in rows
    ] == [
        ("101", "89.50", 671_250, 681_250, 0, 668_905, True, False),
        ("102", "100.00", 750_000, 750_000, 0, 225_000, True, False),
        ("103", "120.25", 901_875, 901_875, 0, 270_562, True, True),
        ("901", "100.00", 750_000, 0, 750_000, 0, False, False),
    ]
    assert [r["balance_yuan"] for r in rows] == ["6689.05", "2250.00", "2705.62", "0.00"]
    assert rows[3]["outstanding_yuan"] == "7500.00"


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ({"unpaid": "true"}, ["901"]),
        ({"unpaid": "false"}, ["101", "102", "103"]),
        ({"top_up": "true"}, ["103"]),
        ({"top_up": "false"}, ["101", "102", "901"]),
        ({"top_up": "true", "unpaid": "true"}, []),
        ({"top_up": "1", "unpaid": "0"}, ["103"]),
    ],
)
def test_area_units_filter_unpaid_and_top_up(api, ledger, personas, query, numbers):
    rows = results(api.as_(personas.committee).get(f"{BASE}/areas/a1/units/", query))
    assert [r["code"].rsplit("-", 1)[-1] for r in rows] == numbers


def test_area_units_are_paginated(api, ledger, personas):
    client = api.as_(personas.committee)
    first = client.get(f"{BASE}/areas/a1/units/", {"page_size": 3}).json()
    last = client.get(f"{BASE}/areas/a1/units/", {"page_size": 3, "page": 2}).json()

    assert (first["count"], len(first["results"]), len(last["results"])) == (4, 3, 1)
    assert last["results"][0]["code"].endswith("901")


@pytest.mark.parametrize("query", [{"unpaid": "maybe"}, {"top_up": "2"}])
def test_bad_filters_are_a_400_not_a_500(api, ledger, personas, query):
    response = api.as_(personas.committee).get(f"{BASE}/areas/a1/units/", query)

    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_a_page_past_the_end_is_a_404_and_an_unreadable_page_size_the_default(
    api, ledger, personas
):
    client = api.as_(personas.committee)
    assert client.get(f"{BASE}/areas/a1/units/", {"page": 2}).status_code == 404
    assert client.get(f"{BASE}/areas/a1/units/", {"page": "x"}).status_code == 404
    assert len(results(client.get(f"{BASE}/areas/a1/units/", {"page_size": "x"}))) == 4


def test_an_area_without_deposit_terms_answers_with_nulls(api, district, personas):
    make_unit(district.a2, "301", registered="66.00")
    client = api.as_(personas.street_officer)

    body = client.get(f"{BASE}/areas/a2/").json()
    [row] = results(client.get(f"{BASE}/areas/a2/units/"))
    refused = client.get(f"{BASE}/areas/a2/units/", {"unpaid": "true"})

    assert (body["profile"], body["totals"], body["balanced"], body["unpaid"]) == (
        None,
        None,
        None,
        None,
    )
    assert body["units"] == 1
    assert (row["first_fen"], row["first_yuan"], row["balance_fen"], row["top_up"]) == (
        None,
        None,
        0,
        None,
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_profile"


def test_the_latest_bank_statement_is_checked_against_the_ledger(api, ledger, personas):
    statement = "\n".join(
        [
            "交易日期,借方金额,贷方金额,余额,流水号,对方户名,摘要",
            '2025-02-01,,100.00,"11,644.67",BANK-20250201-0001,王某,维修资金交存 101',
            '2025-02-10,5.00,,"11,639.67",2025021000001,中国工商银行宿州分行,账户管理费',
        ]
    )
    reconciliation_services.bank_statement_import(
        area=ledger.area,
        file=(statement + "\n").encode(),
        actor=personas.reviewer,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 2, 28),
    )

    body = api.as_(personas.committee).get(f"{BASE}/areas/a1/").json()

    check = body["bank_statement"]
    assert (check["day"], check["account_no"]) == ("2025-02-28", "1317000000000000001")
    assert (check["bank_fen"], check["ledger_fen"], check["difference_fen"]) == (
        1_163_967,
        1_164_467,
        -500,
    )
    assert check["difference_yuan"] == "-5.00"


# --------------------------------------------------------------------------- schema


def test_the_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))

    paths = yaml.safe_load(target.read_text())["paths"]
    for path in [
        "/api/v1/funds/mine/",
        "/api/v1/funds/mine/{unit_id}/entries/",
        "/api/v1/funds/mine/{unit_id}/statement/",
        "/api/v1/funds/areas/{code}/",
        "/api/v1/funds/areas/{code}/units/",
        "/api/v1/funds/applications/",
    ]:
        assert "get" in paths[path]
    names = {p["name"] for p in paths["/api/v1/funds/areas/{code}/units/"]["get"]["parameters"]}
    assert {"code", "unpaid", "top_up", "page", "page_size"} <= names


def test_real_answers_are_the_ones_the_schema_declares(api, ledger, personas, district):
    make_unit(district.a2, "301", registered="66.00")  # an area without deposit terms
    schema = load_schema()
    unit = ledger.units["101"].pk
    calls = [
        ("甲", "/mine/", f"{BASE}/mine/", {}),
        ("甲", "/mine/{unit_id}/entries/", f"{BASE}/mine/{unit}/entries/", {"page_size": 2}),
        ("甲", "/mine/{unit_id}/entries/", f"{BASE}/mine/{ledger.units['102'].pk}/entries/", {}),
        ("甲", "/mine/{unit_id}/statement/", f"{BASE}/mine/{unit}/statement/", {"year": 2024}),
        ("甲", "/mine/{unit_id}/statement/", f"{BASE}/mine/{unit}/statement/", {"year": "x"}),
        ("甲", "/areas/{code}/", f"{BASE}/areas/a1/", {}),
        ("street_officer", "/areas/{code}/", f"{BASE}/areas/a1/", {}),
        ("street_officer", "/areas/{code}/", f"{BASE}/areas/a2/", {}),
        ("street_officer", "/areas/{code}/units/", f"{BASE}/areas/a1/units/", {"top_up": "true"}),
        ("street_officer", "/areas/{code}/units/", f"{BASE}/areas/a2/units/", {}),
        ("street_officer", "/areas/{code}/units/", f"{BASE}/areas/a2/units/", {"unpaid": "1"}),
        ("other_street_officer", "/areas/{code}/units/", f"{BASE}/areas/a1/units/", {}),
    ]
    seen = set()
    for who, operation, path, query in calls:
        user = ledger.users.get(who) or getattr(personas, who)
        response = api.as_(user).get(path, query)
        conforms(schema, f"GET /api/v1/funds{operation}", response)
        seen.add(response.status_code)

    assert seen == {200, 400, 403, 404, 409}
