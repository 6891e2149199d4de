from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts import permissions
from accounts.models import OTP_ROLES
from tests.conftest import pass_totp


@pytest.fixture
def api():
    """An API client. ``api.as_(user)`` logs in by session; approvers and admins
    also pass TOTP unless ``otp=False``. ``api.as_(None)`` stays anonymous."""
    client = APIClient()

    def as_(user, *, otp: bool = True):
        client.logout()
        if user is not None:
            client.force_login(user)
            if otp and permissions.roles_of(user) & OTP_ROLES:
                pass_totp(client, user)
        return client

    client.as_ = as_
    return client
