"""GET /api/v1/audit/events/: bureau roles only, newest first, the page's filters."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.services import audit_record

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/events/"


@pytest.fixture
def events(personas):
    made = []
    for actor, action, object_type, object_id in [
        (personas.committee, "ballot.cast", "voting.ballot", 7),
        (personas.reviewer, "application.review", "funds.application", 7),
        (None, "interest.post", "funds.ledger", 1),
    ]:
        with transaction.atomic():
            made.append(
                audit_record(
                    actor=actor,
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    summary={"说明": action},
                )
            )
    return made


def seqs(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["seq"] for row in response.json()["results"]]


@pytest.mark.parametrize("persona", ["reviewer", "approver", "admin"])
def test_bureau_roles_list_the_events_newest_first(api, personas, events, persona):
    assert seqs(api.as_(getattr(personas, persona)).get(URL)) == [3, 2, 1]


def test_an_event_carries_its_chain_fields(api, personas, events):
    row = api.as_(personas.reviewer).get(URL).json()["results"][-1]

    assert row == {
        "seq": 1,
        "at": row["at"],
        "actor": personas.committee.pk,
        "actor_label": str(personas.committee),
        "action": "ballot.cast",
        "object_type": "voting.ballot",
        "object_id": "7",
        "before_digest": "",
        "after_digest": "",
        "summary": {"说明": "ballot.cast"},
        "prev": "0" * 64,
        "hash": events[0].hash,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "ballot.cast"}, [1]),
        ({"object_type": "funds.ledger"}, [3]),
        ({"object_id": "7"}, [2, 1]),
        ({"actor": "reviewer"}, [2]),
        ({"actor": "system"}, [3]),
        ({"date_from": "2000-01-01", "date_to": "2000-01-01"}, []),
    ],
)
def test_the_list_filters_like_the_page(api, personas, events, query, expected):
    assert seqs(api.as_(personas.reviewer).get(URL, query)) == expected


def test_a_bad_date_is_a_400_naming_the_field(api, personas, events):
    response = api.as_(personas.reviewer).get(URL, {"date_to": "yesterday"})

    assert response.status_code == 400
    assert list(response.json()) == ["date_to"]


def test_one_event_by_seq(api, personas, events):
    response = api.as_(personas.reviewer).get(f"{URL}2/")

    assert (response.status_code, response.json()["hash"]) == (200, events[1].hash)


@pytest.mark.parametrize(
    "persona", ["owner", "committee", "property_staff", "street_officer", "outsider"]
)
def test_everyone_outside_the_bureau_gets_403(api, personas, events, persona):
    assert api.as_(getattr(personas, persona)).get(URL).status_code == 403


def test_anonymous_gets_403(api, events):
    assert api.as_(None).get(URL).status_code == 403


def test_the_api_offers_no_way_to_write(api, personas, events):
    client = api.as_(personas.admin)

    assert client.post(URL, {"action": "x"}).status_code == 405
    assert client.delete(f"{URL}1/").status_code == 405
