"""The fund's pages: owners see their own sub-ledgers only; area pages stay within scope."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from funds.ledger import services
from tests.estates.helpers import make_person, sell


@pytest.fixture
def posted(fund):
    fund.deposit("101", 671_250, on=date(2024, 1, 10))
    services.transaction_post(
        kind="settlement",
        lines=[(fund.sub("101"), 12_345), (fund.account("works"), -12_345)],
        memo='=HYPERLINK("http://x") 屋面防水分摊',
        key="s1",
        actor=None,
        value_date=date(2024, 3, 1),
    )
    fund.deposit("102", 750_000)
    return fund


def test_owner_sees_each_entry_with_the_running_balance(client, posted):
    client.force_login(posted.users["甲"])
    response = client.get(reverse("funds:unit_ledger", args=[posted.units["101"].pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "+6,712.50" in page
    assert "-123.45" in page
    assert "6,589.05" in page  # 6,712.50 − 123.45
    assert "首期应交存" in page


def test_owner_list_shows_balances_and_the_notice_list(client, posted):
    client.force_login(posted.users["甲"])
    page = client.get(reverse("funds:mine")).content.decode()
    assert "6,589.05" in page
    assert "+6,712.50" in page and "-123.45" in page
    assert "7,500.00" not in page  # 102 is 乙's


def test_owner_gets_404_for_another_owners_unit(client, posted):
    client.force_login(posted.users["甲"])
    for name in ("funds:unit_ledger", "funds:unit_ledger_csv"):
        assert client.get(reverse(name, args=[posted.units["102"].pk])).status_code == 404


def test_owner_of_another_area_gets_404(client, posted, personas):
    client.force_login(personas.other_owner)
    assert (
        client.get(reverse("funds:unit_ledger", args=[posted.units["101"].pk])).status_code == 404
    )


def test_seller_loses_and_buyer_gains_the_sub_ledger_with_its_history(client, posted):
    from tests.funds.conftest import bound_owner

    buyer = make_person("买受人", phone="13700000001")
    buyer_user = bound_owner(buyer, posted.area)
    sell(posted.units["101"], buyer, on=date(2024, 6, 1))
    url = reverse("funds:unit_ledger", args=[posted.units["101"].pk])

    client.force_login(posted.users["甲"])
    assert client.get(url).status_code == 404
    client.force_login(buyer_user)
    page = client.get(url).content.decode()
    assert "+6,712.50" in page and "6,589.05" in page


def test_csv_download_has_every_entry_and_neutralises_formulas(client, posted):
    client.force_login(posted.users["甲"])
    response = client.get(reverse("funds:unit_ledger_csv", args=[posted.units["101"].pk]))

    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "记账日期"
    assert [r[0] for r in rows[1:]] == ["2024-01-10", "2024-03-01"]
    assert [(r[4], r[5]) for r in rows[1:]] == [("6712.50", "6712.50"), ("-123.45", "6589.05")]
    assert rows[2][3].startswith("'=HYPERLINK")


def test_staff_cannot_open_the_owner_pages(client, posted, personas):
    client.force_login(personas.committee)
    assert client.get(reverse("funds:mine")).status_code == 403


def test_anonymous_is_sent_to_login(client, posted):
    response = client.get(reverse("funds:mine"))
    assert response.status_code == 302


# --- area ledger ---------------------------------------------------------------------------


def test_committee_sees_its_area_totals_and_flags(client, posted, personas):
    client.force_login(personas.committee)
    page = client.get(reverse("funds:area_ledger", args=["a1"])).content.decode()

    assert "14,089.05" in page  # sub-ledgers: 6,588.05 + 7,500.00
    assert "未交足首期（2）" in page  # 103 and 901
    assert "应续交（0）" in page


def test_area_ledger_filters_units_not_paid(client, posted, personas):
    client.force_login(personas.committee)
    page = client.get(reverse("funds:area_ledger", args=["a1"]), {"show": "unpaid"})
    text = page.content.decode()
    assert "1栋-1单元-103" in text and "9栋-1单元-901" in text
    assert "1栋-1单元-102" not in text


def test_committee_of_another_area_gets_404(client, posted, personas):
    client.force_login(personas.other_committee)
    assert client.get(reverse("funds:area_ledger", args=["a1"])).status_code == 404


@pytest.mark.parametrize("who", ["street_officer", "community_officer", "reviewer"])
def test_officers_and_bureau_in_scope_see_the_area(client, posted, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("funds:area_ledger", args=["a1"])).status_code == 200


def test_owner_cannot_open_the_area_ledger(client, posted):
    client.force_login(posted.users["甲"])
    assert client.get(reverse("funds:area_ledger", args=["a1"])).status_code == 403


def test_the_areas_list_shows_only_areas_in_scope(client, posted, personas):
    client.force_login(personas.other_street_officer)
    page = client.get(reverse("funds:areas")).content.decode()
    assert "乙一小区" in page and "甲一小区" not in page


def test_an_area_without_a_fund_profile_says_so(client, district, personas):
    client.force_login(personas.committee)
    page = client.get(reverse("funds:area_ledger", args=["a1"])).content.decode()
    assert "尚未设置维修资金" in page


def test_owner_sees_the_units_annual_figures_for_the_chosen_year(client, posted):
    client.force_login(posted.users["甲"])
    url = reverse("funds:unit_ledger", args=[posted.units["101"].pk])

    page = client.get(url, {"year": "2024"}).content.decode()
    card = page[page.index('data-statement-year="2024"') :]
    cells = card.split('class="num nowrap">')[1:9]
    figures = [cell.removeprefix("<strong>").split("<")[0] for cell in cells]
    # Opening, deposits, interest, returns, uses, refunds, adjustments, closing (RULES.md §4).
    assert figures == ["0.00", "6,712.50", "0.00", "0.00", "123.45", "0.00", "0.00", "6,589.05"]


def test_a_year_outside_the_ledger_shows_zeros_and_bad_input_falls_back(client, posted):
    client.force_login(posted.users["甲"])
    url = reverse("funds:unit_ledger", args=[posted.units["101"].pk])
    assert 'data-statement-year="2023"' in client.get(url, {"year": "2023"}).content.decode()
    for bad in ("abc", "99999", "-1"):
        page = client.get(url, {"year": bad}).content.decode()
        assert 'data-statement-year="' in page
