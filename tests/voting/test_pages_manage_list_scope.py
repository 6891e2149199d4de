"""/voting/manage/ against docs/permissions.md "角色与范围" (issue 16 item 5): the community
officer saw no assembly of the areas of its community because those areas have a
committee (only the committee calls there). The list now also shows the assemblies of
the areas a caller oversees, linked to their progress page; those it may call link to
their management page. Nothing outside the caller's scope is listed.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import build_register, make_assembly

pytestmark = pytest.mark.django_db


@pytest.fixture
def assemblies(district, personas):
    for area in (district.a1, district.a2, district.b1):
        build_register(area, [("甲", ["89.50"]), ("乙", ["100.00"])])
    return {
        "a1": make_assembly(district.a1, personas.committee, title="甲一小区会议"),
        "a2": make_assembly(district.a2, personas.street_officer, title="甲二小区会议"),
        "b1": make_assembly(district.b1, personas.other_committee, title="乙一小区会议"),
    }


# persona -> (areas it manages, areas it only oversees, areas it must not see)
SCOPES = {
    "committee": ({"a1"}, set(), {"a2", "b1"}),
    "other_committee": ({"b1"}, set(), {"a1", "a2"}),
    "community_officer": ({"a2"}, {"a1"}, {"b1"}),
    "street_officer": ({"a2"}, {"a1"}, {"b1"}),
    "other_street_officer": (set(), {"b1"}, {"a1", "a2"}),
    "admin": ({"a2"}, {"a1", "b1"}, set()),
}


@pytest.mark.parametrize("persona", sorted(SCOPES))
def test_each_caller_sees_the_assemblies_of_its_scope_and_nothing_else(
    client, personas, assemblies, login_with_totp, persona
):
    login_with_totp(client, getattr(personas, persona))
    response = client.get(reverse("voting:manage_list"))
    assert response.status_code == 200
    page = response.content.decode()
    manages, oversees, outside = SCOPES[persona]
    for code, assembly in assemblies.items():
        manage_link = reverse("voting:manage_detail", args=[assembly.pk])
        progress_link = reverse("voting:progress", args=[assembly.pk])
        if code in manages:
            assert manage_link in page, code
        elif code in oversees:
            assert progress_link in page and manage_link not in page, code
        else:
            assert assembly.title not in page, code
            assert manage_link not in page and progress_link not in page, code


def test_the_community_officer_finds_the_committee_assembly_of_its_community(
    client, personas, assemblies
):
    client.force_login(personas.community_officer)
    page = client.get(reverse("voting:manage_list")).content.decode()
    assert "甲一小区会议" in page
    assert "乙一小区会议" not in page
