from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import permissions
from accounts.models import OTP_ROLES


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The personas have passwords; nothing here tests how they are stored.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pass_totp(client, user) -> None:
    """Mark the session as having passed TOTP with a confirmed device, exactly as
    ``django_otp.login`` does after a correct code (tests/accounts covers the code)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="phone", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


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
