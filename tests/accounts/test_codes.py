"""One-time login codes: hashing at rest, expiry, send and try limits, single use (RULES.md §3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.db import connection

from accounts import services
from accounts.models import PhoneCode
from core.errors import DomainError
from tests.factories import OwnerUserFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=SHANGHAI)
PHONE = "13900000001"


@pytest.fixture
def owner(db):
    return OwnerUserFactory(phone=PHONE, display_name="王业主")


def _refused(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


@pytest.mark.django_db
def test_code_is_stored_only_as_keyed_hash(owner, send_code, outbox, sms_code):
    send_code(PHONE)
    code = sms_code(outbox[0].text)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_phonecode")
        rows = cursor.fetchall()
    assert len(rows) == 1
    raw = " ".join(str(value) for value in rows[0])
    assert code not in raw
    assert PhoneCode.objects.get().code_hash == services.code_hash(phone=PHONE, code=code)
    assert len(PhoneCode.objects.get().code_hash) == 64


@pytest.mark.django_db
def test_code_hash_depends_on_the_phone():
    assert services.code_hash(phone="13900000001", code="123456") != services.code_hash(
        phone="13900000002", code="123456"
    )


@pytest.mark.django_db
def test_registered_owner_gets_one_sms_with_a_six_digit_code(owner, send_code, outbox):
    send_code(PHONE)
    assert len(outbox) == 1
    assert outbox[0].phone == PHONE
    assert "5分钟内有效" in outbox[0].text


@pytest.mark.django_db
def test_no_sms_is_sent_before_the_transaction_commits(owner, outbox):
    # Without running on-commit callbacks the SMS has not gone out (STYLE.md §6).
    services.code_send(phone=PHONE)
    assert outbox == []


@pytest.mark.django_db
def test_unknown_phone_gets_no_sms_but_the_same_answer(send_code, outbox):
    sent = send_code("13900000099", now=T0)
    assert outbox == []
    assert sent == services.CodeSent(phone="13900000099", expires_at=T0 + timedelta(seconds=300))
    assert PhoneCode.objects.filter(phone="13900000099").count() == 1


@pytest.mark.django_db
def test_staff_account_with_a_phone_gets_no_code(send_code, outbox):
    UserFactory(username="reviewer2", phone=PHONE)
    send_code(PHONE)
    assert outbox == []


@pytest.mark.django_db
def test_disabled_owner_gets_no_code(send_code, outbox):
    OwnerUserFactory(phone=PHONE, is_active=False)
    send_code(PHONE)
    assert outbox == []


@pytest.mark.django_db
def test_phone_written_with_country_code_is_normalised(owner, send_code, outbox):
    send_code("+86 139-0000-0001")
    assert [m.phone for m in outbox] == [PHONE]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["", "1390000000", "23900000001", "1390000000a"])
def test_bad_phone_is_refused_with_a_field_error(bad, outbox):
    error = _refused(lambda: services.code_send(phone=bad))
    assert error.code == "phone_invalid"
    assert error.fields == {"phone": "请输入11位中国大陆手机号码。"}
    assert PhoneCode.objects.count() == 0


@pytest.mark.django_db
def test_code_is_valid_just_before_its_time_to_live_ends(owner, send_code, outbox, sms_code):
    send_code(PHONE, now=T0)
    code = sms_code(outbox[0].text)
    user = services.code_verify(
        phone=PHONE, code=code, now=T0 + timedelta(seconds=300) - timedelta(microseconds=1)
    )
    assert user == owner


@pytest.mark.django_db
def test_code_expires_at_exactly_its_time_to_live(owner, send_code, outbox, sms_code):
    send_code(PHONE, now=T0)
    code = sms_code(outbox[0].text)
    error = _refused(
        lambda: services.code_verify(phone=PHONE, code=code, now=T0 + timedelta(seconds=300))
    )
    assert error.code == "code_expired"
    assert error.message == "验证码已过期，请重新获取"


@pytest.mark.django_db
def test_fifth_send_in_an_hour_is_allowed_and_sixth_refused_with_the_time(owner, send_code):
    for minute in range(5):
        send_code(PHONE, now=T0 + timedelta(minutes=minute))
    error = _refused(lambda: send_code(PHONE, now=T0 + timedelta(minutes=10)))
    assert error.code == "code_send_limit"
    assert error.message == "该手机号1小时内已发送5次验证码，请于 10:00 后再试"
    assert PhoneCode.objects.filter(phone=PHONE).count() == 5


@pytest.mark.django_db
def test_retry_time_is_rounded_up_to_the_next_minute(owner, send_code):
    start = T0 + timedelta(seconds=20)
    for minute in range(5):
        send_code(PHONE, now=start + timedelta(minutes=minute))
    error = _refused(lambda: send_code(PHONE, now=start + timedelta(minutes=5)))
    assert error.message == "该手机号1小时内已发送5次验证码，请于 10:01 后再试"


@pytest.mark.django_db
def test_send_is_allowed_again_when_the_oldest_leaves_the_hour(owner, send_code, outbox):
    for minute in range(5):
        send_code(PHONE, now=T0 + timedelta(minutes=minute))
    just_before = T0 + timedelta(hours=1) - timedelta(microseconds=1)
    assert _refused(lambda: send_code(PHONE, now=just_before)).code == "code_send_limit"
    send_code(PHONE, now=T0 + timedelta(hours=1))
    assert len(outbox) == 6


@pytest.mark.django_db
def test_unknown_phone_meets_the_same_send_limit(send_code):
    for minute in range(5):
        send_code("13900000099", now=T0 + timedelta(minutes=minute))
    error = _refused(lambda: send_code("13900000099", now=T0 + timedelta(minutes=5)))
    assert error.message == "该手机号1小时内已发送5次验证码，请于 10:00 后再试"


@pytest.mark.django_db
def test_wrong_tries_count_down_and_the_fifth_kills_the_code(owner, send_code, outbox, sms_code):
    send_code(PHONE)
    right = sms_code(outbox[0].text)
    wrong = "000000" if right != "000000" else "111111"
    messages = [
        _refused(lambda: services.code_verify(phone=PHONE, code=wrong)).message for _ in range(5)
    ]
    assert messages == [
        "验证码错误，还可再试4次",
        "验证码错误，还可再试3次",
        "验证码错误，还可再试2次",
        "验证码错误，还可再试1次",
        "验证码错误次数过多，请重新获取验证码",
    ]
    error = _refused(lambda: services.code_verify(phone=PHONE, code=right))
    assert error.message == "验证码错误次数过多，请重新获取验证码"
    assert PhoneCode.objects.get().tries == 5


@pytest.mark.django_db
def test_a_wrong_try_is_committed_although_an_error_is_raised(owner, send_code, outbox, sms_code):
    send_code(PHONE)
    wrong = "000000" if sms_code(outbox[0].text) != "000000" else "111111"
    _refused(lambda: services.code_verify(phone=PHONE, code=wrong))
    assert PhoneCode.objects.get().tries == 1


@pytest.mark.django_db
def test_code_works_once(owner, send_code, outbox, sms_code):
    send_code(PHONE)
    code = sms_code(outbox[0].text)
    assert services.code_verify(phone=PHONE, code=code) == owner
    error = _refused(lambda: services.code_verify(phone=PHONE, code=code))
    assert error.code == "code_used"
    assert error.message == "验证码已使用，请重新获取"


@pytest.mark.django_db
def test_a_new_code_retires_the_previous_one(owner, send_code, outbox, sms_code):
    send_code(PHONE, now=T0)
    send_code(PHONE, now=T0 + timedelta(seconds=30))
    first, second = (sms_code(m.text) for m in outbox)
    if first != second:
        error = _refused(
            lambda: services.code_verify(phone=PHONE, code=first, now=T0 + timedelta(seconds=40))
        )
        assert error.code == "code_wrong"
    assert services.code_verify(phone=PHONE, code=second, now=T0 + timedelta(seconds=41)) == owner


@pytest.mark.django_db
def test_verifying_without_a_code_sent_asks_for_one(owner):
    error = _refused(lambda: services.code_verify(phone=PHONE, code="123456"))
    assert error.code == "code_missing"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_malformed_code_is_a_field_error_and_costs_no_try(bad, owner, send_code):
    send_code(PHONE)
    error = _refused(lambda: services.code_verify(phone=PHONE, code=bad))
    assert error.fields == {"code": "请输入6位数字验证码。"}
    assert PhoneCode.objects.get().tries == 0


@pytest.mark.django_db
def test_unknown_phone_fails_verification_like_a_wrong_code(send_code):
    send_code("13900000099")
    error = _refused(lambda: services.code_verify(phone="13900000099", code="123456"))
    assert error.message == "验证码错误，还可再试4次"


@pytest.mark.django_db
def test_backend_authenticates_a_phone_and_code(owner, send_code, outbox, sms_code):
    send_code(PHONE)
    user = authenticate(None, phone=PHONE, code=sms_code(outbox[0].text))
    assert user == owner
    assert user.backend == "accounts.backends.PhoneCodeBackend"


@pytest.mark.django_db
def test_purge_removes_codes_older_than_a_day_only(send_code):
    send_code("13900000099", now=T0)
    send_code("13900000098", now=T0 + timedelta(hours=2))
    assert services.code_purge(now=T0 + timedelta(hours=24, seconds=1)) == 1
    assert list(PhoneCode.objects.values_list("phone", flat=True)) == ["13900000098"]
