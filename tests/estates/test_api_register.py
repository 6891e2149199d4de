"""Register API: buildings and units for staff within scope, "my units" for owners.

Out of scope is 404, a user without ``register.view`` 403; owners' ID numbers
and phones are masked in every response.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from .helpers import SECRET_ID, SECRET_PHONE, make_person, make_unit, own, sell

pytestmark = pytest.mark.django_db

BASE = "/api/v1/register"


@pytest.fixture
def api():
    client = APIClient()

    def as_(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    client.as_ = as_
    return client


@pytest.fixture
def units(district, personas):
    d = district
    zhang = make_person("张三", number=SECRET_ID, phone=SECRET_PHONE, user=personas.owner)
    li = make_person("李四")
    wang = make_person("王五")
    a1_101 = make_unit(d.a1, "101", registered="89.50", surveyed="90.10")
    a1_102 = make_unit(d.a1, "102", surveyed="78.72")
    a1_201 = make_unit(d.a1, "201", building="2栋", contract="120.30")
    b1_101 = make_unit(d.b1, "101")
    own(a1_101, zhang, li)
    own(a1_102, wang, since=date(2019, 6, 1))
    sell(a1_102, li, on=date(2024, 2, 29))
    own(b1_101, wang)
    return {"a1_101": a1_101, "a1_102": a1_102, "a1_201": a1_201, "b1_101": b1_101}


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


# --------------------------------------------------------------------------- buildings


def test_staff_list_the_buildings_of_an_area_in_scope(api, personas, units):
    response = api.as_(personas.street_officer).get(f"{BASE}/areas/a1/buildings/")

    assert response.status_code == 200
    assert [(b["name"], b["unit_count"]) for b in response.json()["results"]] == [
        ("1栋", 2),
        ("2栋", 1),
    ]


@pytest.mark.parametrize(
    ("persona", "code"),
    [("street_officer", "b1"), ("committee", "a2"), ("other_committee", "a1"), ("reviewer", "zz")],
)
def test_buildings_of_an_area_out_of_scope_are_404(api, personas, units, persona, code):
    response = api.as_(getattr(personas, persona)).get(f"{BASE}/areas/{code}/buildings/")

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["owner", "outsider", None])
def test_users_without_register_view_get_403(api, personas, units, persona):
    user = getattr(personas, persona) if persona else None
    client = api.as_(user)

    assert client.get(f"{BASE}/areas/a1/buildings/").status_code == 403
    assert client.get(f"{BASE}/areas/a1/units/").status_code == 403
    assert client.get(f"{BASE}/units/{units['a1_101'].pk}/").status_code == 403


# --------------------------------------------------------------------------- units


def test_the_unit_list_shows_areas_basis_and_masked_owners(api, personas, units):
    response = api.as_(personas.committee).get(f"{BASE}/areas/a1/units/")

    body = response.json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["code"] == "1栋-1单元-101"
    assert (first["registered_area"], first["surveyed_area"], first["contract_area"]) == (
        "89.50",
        "90.10",
        None,
    )
    assert (first["area_basis"], first["area_basis_label"], first["floor_area"]) == (
        "registered",
        "不动产登记面积",
        "89.50",
    )
    assert [(o["name"], o["masked_id"], o["masked_phone"]) for o in first["owners"]] == [
        ("张三", f"3413**********{SECRET_ID[-4:]}", "139****5678"),
        ("李四", first["owners"][1]["masked_id"], ""),
    ]


def test_the_clear_id_number_and_phone_are_in_no_api_response(api, personas, units):
    client = api.as_(personas.reviewer)
    bodies = [
        client.get(f"{BASE}/areas/a1/units/").content.decode(),
        client.get(f"{BASE}/areas/a1/units/", {"q": "张三"}).content.decode(),
        client.get(f"{BASE}/units/{units['a1_101'].pk}/").content.decode(),
        api.as_(personas.owner).get(f"{BASE}/my-units/").content.decode(),
    ]

    for text in bodies:
        assert "1栋-1单元-101" in text  # the response does describe 张三's unit
        assert SECRET_ID not in text
        assert SECRET_PHONE not in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"building": "2栋"}, ["2栋-1单元-201"]),
        ({"building": "1栋"}, ["1栋-1单元-101", "1栋-1单元-102"]),
        ({"q": "102"}, ["1栋-1单元-102"]),
        ({"q": "李四"}, ["1栋-1单元-101", "1栋-1单元-102"]),
        ({"q": "王五"}, []),  # sold 102 in 2024; owns only in b1
        ({"building": "1栋", "q": "张"}, ["1栋-1单元-101"]),
    ],
)
def test_units_filter_by_building_and_q(api, personas, units, query, expected):
    response = api.as_(personas.street_officer).get(f"{BASE}/areas/a1/units/", query)

    assert codes(response) == expected


def test_the_unit_list_is_paginated(api, personas, district):
    for n in range(1, 13):
        make_unit(district.a2, f"{n:03d}")

    response = api.as_(personas.street_officer).get(
        f"{BASE}/areas/a2/units/", {"page_size": 5, "page": 3}
    )

    assert response.json()["count"] == 12
    assert codes(response) == ["1栋-1单元-011", "1栋-1单元-012"]


def test_units_of_an_area_out_of_scope_are_404(api, personas, units):
    response = api.as_(personas.street_officer).get(f"{BASE}/areas/b1/units/")

    assert response.status_code == 404


def test_a_unit_shows_its_current_owners_and_its_history(api, personas, units):
    response = api.as_(personas.street_officer).get(f"{BASE}/units/{units['a1_102'].pk}/")

    body = response.json()
    assert body["area"]["code"] == "a1"
    assert [(o["name"], o["since"], o["until"]) for o in body["owners"]] == [
        ("李四", "2024-02-29", None)
    ]
    assert [(o["name"], o["since"], o["until"]) for o in body["history"]] == [
        ("王五", "2019-06-01", "2024-02-29")
    ]


@pytest.mark.parametrize(
    ("persona", "unit"), [("street_officer", "b1_101"), ("committee", "b1_101")]
)
def test_a_unit_out_of_scope_is_404(api, personas, units, persona, unit):
    response = api.as_(getattr(personas, persona)).get(f"{BASE}/units/{units[unit].pk}/")

    assert response.status_code == 404


# --------------------------------------------------------------------------- my units


def test_an_owner_gets_their_units_with_the_basis_used(api, personas, units):
    response = api.as_(personas.owner).get(f"{BASE}/my-units/")

    assert response.status_code == 200
    (unit,) = response.json()["results"]
    assert unit["code"] == "1栋-1单元-101"
    assert unit["basis_text"] == "按不动产登记面积 89.50 m²"
    assert (unit["area_basis"], unit["floor_area"]) == ("registered", "89.50")
    assert unit["co_owners"] == ["李四"]
    assert unit["area"]["code"] == "a1"
    assert unit["committee"] is None


def test_an_owner_without_a_linked_person_gets_an_empty_list(api, personas, units):
    response = api.as_(personas.other_owner).get(f"{BASE}/my-units/")

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("persona", ["street_officer", "reviewer", "committee", "outsider"])
def test_staff_get_403_on_my_units(api, personas, units, persona):
    response = api.as_(getattr(personas, persona)).get(f"{BASE}/my-units/")

    assert response.status_code == 403


# --------------------------------------------------------------------------- schema


def test_the_openapi_schema_of_these_views_generates_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(
        patterns=[path("api/v1/register/", include("estates.api_register"))]
    )

    schema = generator.get_schema(request=None, public=True)

    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache)
    assert sorted(schema["paths"]) == [
        "/api/v1/register/areas/{code}/buildings/",
        "/api/v1/register/areas/{code}/units/",
        "/api/v1/register/my-units/",
        "/api/v1/register/units/{id}/",
    ]
    unit_params = {
        p["name"]
        for p in schema["paths"]["/api/v1/register/areas/{code}/units/"]["get"]["parameters"]
    }
    assert unit_params == {"code", "building", "q", "page", "page_size"}
