"""Every role's main pages in English, in chromium (Playwright, live server).

Each role (owner, committee, property company, community, street, reviewer,
approver, admin) chooses English with the language menu's "English" button,
as a person does, and visits its main pages (home, ballot, progress, ledgers,
lists, dashboards, whitelist, publications, verify: tests/test_english_pages.py
``role_pages``). On each page the rendered HTML passes tests/english_check.py:
no Chinese outside narrowly marked ``lang="zh-Hans"`` elements. Owners and
committees walk on a 375 px phone, the others on a desktop page.

The login itself is tested in test_login.py and test_review_approve.py; here
each person's session (with TOTP passed for the bureau's approver and admin)
is made by the test client and handed to the browser, so the walk is about
the pages, not the login form.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from tests.conftest import pass_totp
from tests.english_check import english_problems
from tests.test_english_pages import role_pages, walk  # noqa: F401 - fixture

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
PHONE_ROLES = {"owner", "committee"}
ROLES = [
    "owner",
    "committee",
    "property_staff",
    "community_officer",
    "street_officer",
    "reviewer",
    "approver",
    "admin",
]


@pytest.fixture
def whitelist_seeded(db):
    # A transactional test starts from an empty database: the whitelist of migration 0002
    # and its English text (0006) are put back as the migrations put them.
    for name in ("0002_seed_whitelist", "0007_seed_whitelist_english"):
        importlib.import_module(f"emergency.migrations.{name}").seed(apps, None)


def _session_page(browser, live_server, user, *, phone: bool):
    client = Client()
    client.force_login(user)
    pass_totp(client, user)
    context = browser.new_context(base_url=live_server.url, **(PHONE if phone else DESKTOP))
    context.set_default_timeout(15_000)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    return context


def _choose_english(page) -> None:
    """Open the menu and press "English" (the button names the language in its own words)."""
    page.goto("/")
    page.locator("details.menu summary").click()
    page.locator('form.lang button[value="en"]').click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_walks_its_main_pages_in_english(
    browser,
    live_server,
    personas,
    walk,  # noqa: F811 - the fixture imported above
    whitelist_seeded,
    role,
):
    user = walk["register"].user("甲") if role == "owner" else getattr(personas, role)
    context = _session_page(browser, live_server, user, phone=role in PHONE_ROLES)
    page = context.new_page()
    try:
        _choose_english(page)
        found = {}
        for url in role_pages(walk)[role]:
            response = page.goto(url)
            assert response.status == 200, (url, response.status)
            problems = english_problems(page.content())
            if problems:
                found[url] = problems[:8]
        assert found == {}
    finally:
        context.close()
