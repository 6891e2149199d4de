"""Buildings and units of the register in natural order (issue 16 item 11): "1栋, 2栋,
10栋", on every page and picker that lists them, with a query count that does not grow."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estates.browse import buildings_with_counts

from .helpers import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def blocks(district):
    for building in ("10栋", "1栋", "2栋"):
        for number in ("1001", "201", "101"):
            make_unit(district.a1, number, building=building)
    return district.a1


def codes(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'href="/estates/units/\d+/">([^<]+)</a>', response.content.decode())


def test_the_area_page_lists_buildings_1_2_10(client, personas, blocks):
    client.force_login(personas.committee)
    body = client.get(reverse("estates:area", args=[blocks.code])).content.decode()
    names = re.findall(r'href="/estates/buildings/\d+/">([^<]+)</a>', body)
    assert names == ["1栋", "2栋", "10栋"]
    assert [b.name for b in buildings_with_counts(blocks)] == ["1栋", "2栋", "10栋"]


def test_the_building_page_lists_units_101_201_1001(client, personas, blocks):
    client.force_login(personas.committee)
    building = blocks.buildings.get(name="10栋")
    assert codes(client.get(reverse("estates:building", args=[building.pk]))) == [
        "10栋-1单元-101",
        "10栋-1单元-201",
        "10栋-1单元-1001",
    ]


def test_search_results_come_in_natural_order_across_buildings(client, personas, blocks):
    client.force_login(personas.committee)
    found = codes(client.get(reverse("estates:search"), {"q": "单元-101"}))
    assert found == ["1栋-1单元-101", "2栋-1单元-101", "10栋-1单元-101"]


def test_natural_order_holds_across_pages(client, personas, district):
    for n in range(1, 61):
        make_unit(district.a1, str(n), building="3栋")
    client.force_login(personas.committee)
    building = district.a1.buildings.get(name="3栋")
    url = reverse("estates:building", args=[building.pk])
    first, second = codes(client.get(url)), codes(client.get(url, {"page": 2}))
    assert first[:3] == ["3栋-1单元-1", "3栋-1单元-2", "3栋-1单元-3"]
    assert first[-1] == "3栋-1单元-50"
    assert second == [f"3栋-1单元-{n}" for n in range(51, 61)]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_building_page_queries_do_not_grow_with_units(client, personas, district):
    for n in range(1, 11):
        make_unit(district.a1, str(n), building="5栋")
    client.force_login(personas.committee)
    url = reverse("estates:building", args=[district.a1.buildings.get(name="5栋").pk])
    _queries(client, url)
    few = _queries(client, url)
    for n in range(11, 101):
        make_unit(district.a1, str(n), building="5栋")
    assert _queries(client, url) == few


def test_the_emergency_scope_picker_lists_buildings_1_2_10(client, personas, blocks):
    client.force_login(personas.committee)
    response = client.get(reverse("emergency:apply", args=[blocks.code]))
    assert response.status_code == 200
    choices = [name for name, _label in response.context["form"].fields["scope_buildings"].choices]
    assert choices == ["1栋", "2栋", "10栋"]
