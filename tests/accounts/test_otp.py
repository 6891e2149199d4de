"""TOTP for bureau approvers and admins: enrolment, verification, and who is sent where."""

from __future__ import annotations

from base64 import b32encode

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent

SETUP = "/accounts/otp/setup/"
VERIFY = "/accounts/otp/verify/"
APPROVE = "/test/approve/"

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]


@pytest.fixture
def approver_client(client, personas):
    client.force_login(personas.approver)
    return client


def _enrol(client, user, totp_token) -> TOTPDevice:
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"token": totp_token(device)})
    assert response.status_code == 302
    return device


def test_otp_urls_are_where_the_middleware_expects_them():
    assert reverse("accounts:otp_setup") == SETUP
    assert reverse("accounts:otp_verify") == VERIFY


def test_enrolment_page_shows_a_qr_code_and_the_secret(approver_client, personas):
    page = approver_client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=personas.approver)
    secret = b32encode(device.bin_key).decode()
    assert device.confirmed is False
    assert "<svg" in page
    assert "<title>动态口令绑定二维码</title>" in page
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page


def test_reloading_the_enrolment_page_keeps_the_same_secret(approver_client, personas):
    approver_client.get(SETUP)
    approver_client.get(SETUP)
    assert TOTPDevice.objects.filter(user=personas.approver).count() == 1


def test_confirming_enrolment_verifies_the_session_and_is_audited(
    approver_client, personas, totp_token
):
    approver_client.get(SETUP)
    device = TOTPDevice.objects.get(user=personas.approver)
    response = approver_client.post(SETUP + "?next=/test/approve/", {"token": totp_token(device)})
    assert response.status_code == 302
    assert response.url == APPROVE
    device.refresh_from_db()
    assert device.confirmed is True
    event = AuditEvent.objects.get(action="user.totp_enrolled")
    assert event.object_id == str(personas.approver.pk)
    assert event.actor_id == personas.approver.pk
    assert approver_client.get(APPROVE).content == b"approve page"


def test_a_wrong_first_code_leaves_the_device_unconfirmed_and_counts(
    approver_client, personas, totp_token
):
    approver_client.get(SETUP)
    device = TOTPDevice.objects.get(user=personas.approver)
    wrong = "000000" if totp_token(device) != "000000" else "111111"
    response = approver_client.post(SETUP, {"token": wrong})
    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert device.throttling_failure_count == 1
    assert AuditEvent.objects.filter(action="user.totp_enrolled").count() == 0


def test_verification_with_the_current_code_passes(client, personas, totp_token):
    device = TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    client.force_login(personas.approver)
    response = client.post(VERIFY + "?next=/test/approve/", {"token": totp_token(device)})
    assert response.url == APPROVE
    assert client.get(APPROVE).status_code == 200


def test_a_code_cannot_be_used_twice(client, personas, totp_token):
    device = TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    token = totp_token(device)
    client.force_login(personas.approver)
    assert client.post(VERIFY, {"token": token}).status_code == 302
    client.logout()
    client.force_login(personas.approver)
    response = client.post(VERIFY, {"token": token})
    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()


def test_verification_is_throttled_after_a_wrong_code(client, personas, totp_token):
    device = TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    client.force_login(personas.approver)
    wrong = "000000" if totp_token(device) != "000000" else "111111"
    client.post(VERIFY, {"token": wrong})
    response = client.post(VERIFY, {"token": totp_token(device)})
    assert "动态口令错误次数过多，请于" in response.content.decode()
    assert client.get(APPROVE).status_code == 302


def test_enrolment_is_refused_to_an_unverified_user_who_has_a_device(client, personas):
    TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    client.force_login(personas.approver)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response.url == VERIFY
    assert TOTPDevice.objects.filter(user=personas.approver).count() == 1


def test_a_verified_user_may_replace_the_device_and_the_old_one_is_removed(
    approver_client, personas, totp_token
):
    old = _enrol(approver_client, personas.approver, totp_token)
    approver_client.get(SETUP)
    new = TOTPDevice.objects.get(user=personas.approver, confirmed=False)
    approver_client.post(SETUP, {"token": totp_token(new)})
    assert list(TOTPDevice.objects.filter(user=personas.approver).values_list("pk", flat=True)) == [
        new.pk
    ]
    assert old.pk != new.pk
    assert AuditEvent.objects.filter(action="user.totp_enrolled").count() == 2


def test_totp_pages_are_forbidden_to_roles_without_totp(client, personas):
    client.force_login(personas.reviewer)
    assert client.get(SETUP).status_code == 403
    assert client.get(VERIFY).status_code == 403


def test_totp_pages_send_anonymous_visitors_to_login(client):
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))


def test_password_then_enrolment_end_to_end(client, personas, totp_token):
    response = client.post(
        "/accounts/login/",
        {"form": "staff", "username": "admin_user", "password": "x"},
    )
    assert response.status_code == 400  # unknown user: stays on the page
    response = client.post(
        "/accounts/login/",
        {
            "form": "staff",
            "username": "bureau_admin",
            "password": "pass-word-123",
            "next": APPROVE,
        },
    )
    assert response.url == SETUP + "?next=%2Ftest%2Fapprove%2F"
    client.get(response.url)
    device = TOTPDevice.objects.get(user=personas.admin)
    response = client.post(SETUP, {"token": totp_token(device), "next": "/"})
    assert response.url == "/"
    # The admin is verified now, but application.approve is the approver's action.
    assert client.get(APPROVE).status_code == 403
