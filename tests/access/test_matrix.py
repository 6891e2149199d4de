"""Every persona against every route, on an object in its own scope and in another
(DESIGN.md: "a test matrix tries every role against every endpoint").

One generated test per (route, persona, place) of ``table.ROUTES`` ×
``model.PERSONAS`` × ``model.places``; the expected outcome is
``model.expected`` — the route's guard evaluated with the written table of
docs/permissions.md (``written.py``), never with ``accounts.permissions`` — and the
request goes to the real world of ``world.py``, which answers by ``accounts.permissions``.
So a wrong edit of that module (a role granted an action, a scope widened) fails here.

The matrix checks the wiring of views to the permission rules, not the database: it
runs once, in the SQLite suite (the Makefile's ``test-postgres`` leaves it out).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .model import PERSONAS, Outcome, expected, places
from .table import ROUTES

LOGIN_PATH = reverse("accounts:login")
OTP_PATHS = (reverse("accounts:otp_verify"), reverse("accounts:otp_setup"))

CASES = [
    pytest.param(route, persona, place, id=f"{route.key}|{persona.name}|{place}")
    for route in ROUTES
    for place in places(route)
    for persona in PERSONAS
]


def _client(world, persona) -> Client:
    """A client in the persona's session (logged in, and past TOTP for the ``_totp`` ones)."""
    client = Client()
    if not persona.anonymous:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona.name]
    return client


def _redirect_path(response) -> str:
    return urlsplit(response.get("Location", "")).path


def describe(response) -> str:
    location = response.get("Location", "")
    return f"{response.status_code}{' → ' + location if location else ''}"


def outcome_of(response, route, persona, *, api: bool) -> Outcome | None:
    """What the response amounts to; None for what no outcome allows: a 5xx, a 405, a 401
    from a page, or a GET answered with a client error other than 403/404. A POST with the
    empty body may get its form errors back (400, 409): that is the page answering."""
    status = response.status_code
    if status >= 500:
        return None
    if api and status in (401, 403):
        if persona.anonymous:
            return Outcome.LOGIN  # DRF: not authenticated (session auth answers 403)
        body = response.json() if "json" in response.get("Content-Type", "") else {}
        return Outcome.OTP if body.get("code") == "otp_required" else Outcome.FORBIDDEN
    if status in (301, 302, 303):
        path = _redirect_path(response)
        if path == LOGIN_PATH and not route.login_is_flow:
            return Outcome.LOGIN
        if path in OTP_PATHS and not route.otp_exempt:
            # From the TOTP pages themselves, the other one is the next step (no device yet).
            return Outcome.OTP
        return Outcome.ALLOW
    if status == 403:
        return Outcome.FORBIDDEN
    if status == 404:
        return Outcome.NOT_FOUND
    if status >= 400 and (route.method == "GET" or status in (401, 405)):
        return None
    return Outcome.ALLOW


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "persona", "place"), CASES)
def test_the_persona_gets_what_the_route_guard_gives_it_on_an_object_in_this_place(
    world, route, persona, place
):
    kwargs, data = world.kwargs(route.target, place)
    url = reverse(route.name, kwargs=kwargs)
    client = _client(world, persona)
    response = client.post(url, data) if route.method == "POST" else client.get(url)
    if response.streaming:
        # Read to the end: the test client then closes the file itself. A direct close()
        # would send request_finished, whose handler closes the database connection —
        # and with it, on PostgreSQL, the transaction the world lives in.
        b"".join(response.streaming_content)
    got = outcome_of(response, route, persona, api=url.startswith("/api/"))

    want = expected(route, persona, place)
    assert got == want, f"{route.method} {url}: expected {want.value}, got {describe(response)}"
