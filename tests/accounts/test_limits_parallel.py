"""Guessing limits under parallel requests (PostgreSQL, one connection per thread).

Issue #14 §6: 60 parallel wrong passwords used to count as 3, 20 parallel sends to a
phone with no account sent 7 codes, 28 ID numbers were checked on one code. Each try
is now reserved in the database before its secret is looked at
(accounts/services/limits.py), so these attacks meet exactly the limit.

"The right secret at position N+2": twenty tries are released together; the N+1 before
the right one and the 18 after it race each other, and the right one is sent as soon as
the N+1 before it have answered. With the limit holding, N wrong ones were checked and
the right one is refused; with a limit that loses counts under races it gets in.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import PhoneCode, TryCounter
from estates.crypto import decrypt_id
from estates.models import Person
from tests.accounts.conftest import code_in
from tests.estates.helpers import make_person
from tests.factories import OwnerUserFactory
from tests.parallel import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 5  # every limit's default (accounts/services, gongzhi/settings.py)
PARALLEL = 20
PASSWORD = "pass-word-123"  # tests/factories.py UserFactory
PHONE = "13900000077"
LOGIN = "/accounts/login/"
BIND = "/accounts/bind/"


def right_at(position: int, wrong, right, total: int = PARALLEL) -> list:
    """Run ``total`` tries at once, the right one at ``position`` (1-based); their results."""
    done = threading.Semaphore(0)

    def before():
        try:
            return wrong()
        finally:
            done.release()

    def the_right_one():
        for _ in range(position - 1):
            assert done.acquire(timeout=60)
        return right()

    works = [before] * (position - 1) + [the_right_one] + [wrong] * (total - position)
    return in_threads(works)


def _wrong(right: str) -> str:
    return "000000" if right != "000000" else "111111"


# --------------------------------------------------------------------------- staff password


def _login(password):
    return lambda: services.staff_login(request=None, username="reviewer", password=password)


def test_twenty_parallel_wrong_passwords_check_exactly_five(personas, checked_passwords):
    results = in_threads([_login("wrong")] * PARALLEL)

    assert len(checked_passwords) == N
    assert results.count("login_failed") == N - 1  # the fifth says "locked" already
    assert results.count("login_locked") == PARALLEL - N + 1
    assert TryCounter.objects.get(kind=TryCounter.Kind.PASSWORD).count == N


def test_the_right_password_at_position_seven_of_twenty_parallel_is_refused(
    personas, checked_passwords
):
    results = right_at(N + 2, _login("wrong"), _login(PASSWORD))

    assert results[N + 1] == "login_locked"
    assert personas.reviewer not in results
    assert len(checked_passwords) == N


def test_the_django_admin_login_is_no_way_around_the_password_limit(personas, checked_passwords):
    def admin_login(password):
        return lambda: Client().post(
            "/django-admin/login/", {"username": "reviewer", "password": password}
        )

    in_threads([admin_login("wrong")] * PARALLEL)

    assert checked_passwords == []


# --------------------------------------------------------------------------- SMS code


def test_the_right_code_at_position_seven_of_twenty_parallel_is_refused(outbox):
    owner = OwnerUserFactory(phone=PHONE)
    services.code_send(phone=PHONE)
    right = code_in(outbox[0].text)

    results = right_at(
        N + 2,
        lambda: services.code_verify(phone=PHONE, code=_wrong(right)),
        lambda: services.code_verify(phone=PHONE, code=right),
    )

    assert results[N + 1] == "code_locked"
    assert owner not in results
    row = PhoneCode.objects.get()
    assert (row.tries, row.used_at) == (N, None)


# --------------------------------------------------------------------------- ID number


def test_the_right_id_number_at_position_seven_of_twenty_parallel_is_refused(outbox):
    """One session, twenty requests at once on the bind page (each its own connection)."""
    person = make_person("李业主", phone=PHONE)
    right = decrypt_id(person.id_encrypted)
    wrong = right[:-2] + ("00" if right[-2:] != "00" else "11")
    client = Client()
    client.post(LOGIN, {"form": "send_code", "phone": PHONE})
    response = client.post(
        LOGIN, {"form": "owner", "phone": PHONE, "code": code_in(outbox[-1].text)}
    )
    assert response.url.startswith(BIND)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    def bind(id_number):
        def post():
            same_session = Client()
            same_session.cookies[django_settings.SESSION_COOKIE_NAME] = session
            return same_session.post(BIND, {"id_number": id_number}).status_code

        return post

    right_at(N + 2, bind(wrong), bind(right))

    person.refresh_from_db()
    assert person.user_id is None
    assert PhoneCode.objects.get().id_tries == N


# --------------------------------------------------------------------------- TOTP


def test_the_right_totp_code_at_position_seven_of_twenty_parallel_is_refused(
    personas, settings, totp_token
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's delay off: the count alone must hold
    device = TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    right = totp_token(device)

    results = right_at(
        N + 2,
        lambda: services.totp_verify(user=personas.approver, token=_wrong(right)),
        lambda: services.totp_verify(user=personas.approver, token=right),
    )

    assert results[N + 1] == "otp_locked"
    assert results.count("otp_token_wrong") == N
    device.refresh_from_db()
    assert device.throttling_failure_count == N
    assert device.last_t == -1


# --------------------------------------------------------------------------- sends


def test_twenty_parallel_sends_to_an_owner_send_exactly_five_codes(outbox):
    OwnerUserFactory(phone=PHONE)

    results = in_threads([lambda: services.code_send(phone=PHONE)] * PARALLEL)

    assert results.count("code_send_limit") == PARALLEL - N
    assert PhoneCode.objects.filter(phone=PHONE).count() == N
    assert len(outbox) == N


def test_twenty_parallel_sends_to_a_phone_with_no_account_store_exactly_five(outbox):
    results = in_threads([lambda: services.code_send(phone="13900000099")] * PARALLEL)

    assert results.count("code_send_limit") == PARALLEL - N
    assert PhoneCode.objects.filter(phone="13900000099").count() == N
    assert outbox == []


def test_twenty_parallel_sends_from_one_address_send_exactly_its_limit(settings, outbox):
    """Through the login page: twenty phones with no account, one client address."""
    settings.GONGZHI_CODE_SENDS_PER_IP_PER_HOUR = 10

    def send(n):
        return lambda: Client(REMOTE_ADDR="203.0.113.5").post(
            LOGIN, {"form": "send_code", "phone": f"139000001{n:02d}"}
        )

    results = in_threads([send(n) for n in range(PARALLEL)])

    # A refused send shows the form again with its message (400, invalid input).
    assert all(getattr(r, "status_code", None) in (400, 302) for r in results)
    assert [r.status_code for r in results].count(302) == 10  # sent: back to the code step
    assert PhoneCode.objects.count() == 10
    assert TryCounter.objects.get(kind=TryCounter.Kind.CODE_SEND_IP).count == 10
    # The refused sends took nothing from their phones' own counts.
    assert TryCounter.objects.filter(kind=TryCounter.Kind.CODE_SEND).count() == 10
    assert Person.objects.count() == 0
