"""Every role against every emergency page (DESIGN.md: "a test matrix tries every role
against every endpoint"). 403: the role may not take the page's action anywhere; 404:
it may, but not on this object (scope). a1 has a committee, company P serves a1 and a2."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"
PERSONAS = [
    "owner",
    "committee",
    "property_staff",
    "street_officer",
    "community_officer",
    "reviewer",
    "approver",
    "admin",
    "outsider",
]
OVERSEERS = {"street_officer", "community_officer", "reviewer", "approver", "admin"}


def only(*allowed, others=403, code=200):
    return {p: (code if p in allowed else others) for p in PERSONAS}


# page name → (url args: "app" = the application's pk, "a1"), expected status per persona
MATRIX = {
    "index": ([], only("committee", "property_staff", *OVERSEERS)),
    "apply": (
        ["a1"],
        {
            **only("committee"),
            "property_staff": 404,
            "street_officer": 404,
            "community_officer": 404,
        },
    ),
    # Company P serves a1: it sees the application its committee filed (issue 16 item 5).
    "detail": (["app"], {**only("committee", "property_staff", *OVERSEERS, others=404)}),
    "plan": (["a1"], {**only("committee", *OVERSEERS), "property_staff": 404}),
    "plan_edit": (
        ["a1"],
        {
            **only("committee"),
            "property_staff": 404,
            "street_officer": 404,
            "community_officer": 404,
        },
    ),
    "review_start": (["app"], only("reviewer")),
    "approve": (["app"], only("approver")),
    "refuse": (["app"], only("reviewer", "approver")),
    "commission": (["app"], only("approver")),
    "settle": (["app"], only("reviewer")),
    "payment_instruct": (["app"], only("approver")),
    "publish": (["app"], only("approver", "admin")),
    "dashboard": ([], only(*OVERSEERS)),
    "problems": ([], only(*OVERSEERS)),
    "problem_create": ([], only(*OVERSEERS)),
    "whitelist_item_new": ([], only("admin")),
    "whitelist": ([], only(*PERSONAS)),
}


@pytest.mark.parametrize("page", sorted(MATRIX))
def test_every_role_against_every_page(client, filed, personas, page):
    from tests.conftest import pass_totp

    args, expected = MATRIX[page]
    args = [filed.pk if a == "app" else a for a in args]
    url = reverse(f"emergency:{page}", args=args)
    got = {}
    for name in PERSONAS:
        user = getattr(personas, name)
        client.logout()
        client.force_login(user, backend=BACKEND)
        if name in ("approver", "admin"):
            pass_totp(client, user)
        got[name] = client.get(url).status_code
    assert got == expected


def test_anonymous_visitors_are_sent_to_log_in_except_for_the_public_whitelist(client, filed):
    assert client.get(reverse("emergency:whitelist")).status_code == 200
    for page, (args, _expected) in MATRIX.items():
        if page == "whitelist":
            continue
        args = [filed.pk if a == "app" else a for a in args]
        response = client.get(reverse(f"emergency:{page}", args=args))
        assert response.status_code == 302, page
        assert "/accounts/login/" in response["Location"], page
