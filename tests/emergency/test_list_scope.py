"""Every list page of emergency/ against docs/permissions.md "角色与范围": each role sees
the rows in its scope and none outside it (issue 16 item 5: the property company saw no
application of an area it serves when the area's committee had filed it).

a1 (committee, company P): filed by its committee; a2 (no committee, company P): filed
by P's staff; b1 (interim committee, company Q, street B): filed by its own committee.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.emergency.conftest import file_application

# persona -> (areas whose application it sees, areas whose application it must not see)
SCOPES = {
    "committee": ({"a1"}, {"a2", "b1"}),
    "property_staff": ({"a1", "a2"}, {"b1"}),  # the areas company P serves, committee or not
    "street_officer": ({"a1", "a2"}, {"b1"}),
    "community_officer": ({"a1", "a2"}, {"b1"}),
    "other_street_officer": ({"b1"}, {"a1", "a2"}),
    "other_committee": ({"b1"}, {"a1", "a2"}),
    "reviewer": ({"a1", "a2", "b1"}, set()),
    "approver": ({"a1", "a2", "b1"}, set()),
    "admin": ({"a1", "a2", "b1"}, set()),
}


@pytest.fixture
def applications(estate, personas):
    return {
        "a1": file_application(personas.committee, estate.a1),
        "a2": file_application(personas.property_staff, estate.a2),
        "b1": file_application(personas.other_committee, estate.b1),
    }


def _login(client, user, login_with_totp):
    login_with_totp(client, user)


@pytest.mark.parametrize("persona", sorted(SCOPES))
def test_the_application_list_shows_each_role_its_scope_and_nothing_else(
    client, personas, applications, login_with_totp, persona
):
    _login(client, getattr(personas, persona), login_with_totp)
    response = client.get(reverse("emergency:index"))
    assert response.status_code == 200
    page = response.content.decode()
    sees, not_sees = SCOPES[persona]
    for code in sees:
        assert reverse("emergency:detail", args=[applications[code].pk]) in page, code
    for code in not_sees:
        assert reverse("emergency:detail", args=[applications[code].pk]) not in page, code


def test_the_property_company_opens_the_committee_filed_application_of_an_area_it_serves(
    client, personas, applications
):
    client.force_login(personas.property_staff)
    assert client.get(reverse("emergency:detail", args=[applications["a1"].pk])).status_code == 200
    assert client.get(reverse("emergency:detail", args=[applications["b1"].pk])).status_code == 404


@pytest.mark.parametrize(
    "persona", ["street_officer", "community_officer", "other_street_officer", "reviewer"]
)
def test_the_dashboard_shows_each_overseer_its_scope_and_nothing_else(
    client, personas, applications, login_with_totp, persona
):
    _login(client, getattr(personas, persona), login_with_totp)
    response = client.get(reverse("emergency:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    sees, not_sees = SCOPES[persona]
    for code in sees:
        assert reverse("emergency:detail", args=[applications[code].pk]) in page, code
    for code in not_sees:
        assert reverse("emergency:detail", args=[applications[code].pk]) not in page, code


@pytest.mark.parametrize("persona", ["property_staff", "other_committee"])
def test_staff_who_do_not_oversee_get_no_dashboard(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("emergency:dashboard")).status_code == 403
