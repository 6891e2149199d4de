"""HTML in text fields is shown as text everywhere (issue #9 item 4).

``<script>`` and an attribute-breaking payload are stored through the services a
person would use — assembly and motion titles, revenue counterparties and memos,
area, company, committee-member and owner names, problem ledger text — and every
page that shows them is read back: the payload appears escaped, never as markup.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from estates.models import Committee, CommitteeMember
from estates.services.committees import committee_create, committee_member_add
from estates.services.records import area_update, company_create
from revenue import services as revenue_services
from tests.estates.helpers import valid_uscc
from tests.voting.conftest import build_register, make_assembly, open_assembly
from voting import services as voting_services

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(2)>'
PAYLOAD = SCRIPT + ATTRIBUTE
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def stored(personas, district):
    """The payload in every kind of free text, each through its service."""
    a1 = district.a1
    register = build_register(a1, [("甲" + PAYLOAD, ["89.50"]), ("乙", ["100.00"])])
    owner = register.owners["甲" + PAYLOAD].user
    area_update(
        area=a1,
        actor=personas.reviewer,
        name="甲一小区" + PAYLOAD,
        estate_name=PAYLOAD,
        boundaries=PAYLOAD,
        service_form=a1.service_form,
        committee_status=a1.committee_status,
        party_coverage=a1.party_coverage,
        property_company=a1.property_company,
        project_manager=PAYLOAD[:50],
        fee_collection_rate=None,
    )
    company_create(actor=personas.reviewer, name="物业" + PAYLOAD, uscc=valid_uscc(9_000_077))
    committee = committee_create(
        area=a1, actor=personas.reviewer, kind=Committee.Kind.OWNERS, term_start=date(2024, 1, 1)
    )
    committee_member_add(
        committee=committee,
        actor=personas.reviewer,
        name=PAYLOAD[:30],
        position=CommitteeMember.Position.values[-1],
    )
    assembly = open_assembly(
        make_assembly(
            a1,
            personas.committee,
            title="会议" + PAYLOAD,
            motions=({"title": "议题" + PAYLOAD, "item": 4, "description": PAYLOAD},),
        ),
        personas.committee,
    )
    voting_services.ballot_cast(assembly=assembly, choices={"m1": "approve"}, actor=owner)
    revenue_services.revenue_entry_record(
        area=a1,
        direction="income",
        category="parking",
        amount_fen=1000,
        occurred_on=date(2025, 2, 10),
        counterparty="单位" + PAYLOAD,
        memo=PAYLOAD,
        actor=personas.committee,
    )
    return {
        "owner": owner,
        "assembly": assembly,
        "committee": committee,
        "unit": register.owners["甲" + PAYLOAD].units[0],
    }


def _pages(stored, personas):
    pk = stored["assembly"].pk
    owner, committee, reviewer = stored["owner"], personas.committee, personas.reviewer
    return {
        "my assemblies": (owner, reverse("voting:mine")),
        "ballot receipt": (owner, reverse("voting:receipt", kwargs={"pk": pk})),
        "progress": (owner, reverse("voting:progress", kwargs={"pk": pk})),
        "my units": (owner, reverse("estates:my_units")),
        "manage detail": (committee, reverse("voting:manage_detail", kwargs={"pk": pk})),
        "manage ballots": (committee, reverse("voting:manage_ballots", kwargs={"pk": pk})),
        "revenue ledger": (
            committee,
            reverse("revenue:ledger", kwargs={"code": "a1"}) + "?year=2025&quarter=1",
        ),
        "area": (reviewer, reverse("estates:area", kwargs={"code": "a1"})),
        "unit": (committee, reverse("estates:unit", kwargs={"pk": stored["unit"].pk})),
        "companies": (reviewer, reverse("estates:companies")),
        "committee": (
            reviewer,
            reverse("estates:committee", kwargs={"pk": stored["committee"].pk}),
        ),
        "audit log": (reviewer, reverse("audit:events")),
    }


def test_html_stored_in_any_text_field_is_escaped_on_every_page_that_shows_it(stored, personas):
    raw, unshown = [], []
    for name, (user, url) in _pages(stored, personas).items():
        response = _as(user).get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        text = response.content.decode()
        if SCRIPT in text or "<img src=x" in text:
            raw.append(name)
        if ESCAPED not in text:
            unshown.append(name)

    assert raw == []
    # Each page did show the stored text (escaped), so the check above looked at it.
    assert unshown == []


def test_the_api_returns_stored_html_as_json_text_not_as_a_page(stored, personas):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(stored["owner"])

    response = api.get(f"/api/v1/assemblies/{stored['assembly'].pk}/")

    assert response["Content-Type"].startswith("application/json")
    assert response.json()["title"] == "会议" + PAYLOAD
