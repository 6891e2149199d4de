"""The register API: every persona sees exactly the areas and streets of their scope.

a1, a2 lie in street A (community A1), b1 in street B; company P serves a1 and a2.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

AREAS = "/api/v1/areas/"
STREETS = "/api/v1/streets/"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("street_officer", ["a1", "a2"]),
        ("other_street_officer", ["b1"]),
        ("community_officer", ["a1", "a2"]),
        ("committee", ["a1"]),
        ("other_committee", ["b1"]),
        ("property_staff", ["a1", "a2"]),
        ("reviewer", ["a1", "a2", "b1"]),
        ("approver", ["a1", "a2", "b1"]),
        ("admin", ["a1", "a2", "b1"]),
    ],
)
def test_the_area_list_holds_exactly_the_areas_in_scope(api, personas, persona, expected):
    assert codes(api.as_(getattr(personas, persona)).get(AREAS)) == expected


@pytest.mark.parametrize("persona", ["owner", "other_owner", "outsider"])
def test_users_without_register_view_get_403_on_areas(api, personas, persona):
    response = api.as_(getattr(personas, persona)).get(AREAS)

    assert response.status_code == 403


def test_anonymous_gets_403_on_areas(api, db):
    assert api.as_(None).get(AREAS).status_code == 403


def test_an_area_in_scope_is_shown_with_its_register_fields(api, personas, district):
    response = api.as_(personas.street_officer).get(f"{AREAS}a1/")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "a1"
    assert body["name"] == "甲一小区"
    assert body["street"] == {"id": district.street_a.pk, "code": "SA", "name": "甲街道"}
    assert body["community"] == {"id": district.community_a1.pk, "code": "CA1", "name": "甲一社区"}
    assert (body["committee_status"], body["committee_status_label"]) == (1, "业委会")
    assert body["property_company"]["name"] == "甲物业服务有限公司"


@pytest.mark.parametrize(("persona", "code"), [("street_officer", "b1"), ("committee", "a2")])
def test_an_area_outside_scope_is_404(api, personas, persona, code):
    response = api.as_(getattr(personas, persona)).get(f"{AREAS}{code}/")

    assert response.status_code == 404


def test_an_owner_gets_403_on_an_area_even_their_own(api, personas):
    assert api.as_(personas.owner).get(f"{AREAS}a1/").status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"street": "SA"}, ["a1", "a2"]),
        ({"street": "SB"}, ["b1"]),
        ({"community": "CA1"}, ["a1", "a2"]),
        ({"committee_status": 3}, ["a2"]),
        ({"committee_status": 2}, ["b1"]),
        ({"street": "SA", "committee_status": 1}, ["a1"]),
        ({"street": "nowhere"}, []),
    ],
)
def test_area_filters(api, personas, query, expected):
    assert codes(api.as_(personas.reviewer).get(AREAS, query)) == expected


def test_filters_never_widen_the_scope(api, personas):
    assert codes(api.as_(personas.street_officer).get(AREAS, {"street": "SB"})) == []


def test_an_unknown_committee_status_is_a_400_naming_the_field(api, personas):
    response = api.as_(personas.reviewer).get(AREAS, {"committee_status": 9})

    assert response.status_code == 400
    assert list(response.json()) == ["committee_status"]


def test_the_list_is_paginated(api, personas):
    body = api.as_(personas.reviewer).get(AREAS, {"page_size": 2}).json()

    assert (body["count"], len(body["results"]), body["next"] is not None) == (3, 2, True)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("street_officer", ["SA"]),
        ("other_street_officer", ["SB"]),
        ("committee", ["SA"]),
        ("other_committee", ["SB"]),
        ("property_staff", ["SA"]),
        ("reviewer", ["SA", "SB"]),
    ],
)
def test_the_street_list_holds_the_streets_in_scope(api, personas, persona, expected):
    assert codes(api.as_(getattr(personas, persona)).get(STREETS)) == expected


def test_an_owner_gets_403_on_streets(api, personas):
    assert api.as_(personas.owner).get(STREETS).status_code == 403


def test_a_street_outside_scope_is_404(api, personas):
    assert api.as_(personas.street_officer).get(f"{STREETS}SB/").status_code == 404


@pytest.mark.parametrize(("persona", "code"), [("committee", "SA"), ("reviewer", "SB")])
def test_a_street_in_the_list_can_be_opened(api, personas, persona, code):
    response = api.as_(getattr(personas, persona)).get(f"{STREETS}{code}/")

    assert (response.status_code, response.json()["code"]) == (200, code)


def test_an_approver_who_has_not_passed_totp_gets_403_otp_required(api, personas):
    response = api.as_(personas.approver, otp=False).get(AREAS)

    assert (response.status_code, response.json()["code"]) == (403, "otp_required")
