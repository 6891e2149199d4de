"""The register and its annex-1 export are reachable from the menu and the home page
(issue 16 item 6) for exactly the roles docs/permissions.md lets open them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

REGISTER = "/estates/"
ANNEX1 = "/estates/annex1/"
CALENDAR = "/estates/calendar/"

# persona → (sees the register, sees annex 1), from the 动作 table:
# register.view: committee, property, street, community, bureau; oversee: street,
# community, bureau.
EXPECTED = {
    "owner": (False, False),
    "outsider": (False, False),
    "committee": (True, False),
    "property_staff": (True, False),
    "street_officer": (True, True),
    "community_officer": (True, True),
    "reviewer": (True, True),
    "approver": (True, True),
    "admin": (True, True),
}
OTP = {"approver", "admin"}


def _login(client, personas, name, login_with_totp):
    user = getattr(personas, name)
    if name in OTP:
        login_with_totp(client, user)
    else:
        client.force_login(user)
    return user


def _links(body: str, url: str) -> int:
    """How often ``url`` is linked: once in the ☰ menu and once among the home cards."""
    return len(re.findall(rf'href="{re.escape(url)}"', body))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_register_and_annex1_entries_follow_the_permission_table(
    client, personas, login_with_totp, name
):
    _login(client, personas, name, login_with_totp)
    body = client.get(reverse("home")).content.decode()
    sees_register, sees_annex = EXPECTED[name]
    assert _links(body, REGISTER) == (2 if sees_register else 0)
    assert _links(body, ANNEX1) == (2 if sees_annex else 0)
    for url, sees in ((REGISTER, sees_register), (ANNEX1, sees_annex)):
        if sees:
            assert client.get(url).status_code == 200, url
        else:
            assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_register_entry_is_in_the_menu_on_every_page(client, personas):
    client.force_login(personas.committee)
    body = client.get(reverse("funds:areas")).content.decode()
    assert 'href="/estates/"' in body
    assert "物业管理区域台账" in body


@pytest.mark.django_db
def test_only_the_admin_sees_the_holiday_calendar_entry(client, personas, login_with_totp):
    login_with_totp(client, personas.admin)
    assert _links(client.get("/").content.decode(), CALENDAR) == 2
    assert client.get(CALENDAR).status_code == 200
    login_with_totp(client, personas.approver)
    assert _links(client.get("/").content.decode(), CALENDAR) == 0
    client.force_login(personas.reviewer)
    assert _links(client.get("/").content.decode(), CALENDAR) == 0
