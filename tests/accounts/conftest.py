"""Fixtures for the accounts tests: the in-memory SMS outbox and TOTP codes."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django_otp.oath import TOTP

from accounts import services, sms


@pytest.fixture
def outbox(settings):
    """Route SMS to accounts.sms.LocmemSender and hand the test its outbox."""
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def send_code(outbox, django_capture_on_commit_callbacks):
    """Call code_send and run its after-commit SMS, as a real commit would."""

    def send(phone: str, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.code_send(phone=phone, **kwargs)

    return send


@pytest.fixture
def totp_token():
    """The code an authenticator app shows for a device now (or ``steps_ahead`` steps later)."""

    def token(device, *, steps_ahead: int = 0) -> str:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time() + steps_ahead * device.step
        return f"{totp.token():0{device.digits}d}"

    return token


def code_in(text: str) -> str:
    """The 6-digit code in an SMS text."""
    return re.search(r"验证码是(\d{6})", text).group(1)


@pytest.fixture
def sms_code():
    return code_in


class CountingMD5Hasher(MD5PasswordHasher):
    """The suite's MD5 hasher (tests/conftest.py), noting every password it compares."""

    compared: list[int] = []  # list.append is atomic: safe from parallel threads

    def verify(self, password, encoded):
        CountingMD5Hasher.compared.append(1)
        return super().verify(password, encoded)


@pytest.fixture
def checked_passwords(settings):
    """The passwords compared since the fixture started (one entry each)."""
    settings.PASSWORD_HASHERS = ["tests.accounts.conftest.CountingMD5Hasher"]
    CountingMD5Hasher.compared.clear()
    yield CountingMD5Hasher.compared
    CountingMD5Hasher.compared.clear()
