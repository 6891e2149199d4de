"""The area ledger's unit list (issue 16 item 11): natural order, 50 a page, search by unit
code and building, and a query count that does not grow with the number of units."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.estates.helpers import add_units

pytestmark = pytest.mark.django_db


def shown(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<tr data-unit="([^"]+)"', response.content.decode())


def ledger(client, personas, **params):
    client.force_login(personas.committee)
    return client.get(reverse("funds:area_ledger", args=["a1"]), params)


def test_units_are_listed_in_natural_order(client, fund, personas):
    # The fund has 1栋-1单元-101/102/103 and 9栋-1单元-901.
    add_units(fund.area, "10栋", 2)
    add_units(fund.area, "2栋", 2)
    codes = shown(ledger(client, personas))
    assert codes == [
        "1栋-1单元-101",
        "1栋-1单元-102",
        "1栋-1单元-103",
        "2栋-1单元-1",
        "2栋-1单元-2",
        "9栋-1单元-901",
        "10栋-1单元-1",
        "10栋-1单元-2",
    ]


def test_fifty_units_a_page_and_the_last_page_holds_the_rest(client, fund, personas):
    add_units(fund.area, "2栋", 97)  # 4 + 97 = 101 units: pages of 50, 50, 1
    assert len(shown(ledger(client, personas))) == 50
    assert len(shown(ledger(client, personas, page=2))) == 50
    last = shown(ledger(client, personas, page=3))
    assert last == ["9栋-1单元-901"]
    # A page past the end shows the last page, never an error.
    assert shown(ledger(client, personas, page=99)) == last


def test_search_by_unit_code_finds_only_matching_units(client, fund, personas):
    add_units(fund.area, "2栋", 12)
    response = ledger(client, personas, q="2栋-1单元-1")
    # 2栋-1单元-1 and 2栋-1单元-10, -11, -12 (contains), not 2栋-1单元-2.
    assert shown(response) == ["2栋-1单元-1", "2栋-1单元-10", "2栋-1单元-11", "2栋-1单元-12"]
    assert 'data-found="4"' in response.content.decode()
    assert shown(ledger(client, personas, q="no-such-unit")) == []


def test_building_filter_lists_that_building_only(client, fund, personas):
    add_units(fund.area, "10栋", 3)
    response = ledger(client, personas, building="10栋")
    assert shown(response) == ["10栋-1单元-1", "10栋-1单元-2", "10栋-1单元-3"]
    # The building selector lists the buildings in natural order.
    body = response.content.decode()
    options = re.findall(r'<option value="(\d+栋)"', body)
    assert options == ["1栋", "9栋", "10栋"]


def test_an_unknown_building_is_ignored_not_an_error(client, fund, personas):
    assert len(shown(ledger(client, personas, building="<b>99栋</b>"))) == 4


def test_filters_combine_and_the_pager_keeps_them(client, fund, personas):
    add_units(fund.area, "2栋", 120)
    response = ledger(client, personas, building="2栋", q="2栋-1单元-1")
    # 1, 10-19, 100-120: 1 + 10 + 21 = 32 units, one page.
    assert len(shown(response)) == 32
    response = ledger(client, personas, building="2栋", show="unpaid")
    assert len(shown(response)) == 50
    assert "show=unpaid&amp;building=2%E6%A0%8B&amp;page=2" in response.content.decode()


def _queries(client, personas) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert ledger(client, personas).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_number_of_units(client, fund, personas):
    add_units(fund.area, "2栋", 6)  # 10 units
    _queries(client, personas)  # the first request of a session reads the login once more
    few = _queries(client, personas)
    add_units(fund.area, "3栋", 90)  # 100 units
    many = _queries(client, personas)
    assert few == many
    assert many <= 16
