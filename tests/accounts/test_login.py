"""The login page: owners by phone + code, staff by password, and where each goes next."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from core.errors import DomainError
from tests.factories import OwnerUserFactory, UserFactory

LOGIN = "/accounts/login/"
PHONE = "13900000001"


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def owner(db):
    return OwnerUserFactory(phone=PHONE, display_name="王业主")


@pytest.fixture
def post_capturing(client, django_capture_on_commit_callbacks):
    """POST through the test client, running after-commit callbacks (the SMS)."""

    def post(path, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data)

    return post


@pytest.mark.django_db
def test_login_page_offers_both_ways_to_log_in(client):
    page = client.get(LOGIN).content.decode()
    assert reverse("accounts:login") == LOGIN
    assert "获取验证码" in page
    assert 'name="username"' in page
    assert 'name="password"' in page


@pytest.mark.django_db
def test_owner_logs_in_with_the_code_from_the_sms(client, owner, outbox, post_capturing, sms_code):
    response = post_capturing(LOGIN, {"form": "send_code", "phone": PHONE})
    assert response.status_code == 302
    assert response.url == LOGIN
    page = client.get(LOGIN).content.decode()
    assert 'name="code"' in page
    assert "如果手机号 139****0001 已在业主名册中登记，验证码已发送" in page
    assert len(outbox) == 1

    response = client.post(
        LOGIN, {"form": "owner", "phone": PHONE, "code": sms_code(outbox[0].text)}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert _logged_in_as(client) == str(owner.pk)


@pytest.mark.django_db
def test_unknown_phone_sees_the_same_page_and_gets_no_sms(client, outbox, post_capturing):
    response = post_capturing(LOGIN, {"form": "send_code", "phone": "13900000099"})
    assert response.status_code == 302
    page = client.get(LOGIN).content.decode()
    assert "如果手机号 139****0099 已在业主名册中登记，验证码已发送" in page
    assert 'name="code"' in page
    assert outbox == []


@pytest.mark.django_db
def test_owner_login_goes_to_a_safe_next_page(client, owner, outbox, post_capturing, sms_code):
    post_capturing(LOGIN + "?next=/audit/", {"form": "send_code", "phone": PHONE})
    response = client.post(
        LOGIN,
        {"form": "owner", "phone": PHONE, "code": sms_code(outbox[0].text), "next": "/audit/"},
    )
    assert response.url == "/audit/"


@pytest.mark.django_db
def test_owner_login_ignores_a_next_page_on_another_site(
    client, owner, outbox, post_capturing, sms_code
):
    post_capturing(LOGIN, {"form": "send_code", "phone": PHONE})
    response = client.post(
        LOGIN,
        {
            "form": "owner",
            "phone": PHONE,
            "code": sms_code(outbox[0].text),
            "next": "https://evil.example/steal",
        },
    )
    assert response.url == reverse("home")


@pytest.mark.django_db
def test_wrong_code_is_shown_on_the_page_and_nobody_logs_in(
    client, owner, outbox, post_capturing, sms_code
):
    post_capturing(LOGIN, {"form": "send_code", "phone": PHONE})
    wrong = "000000" if sms_code(outbox[0].text) != "000000" else "111111"
    response = client.post(LOGIN, {"form": "owner", "phone": PHONE, "code": wrong})
    assert response.status_code == 400
    assert "验证码错误，还可再试4次" in response.content.decode()
    assert _logged_in_as(client) is None


@pytest.mark.django_db
def test_send_limit_message_appears_on_the_page(client, owner, outbox, post_capturing):
    for _ in range(5):
        post_capturing(LOGIN, {"form": "send_code", "phone": PHONE})
    response = post_capturing(LOGIN, {"form": "send_code", "phone": PHONE})
    assert response.status_code == 400
    assert "该手机号1小时内已发送5次验证码，请于" in response.content.decode()
    assert len(outbox) == 5


@pytest.mark.django_db
def test_bad_phone_is_shown_as_a_field_error(client, outbox):
    response = client.post(LOGIN, {"form": "send_code", "phone": "12345"})
    assert response.status_code == 400
    assert "请输入11位中国大陆手机号码。" in response.content.decode()


@pytest.mark.django_db
def test_staff_logs_in_with_username_and_password(client, personas):
    response = client.post(
        LOGIN, {"form": "staff", "username": "reviewer", "password": "pass-word-123"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert _logged_in_as(client) == str(personas.reviewer.pk)


@pytest.mark.django_db
def test_staff_wrong_password_says_how_many_tries_are_left(client, personas):
    response = client.post(LOGIN, {"form": "staff", "username": "reviewer", "password": "nope"})
    assert response.status_code == 400
    assert "用户名或密码错误，还可再试4次。" in response.content.decode()
    assert _logged_in_as(client) is None


@pytest.mark.django_db
def test_staff_login_is_locked_after_five_failures_even_with_the_right_password(client, personas):
    for _ in range(5):
        response = client.post(LOGIN, {"form": "staff", "username": "reviewer", "password": "nope"})
    assert "该用户名登录失败次数过多，请于" in response.content.decode()
    response = client.post(
        LOGIN, {"form": "staff", "username": "reviewer", "password": "pass-word-123"}
    )
    assert response.status_code == 400
    assert "该用户名登录失败次数过多，请于" in response.content.decode()
    assert _logged_in_as(client) is None


@pytest.mark.django_db
def test_staff_login_lock_lifts_when_the_first_failure_is_fifteen_minutes_old(personas, rf):
    t0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    request = rf.post(LOGIN)
    for minute in range(5):
        with pytest.raises(DomainError):
            services.staff_login(
                request=request,
                username="reviewer",
                password="nope",
                now=t0 + timedelta(minutes=minute),
            )
    with pytest.raises(DomainError) as info:
        services.staff_login(
            request=request,
            username="reviewer",
            password="pass-word-123",
            now=t0 + timedelta(minutes=14, seconds=59),
        )
    assert info.value.message == "该用户名登录失败次数过多，请于 09:15 后再试"
    user = services.staff_login(
        request=request,
        username="reviewer",
        password="pass-word-123",
        now=t0 + timedelta(minutes=15, seconds=1),
    )
    assert user == personas.reviewer


@pytest.mark.django_db
def test_a_successful_staff_login_clears_earlier_failures(personas, rf):
    request = rf.post(LOGIN)
    for _ in range(4):
        with pytest.raises(DomainError):
            services.staff_login(request=request, username="reviewer", password="nope")
    services.staff_login(request=request, username="reviewer", password="pass-word-123")
    with pytest.raises(DomainError) as info:
        services.staff_login(request=request, username="reviewer", password="nope")
    assert info.value.message == "用户名或密码错误，还可再试4次。"


@pytest.mark.django_db
def test_the_lock_counts_failures_for_an_unknown_username_too(rf):
    request = rf.post(LOGIN)
    for _ in range(5):
        with pytest.raises(DomainError):
            services.staff_login(request=request, username="nobody", password="x")
    with pytest.raises(DomainError) as info:
        services.staff_login(request=request, username="nobody", password="x")
    assert info.value.code == "login_locked"


@pytest.mark.django_db
def test_owner_cannot_use_the_staff_form(client, owner):
    response = client.post(LOGIN, {"form": "staff", "username": PHONE, "password": "x"})
    assert response.status_code == 400
    assert _logged_in_as(client) is None


@pytest.mark.django_db
def test_approver_without_a_device_goes_to_enrolment_after_password(client, personas):
    response = client.post(
        LOGIN,
        {"form": "staff", "username": "approver", "password": "pass-word-123", "next": "/audit/"},
    )
    assert response.status_code == 302
    assert response.url == "/accounts/otp/setup/?next=%2Faudit%2F"


@pytest.mark.django_db
def test_approver_with_a_device_goes_to_verification_after_password(client, personas):
    TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    response = client.post(
        LOGIN, {"form": "staff", "username": "approver", "password": "pass-word-123"}
    )
    assert response.url == reverse("accounts:otp_verify")


@pytest.mark.django_db
def test_reviewer_needs_no_totp(client, personas):
    client.post(LOGIN, {"form": "staff", "username": "reviewer", "password": "pass-word-123"})
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_logout_is_post_only(client, personas):
    client.force_login(personas.reviewer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _logged_in_as(client) == str(personas.reviewer.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert _logged_in_as(client) is None


@pytest.mark.django_db
def test_disabled_staff_cannot_log_in(client):
    UserFactory(username="gone", is_active=False)
    response = client.post(
        LOGIN, {"form": "staff", "username": "gone", "password": "pass-word-123"}
    )
    assert response.status_code == 400
    assert _logged_in_as(client) is None
