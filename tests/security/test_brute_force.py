"""Guessing limits hold through the pages, whatever session or spelling the guesser uses
(issue #9 item 5). The limits themselves are tested exactly in tests/accounts; here an
attacker changes what a limit must not depend on: the browser session, the client
address, the case or spacing of a username, the page they retry from.

Limits (accounts/services): staff password 5 tries per username in 15 minutes;
SMS codes 5 sends per phone per hour and 5 tries per code; the first-login ID
check 5 tries per code, then a new code is needed; TOTP 5 tries per user in 15 minutes
and django-otp's growing delay per device. The same limits under parallel requests:
tests/accounts/test_limits_parallel.py (PostgreSQL).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.accounts.conftest import code_in
from tests.estates.helpers import make_person

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
BIND = "/accounts/bind/"
VERIFY = "/accounts/otp/verify/"
PASSWORD = "pass-word-123"  # tests/factories.py UserFactory


def _fresh(address: str = "203.0.113.1") -> Client:
    return Client(REMOTE_ADDR=address)


def _staff_login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"form": "staff", "username": username, "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --------------------------------------------------------------------------- staff password


def test_four_wrong_passwords_from_four_sessions_still_let_the_right_one_in(personas):
    for n in range(4):
        _staff_login(_fresh(f"203.0.113.{n}"), "reviewer", "wrong-guess")

    client = _fresh()
    _staff_login(client, "reviewer", PASSWORD)

    assert _logged_in(client)


def test_five_wrong_passwords_from_five_sessions_lock_the_username_everywhere(personas):
    for n in range(5):
        _staff_login(_fresh(f"203.0.113.{n}"), "reviewer", "wrong-guess")

    client = _fresh("198.51.100.7")
    response = _staff_login(client, "reviewer", PASSWORD)

    assert "该用户名登录失败次数过多" in response.content.decode()
    assert not _logged_in(client)


def test_changing_case_or_spacing_of_the_username_does_not_reset_the_count(personas):
    for spelling in ("REVIEWER", " reviewer", "Reviewer ", "reviewer", "rEvIeWeR"):
        _staff_login(_fresh(), spelling, "wrong-guess")

    client = _fresh()
    _staff_login(client, "reviewer", PASSWORD)

    assert not _logged_in(client)


def test_a_successful_login_gets_a_new_session_key(personas):
    client = _fresh()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key

    _staff_login(client, "reviewer", PASSWORD)

    assert _logged_in(client)
    assert client.session.session_key != before


# --------------------------------------------------------------------------- SMS codes


PHONE = "13900000077"


@pytest.fixture
def owner_person(outbox, personas):
    """A register person with a bound owner login (the common case of code login)."""
    from tests.factories import OwnerUserFactory

    user = OwnerUserFactory(phone=PHONE, display_name="王业主")
    make_person("王业主", phone=PHONE, user=user)
    return user


def _send(client: Client, django_capture_on_commit_callbacks, phone: str = PHONE):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(LOGIN, {"form": "send_code", "phone": phone})


def test_the_sixth_code_in_an_hour_is_refused_from_a_new_session_too(
    owner_person,
    outbox,
    django_capture_on_commit_callbacks,
):
    for n in range(5):
        _send(_fresh(f"203.0.113.{n}"), django_capture_on_commit_callbacks)
    assert len(outbox) == 5

    response = _send(_fresh("198.51.100.7"), django_capture_on_commit_callbacks)

    assert len(outbox) == 5
    assert response.status_code == 400  # the form again, with the limit's message
    assert "后再试" in response.content.decode()


@pytest.mark.parametrize(("wrong_tries", "logged_in"), [(4, True), (5, False)])
def test_wrong_codes_from_several_sessions_kill_the_code_at_the_fifth(
    owner_person,
    outbox,
    django_capture_on_commit_callbacks,
    wrong_tries,
    logged_in,
):
    _send(_fresh(), django_capture_on_commit_callbacks)
    right = code_in(outbox[0].text)
    wrong = "000000" if right != "000000" else "111111"
    for n in range(wrong_tries):
        _fresh(f"203.0.113.{n}").post(LOGIN, {"form": "owner", "phone": PHONE, "code": wrong})

    client = _fresh("198.51.100.7")
    client.post(LOGIN, {"form": "owner", "phone": PHONE, "code": right})

    assert _logged_in(client) is logged_in


# --------------------------------------------------------------------------- first-login ID check


@pytest.fixture
def unbound(outbox):
    """A register person whose phone has no login yet: the first login asks the ID number."""
    return make_person("李业主", phone=PHONE)


def _to_bind_page(client, outbox, django_capture_on_commit_callbacks):
    _send(client, django_capture_on_commit_callbacks)
    code = code_in(outbox[-1].text)
    response = client.post(LOGIN, {"form": "owner", "phone": PHONE, "code": code})
    assert response.status_code == 302 and response.url.startswith(BIND)


@pytest.mark.parametrize(("wrong_tries", "bound"), [(4, True), (5, False)])
def test_the_id_number_may_be_tried_five_times_per_code(
    unbound,
    outbox,
    django_capture_on_commit_callbacks,
    wrong_tries,
    bound,
):
    from estates.crypto import decrypt_id

    client = _fresh()
    _to_bind_page(client, outbox, django_capture_on_commit_callbacks)
    right = decrypt_id(unbound.id_encrypted)
    wrong = right[:-2] + ("00" if right[-2:] != "00" else "11")
    for _ in range(wrong_tries):
        client.post(BIND, {"id_number": wrong})

    response = client.post(BIND, {"id_number": right})

    assert _logged_in(client) is bound
    if not bound:
        # Back to the start: a new code (itself limited to 5 an hour) for 5 more tries.
        assert response.status_code == 302 and response.url.startswith(LOGIN)


# --------------------------------------------------------------------------- TOTP


def test_a_wrong_totp_code_in_one_session_delays_the_right_one_in_another(
    personas,
    totp_token,
):
    device = TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    first, second = _fresh(), _fresh("198.51.100.7")
    first.force_login(personas.approver)
    second.force_login(personas.approver)
    right = totp_token(device)
    wrong = "000000" if right != "000000" else "111111"

    first.post(VERIFY, {"token": wrong})
    response = second.post(VERIFY, {"token": right})

    assert "动态口令错误次数过多" in response.content.decode()
    assert second.get("/funds/applications/approve/").status_code == 302


def test_a_totp_code_accepted_once_is_refused_in_another_session(personas, totp_token):
    device = TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    first, second = _fresh(), _fresh("198.51.100.7")
    first.force_login(personas.approver)
    second.force_login(personas.approver)
    code = totp_token(device)

    assert first.post(VERIFY, {"token": code}).status_code == 302
    response = second.post(VERIFY, {"token": code})

    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()


def test_an_approver_with_only_a_password_reaches_no_page_and_no_api(personas):
    client = _fresh()
    _staff_login(client, "approver", PASSWORD)
    api = APIClient()
    api.force_login(personas.approver)

    assert client.get("/audit/").status_code == 302
    assert api.get("/api/v1/audit/events/").json()["code"] == "otp_required"


# --------------------------------------------------------------------------- API


def test_anonymous_api_calls_beyond_the_configured_rate_are_refused_with_429(settings):
    from rest_framework.settings import api_settings

    rate = api_settings.DEFAULT_THROTTLE_RATES["anon"]  # "120/min"
    allowed = int(rate.split("/")[0])
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    answers = [client.get("/api/v1/assemblies/999999/result/").status_code for _ in range(allowed)]

    assert set(answers) == {404}
    assert client.get("/api/v1/assemblies/999999/result/").status_code == 429
