"""Changing an id in the URL shows nothing of someone else's (issue #9 item 5): ballot
receipts, sub-ledgers (分户账) and resident ID numbers, on the pages and in the API.
Every refusal is paired with the owner's own view showing the same kind of thing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from estates.crypto import decrypt_id
from estates.models import Person
from tests.funds.conftest import build_fund

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --------------------------------------------------------------------------- receipts


def test_an_owner_sees_their_own_tracker_on_their_receipt(world):
    page = _as(world.user("甲")).get(reverse("voting:receipt", kwargs={"pk": world.assembly.pk}))

    assert page.status_code == 200
    assert world.online_ballot.tracker in page.content.decode()


def test_another_owner_of_the_area_opening_the_same_receipt_url_sees_no_one_elses_tracker(
    world,
):
    url = reverse("voting:receipt", kwargs={"pk": world.assembly.pk})

    # 丙 has not voted: sent to the ballot page; 乙 voted on paper: only his own receipt.
    for name, own in (("丙", None), ("乙", world.paper_ballot)):
        response = _as(world.user(name)).get(url, follow=True)
        text = response.content.decode()
        assert world.online_ballot.tracker not in text, name
        assert own is None or own.tracker in text


def test_an_owner_of_another_area_cannot_open_the_receipt_page_of_this_assembly(world):
    response = _as(world.user("庚")).get(
        reverse("voting:receipt", kwargs={"pk": world.assembly.pk})
    )

    assert response.status_code in (403, 404)
    assert world.online_ballot.tracker not in response.content.decode()


def test_my_ballots_in_the_api_are_only_mine_whatever_assembly_is_asked(world):
    trackers = {}
    for name in ("甲", "丙", "庚"):
        for assembly in (world.assembly, world.other_assembly):
            response = _api(world.user(name)).get(
                "/api/v1/ballots/mine/", {"assembly": assembly.pk}
            )
            assert response.status_code == 200
            trackers.setdefault(name, set()).update(
                row["tracker"] for row in response.json()["results"]
            )

    assert trackers == {
        "甲": {world.online_ballot.tracker},
        "丙": set(),
        "庚": {world.other_ballot.tracker},
    }


# --------------------------------------------------------------------------- sub-ledgers


@pytest.fixture
def fund(district):
    """Area a2: 甲 owns 101, 乙 owns 102, each with a first deposit (tests/funds/conftest.py)."""
    built = build_fund(district.a2, prefix="137")
    built.deposit("101", 671250)
    built.deposit("102", 750000)
    return built


@pytest.mark.parametrize("route", ["funds:unit_ledger", "funds:unit_ledger_csv"])
def test_an_owner_reads_their_own_sub_ledger(fund, route):
    response = _as(fund.users["甲"]).get(reverse(route, kwargs={"pk": fund.units["101"].pk}))

    assert response.status_code == 200
    assert "6,712.50" in response.content.decode() or "6712.50" in response.content.decode()


@pytest.mark.parametrize("route", ["funds:unit_ledger", "funds:unit_ledger_csv"])
def test_an_owner_changing_the_unit_id_gets_404_for_a_neighbours_sub_ledger(fund, route):
    response = _as(fund.users["乙"]).get(reverse(route, kwargs={"pk": fund.units["101"].pk}))

    assert response.status_code == 404
    assert "6712.50" not in response.content.decode()
    assert "6,712.50" not in response.content.decode()


def test_an_owners_list_of_sub_ledgers_names_only_their_units(fund):
    page = _as(fund.users["乙"]).get(reverse("funds:mine")).content.decode()

    assert reverse("funds:unit_ledger", kwargs={"pk": fund.units["102"].pk}) in page
    assert reverse("funds:unit_ledger", kwargs={"pk": fund.units["101"].pk}) not in page


# --------------------------------------------------------------------------- ID numbers


def _clear_ids() -> list[str]:
    return [decrypt_id(p.id_encrypted) for p in Person.objects.all()]


def test_no_page_or_api_answer_an_owner_can_reach_shows_a_clear_id_number(world):
    owner = world.user("甲")
    unit = world.unit("甲")
    client, api = _as(owner), _api(owner)
    answers = [
        client.get(reverse("estates:my_units")),
        client.get(reverse("voting:receipt", kwargs={"pk": world.assembly.pk})),
        client.get(reverse("voting:mine")),
        api.get("/api/v1/register/my-units/"),
        api.get("/api/v1/me/"),
        api.get(f"/api/v1/assemblies/{world.assembly.pk}/"),
    ]

    assert [a.status_code for a in answers] == [200] * len(answers)
    assert unit.number in answers[0].content.decode()
    texts = [a.content.decode() for a in answers]
    assert [n for n in _clear_ids() if any(n in t for t in texts)] == []


def test_an_owner_changing_the_unit_id_cannot_open_a_unit_page_or_api_record(world):
    owner = world.user("甲")
    others = [world.unit("乙"), world.unit("庚")]

    for unit in others:
        page = _as(owner).get(reverse("estates:unit", kwargs={"pk": unit.pk}))
        api = _api(owner).get(f"/api/v1/register/units/{unit.pk}/")
        assert (page.status_code in (403, 404), api.status_code in (403, 404)) == (True, True)
        for text in (page.content.decode(), api.content.decode()):
            assert [n for n in _clear_ids() if n in text] == []


def test_staff_who_may_read_the_register_see_id_numbers_masked_only(world):
    unit = world.unit("甲")
    person = world.a1.person("甲")
    clear = decrypt_id(person.id_encrypted)

    page = _as(world.personas.committee).get(reverse("estates:unit", kwargs={"pk": unit.pk}))
    api = _api(world.personas.committee).get(f"/api/v1/register/units/{unit.pk}/")

    assert (page.status_code, api.status_code) == (200, 200)
    for text in (page.content.decode(), api.content.decode()):
        assert person.masked_id in text
        assert clear not in text
