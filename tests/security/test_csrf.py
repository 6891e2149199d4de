"""CSRF on every form (issue #9 item 5).

Two views of the same guarantee, both generated from the project itself so that a
route or form added later is covered without editing this file:

- every URL pattern refuses a POST without the CSRF token from a logged-in
  browser session: Django's middleware for pages, DRF's SessionAuthentication for
  the API (token callers are not browsers and carry no cookie to abuse);
- every page a persona can open that shows a ``<form method="post">`` carries the
  token inside the form, and posting that form's own fields without the token
  is refused.
"""

from __future__ import annotations

import itertools
import logging
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# Sample values for path parameters, tried in order until ``reverse`` accepts one:
# ids, area/street codes, publication serials, the admin's app labels.
SAMPLES = ["1", "a1", "YQ-2025-000001", "accounts", "x"]


def _named_routes() -> list[tuple[str, list[str]]]:
    """(view name with namespaces, its keyword parameters) for every named URL pattern."""
    found = []

    def walk(patterns, namespace: str, params: list[str]):
        for entry in patterns:
            own = list(entry.pattern.regex.groupindex)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, params + own)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append((namespace + entry.name, params + own))

    walk(get_resolver().url_patterns, "", [])
    return sorted({(name, tuple(params)) for name, params in found})


def _url(name: str, params) -> str | None:
    for values in itertools.product(SAMPLES, repeat=len(params)):
        try:
            return reverse(name, kwargs=dict(zip(params, values, strict=True)))
        except NoReverseMatch:
            continue
    return None


def _csrf_refused(response, records) -> bool:
    if response.status_code != 403:
        return False
    if any(r.name == "django.security.csrf" for r in records):
        return True  # CsrfViewMiddleware
    # DRF's SessionAuthentication (rest_framework.authentication.enforce_csrf), whatever
    # the view's renderer (the schema view answers in OpenAPI's own media type).
    data = getattr(response, "data", None)
    return isinstance(data, dict) and str(data.get("detail", "")).startswith("CSRF Failed")


def test_every_route_refuses_a_post_without_the_csrf_token(personas, caplog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.committee)
    routes = _named_routes()
    unreachable, accepted = [], []

    for name, params in routes:
        url = _url(name, params)
        if url is None:
            unreachable.append(name)
            continue
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
            response = client.post(url, {"x": "1"})
        if not _csrf_refused(response, caplog.records):
            accepted.append((name, url, response.status_code))

    assert accepted == []
    assert unreachable == []
    assert len(routes) > 100  # pages, API and admin: the walk found the project's routes


# --------------------------------------------------------------------------- rendered forms


class _Forms(HTMLParser):
    """The POST forms of a page: action, the names of their fields, whether a token is inside."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._open = {"action": attrs.get("action") or "", "fields": {}, "token": False}
            self.forms.append(self._open)
        elif self._open is not None and tag in ("input", "select", "textarea", "button"):
            name = attrs.get("name")
            if name == "csrfmiddlewaretoken":
                self._open["token"] = True
            elif name and attrs.get("type") != "file":
                self._open["fields"].setdefault(name, attrs.get("value") or "1")

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


PERSONAS = [
    None,
    "owner",
    "committee",
    "property_staff",
    "street_officer",
    "community_officer",
    "reviewer",
    "approver",
    "admin",
]


def _page_urls(world) -> list[str]:
    """Every page route, with the parameters filled from the world where this file knows them."""
    values = {
        "pk": [world.assembly.pk, world.entry.pk, world.unit("甲").pk],
        "code": [world.district.a1.code, world.district.street_a.code],
        "attachment": [world.attachment.pk],
        "right": [world.a1.right(world.assembly, "丙").pk],
    }
    urls = set()
    for name, params in _named_routes():
        if name.startswith("admin:") or "api" in name or name.startswith("funds_reconciliation"):
            continue
        choices = [values.get(p, []) for p in params]
        for combo in itertools.product(*choices):
            try:
                urls.add(reverse(name, kwargs=dict(zip(params, combo, strict=True))))
            except NoReverseMatch:
                continue
    return sorted(urls)


def test_every_post_form_carries_the_token_and_refuses_a_post_without_it(
    world, login_with_totp, caplog
):
    # The owner persona with units, ballots and a receipt is the register's 甲.
    people = {name: getattr(world.personas, name) for name in PERSONAS if name}
    people["owner"] = world.user("丙")
    forms_seen: dict[str, set[str]] = {}
    missing_token, accepted = [], []

    for who in PERSONAS:
        reader = Client()
        poster = Client(enforce_csrf_checks=True)
        if who is not None:
            login_with_totp(reader, people[who])
            login_with_totp(poster, people[who])
        for url in _page_urls(world):
            page = reader.get(url)
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(page.content.decode())
            for form in parser.forms:
                target = urljoin(url, form["action"]) if form["action"] else url
                target = urlsplit(target).path + (
                    "?" + urlsplit(target).query if urlsplit(target).query else ""
                )
                forms_seen.setdefault(re.sub(r"(?<=/)\d+(?=/)", "N", url), set()).add(str(who))
                if not form["token"]:
                    missing_token.append((who, url, target))
                caplog.clear()
                with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
                    response = poster.post(target, form["fields"])
                if not _csrf_refused(response, caplog.records):
                    accepted.append((who, url, target, response.status_code))

    assert missing_token == []
    assert accepted == []
    # The walk reached the forms that matter most; otherwise the world or the walk broke.
    assert {
        "/accounts/login/",
        "/voting/N/ballot/",
        "/voting/manage/new/",
        "/revenue/areas/a1/entries/new/",
        "/estates/import/",
    } <= set(forms_seen)
