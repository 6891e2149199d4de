"""Guessing limits, one request after another: the N-th try is checked, the N+1-th refused
without its secret being looked at, and the window's end starts a new count
(accounts/services/limits.py; the parallel attacks are in test_limits_parallel.py).

Limits: staff password 5 per username per 15 minutes; SMS code 5 tries per code; ID
number 5 tries per code; TOTP 5 per user per 15 minutes; sends 5 per phone and
GONGZHI_CODE_SENDS_PER_IP_PER_HOUR per client address per hour.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import PhoneCode, TryCounter
from accounts.services.limits import try_key
from accounts.views import client_address
from core.errors import DomainError
from tests.accounts.conftest import code_in
from tests.estates.helpers import make_person

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=SHANGHAI)
HOUR = timedelta(hours=1)
PASSWORD = "pass-word-123"  # tests/factories.py UserFactory
LOGIN = "/accounts/login/"
BIND = "/accounts/bind/"
VERIFY = "/accounts/otp/verify/"


def _refused(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


def _wrong(right: str) -> str:
    return "000000" if right != "000000" else "111111"


# --------------------------------------------------------------------------- the counter


def _reserve(subject="13900000123", now=T0, limit=5, window=HOUR):
    return services.try_reserve(
        kind=TryCounter.Kind.CODE_SEND, subject=subject, limit=limit, window=window, now=now
    )


def test_the_fifth_try_is_reserved_and_the_sixth_refused_without_counting():
    counts = [_reserve(now=T0 + timedelta(minutes=m)) for m in range(6)]

    assert [t.reserved for t in counts] == [True] * 5 + [False]
    assert [t.count for t in counts] == [1, 2, 3, 4, 5, 5]
    assert [t.left for t in counts] == [4, 3, 2, 1, 0, 0]
    assert counts[-1].window_ends == T0 + HOUR
    assert TryCounter.objects.get().count == 5


def test_the_window_ends_exactly_one_window_after_the_first_try():
    for m in range(5):
        _reserve(now=T0 + timedelta(minutes=m))

    assert not _reserve(now=T0 + HOUR - timedelta(microseconds=1)).reserved
    fresh = _reserve(now=T0 + HOUR)

    assert fresh.reserved and fresh.count == 1
    assert fresh.window_ends == T0 + 2 * HOUR


def test_subjects_and_kinds_are_counted_apart():
    for _ in range(5):
        _reserve(subject="13900000123")

    assert _reserve(subject="13900000124").reserved
    assert services.try_reserve(
        kind=TryCounter.Kind.CODE_SEND_IP, subject="13900000123", limit=5, window=HOUR, now=T0
    ).reserved


def test_the_counter_stores_no_phone_only_a_keyed_hash():
    _reserve(subject="13900000123")

    row = TryCounter.objects.get()
    assert row.key == try_key(kind=TryCounter.Kind.CODE_SEND, subject="13900000123")
    assert "13900000123" not in row.key and len(row.key) == 64
    # Keyed per kind: the same phone gives another key under another kind.
    assert row.key != try_key(kind=TryCounter.Kind.CODE_SEND_IP, subject="13900000123")


def test_purge_drops_counters_whose_window_began_more_than_a_day_ago():
    _reserve(subject="13900000123", now=T0)
    _reserve(subject="13900000124", now=T0 + timedelta(hours=2))

    assert services.tries_purge(now=T0 + timedelta(days=1, seconds=1)) == 1
    assert TryCounter.objects.count() == 1


# --------------------------------------------------------------------------- staff password


def _login(username, password, now=T0):
    return services.staff_login(request=None, username=username, password=password, now=now)


def test_the_right_password_at_the_fifth_try_is_checked_and_accepted(personas, checked_passwords):
    for m in range(4):
        _refused(lambda m=m: _login("reviewer", "wrong", T0 + timedelta(minutes=m)))

    assert _login("reviewer", PASSWORD, T0 + timedelta(minutes=4)) == personas.reviewer
    assert len(checked_passwords) == 5
    assert not TryCounter.objects.filter(kind=TryCounter.Kind.PASSWORD).exists()


def test_the_sixth_password_is_refused_without_being_checked(personas, checked_passwords):
    for m in range(5):
        _refused(lambda m=m: _login("reviewer", "wrong", T0 + timedelta(minutes=m)))
    assert len(checked_passwords) == 5

    error = _refused(lambda: _login("reviewer", PASSWORD, T0 + timedelta(minutes=5)))

    assert error.code == "login_locked"
    assert error.message == "该用户名登录失败次数过多，请于 09:15 后再试"
    assert len(checked_passwords) == 5  # the right password was never hashed


def test_a_new_password_window_opens_fifteen_minutes_after_the_first_try(personas):
    for m in range(5):
        _refused(lambda m=m: _login("reviewer", "wrong", T0 + timedelta(minutes=m)))

    early = _refused(
        lambda: _login("reviewer", PASSWORD, T0 + timedelta(minutes=15, microseconds=-1))
    )

    assert early.code == "login_locked"
    assert _login("reviewer", PASSWORD, T0 + timedelta(minutes=15)) == personas.reviewer


def test_the_django_admin_login_sends_to_the_limited_staff_form(client, personas):
    response = client.get("/django-admin/login/?next=/django-admin/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/django-admin/"
    response = client.post("/django-admin/login/", {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --------------------------------------------------------------------------- SMS code tries

PHONE = "13900000077"


@pytest.fixture
def owner(outbox):
    from tests.factories import OwnerUserFactory

    return OwnerUserFactory(phone=PHONE, display_name="王业主")


def test_the_right_code_at_the_fifth_try_logs_in(owner, send_code, outbox):
    send_code(PHONE, now=T0)
    right = code_in(outbox[0].text)
    for _ in range(4):
        _refused(lambda: services.code_verify(phone=PHONE, code=_wrong(right), now=T0))

    assert services.code_verify(phone=PHONE, code=right, now=T0) == owner
    assert PhoneCode.objects.get().tries == 5


def test_a_sixth_code_try_is_refused_before_the_code_is_compared(owner, send_code, outbox):
    send_code(PHONE, now=T0)
    right = code_in(outbox[0].text)
    for _ in range(5):
        _refused(lambda: services.code_verify(phone=PHONE, code=_wrong(right), now=T0))

    error = _refused(lambda: services.code_verify(phone=PHONE, code=right, now=T0))

    assert error.code == "code_locked"
    row = PhoneCode.objects.get()
    assert (row.tries, row.used_at) == (5, None)


def test_a_new_code_after_five_wrong_tries_gets_five_new_tries(owner, send_code, outbox):
    send_code(PHONE, now=T0)
    for _ in range(5):
        _refused(
            lambda: services.code_verify(phone=PHONE, code=_wrong(code_in(outbox[0].text)), now=T0)
        )

    send_code(PHONE, now=T0 + timedelta(minutes=1))
    right = code_in(outbox[1].text)
    for _ in range(4):
        _refused(
            lambda: services.code_verify(
                phone=PHONE, code=_wrong(right), now=T0 + timedelta(minutes=1)
            )
        )

    assert services.code_verify(phone=PHONE, code=right, now=T0 + timedelta(minutes=1)) == owner


def test_an_expired_code_costs_no_try(owner, send_code, outbox):
    send_code(PHONE, now=T0)
    right = code_in(outbox[0].text)

    error = _refused(
        lambda: services.code_verify(phone=PHONE, code=right, now=T0 + timedelta(minutes=5))
    )

    assert error.code == "code_expired"
    assert PhoneCode.objects.get().tries == 0


# --------------------------------------------------------------------------- sends


def test_a_phone_with_no_account_gets_a_counter_row_and_the_same_limit(send_code):
    for m in range(5):
        send_code("13900000099", now=T0 + timedelta(minutes=m))

    error = _refused(lambda: send_code("13900000099", now=T0 + timedelta(minutes=5)))

    assert error.code == "code_send_limit"
    assert TryCounter.objects.get(kind=TryCounter.Kind.CODE_SEND).count == 5
    assert PhoneCode.objects.count() == 5


def test_the_address_limit_allows_exactly_its_number_of_sends_across_phones(settings, send_code):
    settings.GONGZHI_CODE_SENDS_PER_IP_PER_HOUR = 3
    for n in range(3):
        send_code(f"1390000010{n}", client_ip="203.0.113.5", now=T0 + timedelta(minutes=n))

    error = _refused(
        lambda: send_code("13900000109", client_ip="203.0.113.5", now=T0 + timedelta(minutes=3))
    )

    assert error.code == "code_send_ip_limit"
    assert error.message == "您所在的网络1小时内已发送3次验证码，请于 10:00 后再试"
    assert PhoneCode.objects.count() == 3
    # The refused send did not use up the phone's own count either.
    assert not TryCounter.objects.filter(
        kind=TryCounter.Kind.CODE_SEND,
        key=try_key(kind=TryCounter.Kind.CODE_SEND, subject="13900000109"),
    ).exists()
    # Another address, and the same address once its hour has passed, may send.
    send_code("13900000109", client_ip="198.51.100.7", now=T0 + timedelta(minutes=3))
    send_code("13900000108", client_ip="203.0.113.5", now=T0 + HOUR)


def test_a_send_refused_for_the_phone_does_not_use_up_the_address(settings, send_code):
    settings.GONGZHI_CODE_SENDS_PER_IP_PER_HOUR = 6
    for m in range(5):
        send_code(PHONE, client_ip="203.0.113.5", now=T0 + timedelta(minutes=m))
    for m in range(3):
        _refused(
            lambda m=m: send_code(
                PHONE, client_ip="203.0.113.5", now=T0 + timedelta(minutes=10 + m)
            )
        )

    send_code("13900000100", client_ip="203.0.113.5", now=T0 + timedelta(minutes=20))
    error = _refused(
        lambda: send_code("13900000101", client_ip="203.0.113.5", now=T0 + timedelta(minutes=21))
    )
    assert error.code == "code_send_ip_limit"


def test_the_login_page_counts_sends_by_client_address(settings, outbox):
    settings.GONGZHI_CODE_SENDS_PER_IP_PER_HOUR = 2
    client = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(2):
        client.post(LOGIN, {"form": "send_code", "phone": f"1390000010{n}"})

    response = Client(REMOTE_ADDR="203.0.113.5").post(
        LOGIN, {"form": "send_code", "phone": "13900000109"}
    )

    assert response.status_code == 400
    assert "您所在的网络1小时内已发送2次验证码" in response.content.decode()
    assert PhoneCode.objects.count() == 2


def test_no_phone_or_address_reaches_the_log_when_sends_are_refused(settings, send_code, caplog):
    settings.GONGZHI_CODE_SENDS_PER_IP_PER_HOUR = 1
    with caplog.at_level(logging.DEBUG):
        send_code("13900000100", client_ip="203.0.113.5", now=T0)
        _refused(lambda: send_code("13900000101", client_ip="203.0.113.5", now=T0))

    assert "13900000100" not in caplog.text and "13900000101" not in caplog.text
    assert "203.0.113.5" not in caplog.text


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "seen"),
    [
        (0, "198.51.100.7", "203.0.113.5", "203.0.113.5"),  # no proxy: the header is ignored
        (1, "198.51.100.7", "127.0.0.1", "198.51.100.7"),  # nginx appended the client
        (1, "1.2.3.4, 198.51.100.7", "127.0.0.1", "198.51.100.7"),  # forged entry ignored
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.2", "127.0.0.1", "198.51.100.7"),
        (1, "", "127.0.0.1", "127.0.0.1"),  # header missing: the proxy's address
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings, rf, proxies, forwarded, remote, seen
):
    settings.GONGZHI_TRUSTED_PROXIES = proxies
    request = rf.post(LOGIN, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == seen


# --------------------------------------------------------------------------- ID number


@pytest.fixture
def unbound(outbox):
    """A register person whose phone has no login yet: the first login asks the ID number."""
    return make_person("李业主", phone=PHONE)


def _verified_code(send_code, outbox) -> int:
    send_code(PHONE)
    binding = _refused(lambda: services.code_verify(phone=PHONE, code=code_in(outbox[-1].text)))
    assert binding.code == "binding_required"
    return binding.code_pk


def test_id_tries_are_reserved_five_per_verified_code(unbound, send_code, outbox):
    code_pk = _verified_code(send_code, outbox)

    left = [services.id_number_try_reserve(phone=PHONE, code_pk=code_pk) for _ in range(5)]
    error = _refused(lambda: services.id_number_try_reserve(phone=PHONE, code_pk=code_pk))

    assert left == [4, 3, 2, 1, 0]
    assert error.code == "id_tries_used_up"
    assert PhoneCode.objects.get(pk=code_pk).id_tries == 5


@pytest.mark.parametrize("case", ["unused code", "other phone", "no code"])
def test_no_id_try_without_a_verified_code_of_that_phone(unbound, send_code, outbox, case):
    if case == "unused code":
        send_code(PHONE)
        phone, code_pk = PHONE, PhoneCode.objects.get().pk
    elif case == "other phone":
        phone, code_pk = "13900000078", _verified_code(send_code, outbox)
    else:
        phone, code_pk = PHONE, None

    error = _refused(lambda: services.id_number_try_reserve(phone=phone, code_pk=code_pk))

    assert error.code == "id_tries_used_up"


def test_a_new_code_gives_five_new_id_tries(unbound, send_code, outbox):
    first = _verified_code(send_code, outbox)
    for _ in range(5):
        services.id_number_try_reserve(phone=PHONE, code_pk=first)

    second = _verified_code(send_code, outbox)

    assert services.id_number_try_reserve(phone=PHONE, code_pk=second) == 4


def test_the_bind_page_refuses_a_sixth_id_number_even_if_right(unbound, send_code, outbox):
    from estates.crypto import decrypt_id

    client = Client()
    send_code(PHONE)
    client.post(LOGIN, {"form": "owner", "phone": PHONE, "code": code_in(outbox[-1].text)})
    code_pk = client.session["gongzhi_bind_code"]
    for _ in range(5):
        services.id_number_try_reserve(phone=PHONE, code_pk=code_pk)  # five tries elsewhere

    response = client.post(BIND, {"id_number": decrypt_id(unbound.id_encrypted)})

    assert response.status_code == 302 and response.url.startswith(LOGIN)
    unbound.refresh_from_db()
    assert unbound.user_id is None


# --------------------------------------------------------------------------- TOTP


@pytest.fixture
def device(personas, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's delay off: the count alone holds
    return TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)


def test_the_right_totp_code_at_the_fifth_try_passes(personas, device, totp_token):
    right = totp_token(device)
    for _ in range(4):
        _refused(lambda: services.totp_verify(user=personas.approver, token=_wrong(right)))

    assert services.totp_verify(user=personas.approver, token=right) == device
    assert not TryCounter.objects.filter(kind=TryCounter.Kind.TOTP).exists()


def test_a_sixth_totp_code_is_refused_before_it_is_checked(personas, device, totp_token):
    right = totp_token(device)
    for _ in range(5):
        _refused(lambda: services.totp_verify(user=personas.approver, token=_wrong(right)))

    error = _refused(lambda: services.totp_verify(user=personas.approver, token=right))

    assert error.code == "otp_locked"
    device.refresh_from_db()
    assert device.throttling_failure_count == 5  # the sixth was never compared
    assert device.last_t == -1  # the right code was not consumed either


def test_the_totp_count_starts_again_fifteen_minutes_after_the_first_try(
    personas, device, totp_token
):
    right = totp_token(device)
    for _ in range(5):
        _refused(lambda: services.totp_verify(user=personas.approver, token=_wrong(right)))
    # The window began fifteen minutes ago.
    TryCounter.objects.filter(kind=TryCounter.Kind.TOTP).update(
        window_start=datetime.now(tz=SHANGHAI) - timedelta(minutes=15)
    )

    assert services.totp_verify(user=personas.approver, token=right) == device


def test_enrolment_codes_share_the_totp_count(personas, settings, totp_token):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = services.totp_device_start(user=personas.approver)
    right = totp_token(device)
    for _ in range(5):
        _refused(
            lambda: services.totp_device_confirm(
                user=personas.approver, device=device, token=_wrong(right)
            )
        )

    error = _refused(
        lambda: services.totp_device_confirm(user=personas.approver, device=device, token=right)
    )

    assert error.code == "otp_locked"
    device.refresh_from_db()
    assert device.confirmed is False


def test_the_totp_page_shows_the_lock(client, personas, device, totp_token):
    client.force_login(personas.approver)
    right = totp_token(device)
    for _ in range(5):
        client.post(VERIFY, {"token": _wrong(right)})

    response = client.post(VERIFY, {"token": right})

    assert response.status_code == 400
    assert "动态口令错误次数过多，请于" in response.content.decode()
    assert reverse("accounts:otp_verify") == VERIFY
