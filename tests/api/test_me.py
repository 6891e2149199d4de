"""GET /api/v1/me/: the caller, with a masked phone, and their roles with scopes."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.factories import grant

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/"


def test_an_owner_sees_their_masked_phone_and_their_area(api, personas, district):
    owner = personas.owner

    response = api.as_(owner).get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": owner.pk,
        "username": None,
        "display_name": "业主甲",
        "phone_masked": "138****0001",
        "roles": [
            {
                "role": "owner",
                "role_label": "业主",
                "scope": {"type": "area", "id": district.a1.pk, "code": "a1", "name": "甲一小区"},
                "granted_at": response.json()["roles"][0]["granted_at"],
            }
        ],
    }


def test_a_reviewer_has_a_district_wide_role_with_no_scope(api, personas):
    body = api.as_(personas.reviewer).get(URL).json()

    assert (body["username"], body["phone_masked"]) == ("reviewer", "")
    assert [(r["role"], r["scope"]) for r in body["roles"]] == [("bureau_reviewer", None)]


def test_every_role_a_user_holds_is_listed_with_its_scope(api, personas, district):
    user = personas.street_officer
    grant(user, Role.COMMUNITY_OFFICER, district.community_b1)
    grant(user, Role.PROPERTY_STAFF, district.company_q)

    roles = api.as_(user).get(URL).json()["roles"]

    assert [(r["role"], r["scope"]) for r in roles] == [
        (
            "street_officer",
            {"type": "street", "id": district.street_a.pk, "code": "SA", "name": "甲街道"},
        ),
        (
            "community_officer",
            {
                "type": "community",
                "id": district.community_b1.pk,
                "code": "CB1",
                "name": "乙一社区",
            },
        ),
        (
            "property_staff",
            {
                "type": "company",
                "id": district.company_q.pk,
                "code": None,
                "name": "乙物业服务有限公司",
            },
        ),
    ]


def test_a_user_without_roles_gets_an_empty_list(api, personas):
    assert api.as_(personas.outsider).get(URL).json()["roles"] == []


def test_anonymous_gets_403(api, db):
    response = api.as_(None).get(URL)

    assert response.status_code == 403
