"""The bureau's audit pages: who may see them, what they show, and the filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, user):
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def seqs(response) -> list[int]:
    return [event.seq for event in response.context["events"]]


def test_a_bureau_reviewer_sees_the_events_newest_first(client, personas, record):
    events = record(3, actor=personas.committee)

    response = login(client, personas.reviewer).get(reverse("audit:events"))

    assert response.status_code == 200
    assert seqs(response) == [3, 2, 1]
    page = response.content.decode()
    assert events[2].hash[:12] in page
    assert "第3次变更" in page
    assert 'class="table-wrap"' in page


def test_the_list_shows_times_in_beijing_time(client, personas, append_at):
    append_at(datetime(2024, 4, 30, 16, 0, 5, tzinfo=UTC))

    response = login(client, personas.reviewer).get(reverse("audit:events"))

    assert "2024-05-01 00:00:05" in response.content.decode()


def test_a_committee_member_gets_403(client, personas):
    response = login(client, personas.committee).get(reverse("audit:events"))

    assert response.status_code == 403


def test_an_owner_gets_403_on_an_event_page(client, personas, record):
    record(1)

    response = login(client, personas.owner).get(reverse("audit:event", args=[1]))

    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    url = reverse("audit:events")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_the_list_is_paginated_by_fifty(client, personas, record):
    record(51)

    first = login(client, personas.reviewer).get(reverse("audit:events"))
    second = client.get(reverse("audit:events"), {"page": 2})

    assert (len(seqs(first)), seqs(first)[0]) == (50, 51)
    assert seqs(second) == [1]


@pytest.fixture
def mixed(personas, record):
    record(
        1, actor=personas.committee, action="ballot.cast", object_type="voting.ballot", object_id=7
    )
    record(
        1,
        actor=personas.reviewer,
        action="application.review",
        object_type="funds.application",
        object_id=7,
    )
    record(1, actor=personas.owner, action="ballot.cast", object_type="voting.ballot", object_id=8)
    record(1, actor=None, action="interest.post", object_type="funds.ledger", object_id=1)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "ballot.cast"}, [3, 1]),
        ({"action": "ballot."}, [3, 1]),
        ({"object_type": "funds.application"}, [2]),
        ({"object_id": "7"}, [2, 1]),
        ({"object_type": "voting.ballot", "object_id": "8"}, [3]),
        ({"actor": "committee_a1"}, [1]),  # username
        ({"actor": "业主甲"}, [3]),  # display name
        ({"actor": "system"}, [4]),
        ({"actor": "nobody"}, []),
    ],
)
def test_filters_narrow_the_list(client, personas, mixed, query, expected):
    response = login(client, personas.reviewer).get(reverse("audit:events"), query)

    assert seqs(response) == expected


@pytest.fixture
def around_midnight(append_at):
    # 2024-05-01 00:00 in Beijing is 2024-04-30 16:00 UTC.
    append_at(datetime(2024, 4, 30, 15, 59, 59, 999999, tzinfo=UTC))  # 30 April, Beijing
    append_at(datetime(2024, 4, 30, 16, 0, 0, tzinfo=UTC))  # 1 May, Beijing
    append_at(datetime(2024, 5, 1, 15, 59, 59, tzinfo=UTC))  # 1 May, Beijing
    append_at(datetime(2024, 5, 1, 16, 0, 0, tzinfo=UTC))  # 2 May, Beijing


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"date_from": "2024-05-01"}, [4, 3, 2]),
        ({"date_to": "2024-04-30"}, [1]),
        ({"date_from": "2024-05-01", "date_to": "2024-05-01"}, [3, 2]),
        ({"date_from": "2024-05-03"}, []),
    ],
)
def test_date_filters_use_beijing_dates(client, personas, around_midnight, query, expected):
    response = login(client, personas.reviewer).get(reverse("audit:events"), query)

    assert seqs(response) == expected


def test_a_bad_date_is_shown_as_an_error_and_does_not_filter(client, personas, record):
    record(2)

    response = login(client, personas.reviewer).get(reverse("audit:events"), {"date_from": "May"})

    assert response.status_code == 200
    assert seqs(response) == [2, 1]
    assert "date_from" in response.context["filter"].errors


def test_the_event_page_shows_every_field_and_the_full_hashes(client, personas, record):
    events = record(2, actor=personas.committee, before={"status": "draft"})
    event = events[1]

    response = login(client, personas.reviewer).get(reverse("audit:event", args=[2]))

    page = response.content.decode()
    assert response.status_code == 200
    for text in [
        event.hash,
        event.prev,
        events[0].hash,
        event.before_digest,
        event.after_digest,
        event.action,
        event.object_type,
        event.object_id,
        event.actor_label,
        "第2次变更",
    ]:
        assert text in page
    assert response.context["hash_ok"] is True
    assert response.context["link_ok"] is True


def test_an_unknown_event_is_404(client, personas):
    response = login(client, personas.reviewer).get(reverse("audit:event", args=[99]))

    assert response.status_code == 404
