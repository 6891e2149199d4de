"""The API client and request helpers shared by tests/voting/test_api*.py."""

from __future__ import annotations

from rest_framework.test import APIClient

from accounts import permissions
from accounts.models import OTP_ROLES
from tests.conftest import pass_totp
from voting.models import Assembly

LIST = "/api/v1/assemblies/"
MINE = "/api/v1/ballots/mine/"
ANSWERS = {"m1": "approve", "m2": "reject", "m3": ["c2", "c1"]}


def url(assembly: Assembly, tail: str = "") -> str:
    return f"{LIST}{assembly.pk}/{tail}"


def api_client() -> APIClient:
    """An API client: ``client.as_(user)`` logs in by session (approvers and admins also
    pass TOTP); ``client.as_(None)`` stays anonymous. Each test module wraps it in an
    ``api`` fixture."""
    client = APIClient()

    def as_(user):
        client.logout()
        if user is not None:
            client.force_login(user)
            if permissions.roles_of(user) & OTP_ROLES:
                pass_totp(client, user)
        return client

    client.as_ = as_
    return client


def cast(api, user, assembly, choices=ANSWERS, **body):
    return api.as_(user).post(url(assembly, "cast/"), {"choices": choices, **body}, format="json")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]
