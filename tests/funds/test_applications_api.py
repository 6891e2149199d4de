"""The use procedure's read API: scoped lists, one application, an owner's shares, the schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from funds.apportion import apportion

from .app_helpers import BUDGET, DEVELOPER_UNIT, estate_fixture, propose, put_to_vote  # noqa: F401

BASE = "/api/v1/funds"
AREAS = {
    "1栋-1单元-101": Decimal("89.50"),
    "1栋-1单元-102": Decimal("100.00"),
    "1栋-1单元-103": Decimal("120.25"),
    "1栋-1单元-104": Decimal("75.00"),
    DEVELOPER_UNIT: Decimal("100.00"),
}


def as_(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def voting_application(estate, personas):
    return put_to_vote(propose(estate, personas.property_staff), personas.committee)


def test_area_staff_list_their_area_s_applications(personas, voting_application):
    response = as_(personas.committee).get(f"{BASE}/applications/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == voting_application.pk
    assert row["budget_fen"] == BUDGET and row["budget_yuan"] == "100000.00"
    assert row["status"] == "voting"


@pytest.mark.parametrize("persona", ["other_committee", "other_owner", "outsider"])
def test_others_see_nothing_and_get_404_for_one(personas, voting_application, persona):
    client = as_(getattr(personas, persona))
    assert client.get(f"{BASE}/applications/").json()["results"] == []
    assert client.get(f"{BASE}/applications/{voting_application.pk}/").status_code == 404


def test_the_detail_gives_an_owner_their_own_estimate(estate, voting_application):
    response = as_(estate.register.user("丁")).get(f"{BASE}/applications/{voting_application.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert [i["amount_fen"] for i in body["items"]] == [BUDGET // 4, BUDGET - BUDGET // 4]
    assert body["my_estimate_fen"] == apportion(BUDGET, AREAS)["1栋-1单元-104"]


def test_my_shares_lists_the_estimate_of_an_application_being_voted(estate, voting_application):
    response = as_(estate.register.user("甲")).get(f"{BASE}/my-shares/")
    assert response.status_code == 200
    [line] = response.json()
    assert line["application"] == voting_application.pk
    assert line["estimated_fen"] == apportion(BUDGET, AREAS)["1栋-1单元-101"]
    assert line["share_fen"] is None


def test_anonymous_callers_are_refused(voting_application):
    assert APIClient().get(f"{BASE}/applications/").status_code in (401, 403)


# The lines the lead adds to SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (report).
ENUMS = {
    "FundApplicationStatusEnum": "funds.models.FundApplication.Status",
    "FundUseStatusEnum": "funds.models.FundUse.Status",
}


def test_the_openapi_schema_of_these_views_generates_without_warnings():
    from drf_spectacular.plumbing import _load_enum_name_overrides
    from drf_spectacular.settings import patched_settings, spectacular_settings

    overrides = {**spectacular_settings.ENUM_NAME_OVERRIDES, **ENUMS}
    GENERATOR_STATS.reset()
    _load_enum_name_overrides.cache_clear()
    try:
        with patched_settings({"ENUM_NAME_OVERRIDES": overrides}):
            generator = SchemaGenerator(
                patterns=[path("api/v1/funds/", include("funds.procedure.api_urls"))]
            )
            schema = generator.get_schema(request=None, public=True)
    finally:
        _load_enum_name_overrides.cache_clear()
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache)
    assert sorted(schema["paths"]) == [
        "/api/v1/funds/applications/",
        "/api/v1/funds/applications/{id}/",
        "/api/v1/funds/my-shares/",
    ]
