"""The Content-Security-Policy breaks no page in a real browser (chromium, ``-m browser``).

The live server's middleware is loaded once per test session, before a test could add
``core.middleware_security`` to it; so each response is fetched from the live
server and handed to chromium with the policy the middleware sends for that path.
Chromium then reports every blocked script, style, image or request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from core.middleware_security import DOCS_POLICY, POLICY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _violations(browser, live_server, path: str, user=None) -> list[str]:
    context = browser.new_context(base_url=live_server.url)
    if user is not None:
        from django.test import Client

        client = Client()
        client.force_login(user)
        host = urlsplit(live_server.url).hostname
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "domain": host,
                    "path": "/",
                }
            ]
        )
    page = context.new_page()
    seen: list[str] = []

    def with_policy(route):
        response = route.fetch()
        policy = DOCS_POLICY if urlsplit(route.request.url).path == "/api/docs/" else POLICY
        route.fulfill(
            response=response, headers={**response.headers, "content-security-policy": policy}
        )

    page.route("**/*", with_policy)
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(path)
    page.wait_for_load_state("networkidle")
    # The page itself was shown, not a login or TOTP redirect.
    assert urlsplit(page.url).path == path
    context.close()
    return seen


@pytest.mark.parametrize("path", ["/accounts/login/", "/publications/", "/verify/", "/api/docs/"])
def test_public_pages_and_the_api_docs_run_under_the_policy(browser, live_server, path):
    assert _violations(browser, live_server, path) == []


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("street_officer", "/estates/dashboard/"),  # SVG bars and style attributes
        ("approver", "/accounts/otp/setup/"),  # the QR code
        ("committee", "/voting/manage/new/"),
        ("owner", "/voting/mine/"),
    ],
)
def test_signed_in_pages_run_under_the_policy(browser, live_server, personas, who, path):
    assert _violations(browser, live_server, path, getattr(personas, who)) == []
