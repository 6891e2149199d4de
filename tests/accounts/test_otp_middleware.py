"""An approver or admin who has not passed TOTP sees no page and gets no API answer."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

APPROVE = "/test/approve/"

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]


@pytest.fixture
def without_otp_middleware(settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "accounts.middleware.OTPRequiredMiddleware"
    ]


def test_middleware_sits_right_after_django_otp():
    position = settings.MIDDLEWARE.index("django_otp.middleware.OTPMiddleware")
    assert settings.MIDDLEWARE[position + 1] == "accounts.middleware.OTPRequiredMiddleware"


def test_action_mixin_sends_an_unverified_approver_to_enrolment(
    client, personas, without_otp_middleware
):
    client.force_login(personas.approver)
    response = client.get(APPROVE)
    assert response.status_code == 302
    assert response.url == "/accounts/otp/setup/?next=/test/approve/"


def test_action_mixin_sends_an_approver_with_a_device_to_verification(
    client, personas, without_otp_middleware
):
    TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    client.force_login(personas.approver)
    response = client.get(APPROVE)
    assert response.url == "/accounts/otp/verify/?next=/test/approve/"


def test_middleware_redirects_an_unverified_approver_from_any_page(client, personas):
    client.force_login(personas.approver)
    response = client.get("/audit/?page=2")
    assert response.status_code == 302
    assert response.url == "/accounts/otp/setup/?next=%2Faudit%2F%3Fpage%3D2"


def test_middleware_redirects_an_unverified_admin_from_the_home_page(client, personas):
    TOTPDevice.objects.create(user=personas.admin, name="phone", confirmed=True)
    client.force_login(personas.admin)
    response = client.get(reverse("home"))
    assert response.url == "/accounts/otp/verify/?next=%2F"


def test_middleware_blocks_the_django_admin_too(client, personas):
    personas.admin.is_staff = True
    personas.admin.save(update_fields=["is_staff"])
    client.force_login(personas.admin)
    response = client.get("/django-admin/")
    assert response.url == "/accounts/otp/setup/?next=%2Fdjango-admin%2F"


@pytest.mark.parametrize("path", ["/accounts/otp/setup/", "/healthz"])
def test_totp_pages_and_health_stay_open(client, personas, path):
    client.force_login(personas.approver)
    assert client.get(path).status_code == 200


def test_logout_stays_open(client, personas):
    client.force_login(personas.approver)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_language_switch_stays_open(client, personas):
    client.force_login(personas.approver)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/healthz"})
    assert response.status_code == 302
    assert response.url == "/healthz"


def test_api_answers_403_otp_required_as_json(client, personas):
    client.force_login(personas.approver)
    response = client.get(reverse("api-me"))
    assert response.status_code == 403
    assert response.json() == {
        "code": "otp_required",
        "detail": "请先在网页上完成动态口令（TOTP）验证。",
    }


def test_verified_approver_reaches_the_api(client, personas, totp_token):
    device = TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    client.force_login(personas.approver)
    client.post("/accounts/otp/verify/", {"token": totp_token(device)})
    assert client.get(reverse("api-me")).status_code == 200


def test_approver_after_enrolment_and_verification_reaches_the_protected_page(
    client, personas, totp_token
):
    client.force_login(personas.approver)
    client.get("/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user=personas.approver)
    client.post("/accounts/otp/setup/", {"token": totp_token(device)})
    client.logout()
    # A new session: enrolled, so verification (not enrolment) is asked for.
    client.force_login(personas.approver)
    assert client.get(APPROVE).url == "/accounts/otp/verify/?next=%2Ftest%2Fapprove%2F"
    response = client.post(
        "/accounts/otp/verify/?next=/test/approve/", {"token": totp_token(device, steps_ahead=1)}
    )
    assert response.url == APPROVE
    assert client.get(APPROVE).content == b"approve page"


@pytest.mark.parametrize("persona", ["reviewer", "owner", "committee", "street_officer"])
def test_roles_without_totp_are_not_redirected(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("api-me")).status_code == 200


def test_unverified_approver_is_still_denied_the_action_by_permissions(personas):
    from accounts import permissions

    assert permissions.can(personas.approver, "application.approve") is False


@pytest.mark.django_db
def test_django_admin_user_without_a_bureau_role_must_pass_totp(client):
    from tests.factories import UserFactory

    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_setup"))
    assert client.get(reverse("accounts:otp_setup")).status_code == 200
