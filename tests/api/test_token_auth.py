"""Programs authenticate with a DRF token (Authorization: Token <key>)."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_valid_token_authenticates_the_user(personas):
    token = Token.objects.create(user=personas.reviewer)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/v1/me/")

    assert (response.status_code, response.json()["username"]) == (200, "reviewer")


def test_a_token_carries_the_users_scope(personas):
    token = Token.objects.create(user=personas.committee)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/v1/areas/")

    assert [row["code"] for row in response.json()["results"]] == ["a1"]


def test_an_unknown_token_is_refused(personas):
    client = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = client.get("/api/v1/me/")

    assert response.status_code == 403
    assert response.json() == {"detail": response.json()["detail"]}
