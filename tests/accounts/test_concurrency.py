"""Simultaneous requests for one phone: the limits hold (PostgreSQL row locks)."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import PhoneCode
from tests.factories import OwnerUserFactory
from tests.parallel import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONE = "13900000001"


def test_ten_simultaneous_sends_store_exactly_five_codes(outbox):
    OwnerUserFactory(phone=PHONE)
    results = in_threads([lambda: services.code_send(phone=PHONE)] * 10)
    assert results.count("code_send_limit") == 5
    assert PhoneCode.objects.filter(phone=PHONE).count() == 5
    assert len(outbox) == 5


def test_simultaneous_wrong_tries_are_all_counted(outbox):
    OwnerUserFactory(phone=PHONE)
    services.code_send(phone=PHONE)
    code = outbox[0].text.split("验证码是")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    results = in_threads([lambda: services.code_verify(phone=PHONE, code=wrong)] * 4)
    assert sorted(results) == ["code_wrong"] * 4
    assert PhoneCode.objects.get(phone=PHONE).tries == 4


def test_a_code_used_simultaneously_logs_in_once(outbox):
    owner = OwnerUserFactory(phone=PHONE)
    services.code_send(phone=PHONE)
    code = outbox[0].text.split("验证码是")[1][:6]
    results = in_threads([lambda: services.code_verify(phone=PHONE, code=code)] * 4)
    assert results.count(owner) == 1
    assert results.count("code_used") == 3
