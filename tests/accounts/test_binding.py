"""First login of an owner: one-time code + resident ID number matching the register (RULES §3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import sms
from accounts.models import RoleAssignment, User
from estates.crypto import encrypt_id, id_hmac
from estates.models import Building, Ownership, Person, Unit
from tests.factories import make_ric

PHONE = "13912345678"


def _person(district, *, phone=PHONE, n=7, area=None):
    number = make_ric(n)
    person = Person.objects.create(
        name="孙业主",
        id_encrypted=encrypt_id(number),
        id_hmac=id_hmac(number),
        id_prefix=number[:4],
        id_last4=number[-4:],
        phone=phone,
    )
    area = area or district.a1
    building, _ = Building.objects.get_or_create(area=area, name="1栋")
    unit = Unit.objects.create(
        area=area,
        building=building,
        code=f"1栋-1单元-{100 + n}",
        stair="1单元",
        number=str(100 + n),
        use="住宅",
        registered_area=Decimal("89.50"),
        area_basis="registered",
        floor_area=Decimal("89.50"),
    )
    Ownership.objects.create(unit=unit, person=person, since=date(2020, 1, 1))
    return person, number


@pytest.fixture
def outbox(settings):
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _code_for(outbox, phone):
    import re

    text = [m for m in outbox if m.phone == phone][-1].text
    return re.search(r"(\d{6})", text).group(1)


def _login_with_code(client, outbox, phone=PHONE):
    client.post(reverse("accounts:login"), {"form": "send_code", "phone": phone})
    code = _code_for(outbox, phone)
    return client.post(reverse("accounts:login"), {"form": "owner", "phone": phone, "code": code})


@pytest.mark.django_db(transaction=True)
def test_register_phone_gets_a_code_and_binds_with_the_right_id_number(client, district, outbox):
    person, number = _person(district)
    response = _login_with_code(client, outbox)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:bind"))
    assert "_auth_user_id" not in client.session  # not logged in before the ID check

    response = client.post(reverse("accounts:bind"), {"id_number": number})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user is not None and person.user.phone == PHONE
    assert int(client.session["_auth_user_id"]) == person.user.pk
    assert RoleAssignment.objects.filter(user=person.user, role="owner", area=district.a1).exists()


@pytest.mark.django_db(transaction=True)
def test_wrong_id_number_binds_nothing(client, district, outbox):
    person, _number = _person(district)
    _login_with_code(client, outbox)
    response = client.post(reverse("accounts:bind"), {"id_number": make_ric(99)})
    assert response.status_code == 400
    assert "不一致" in response.content.decode()
    person.refresh_from_db()
    assert person.user is None
    assert not User.objects.filter(phone=PHONE).exists()


@pytest.mark.django_db(transaction=True)
def test_id_number_of_someone_listed_with_another_phone_is_refused(client, district, outbox):
    _person(district)
    _other, other_number = _person(district, phone="13700000000", n=8)
    _login_with_code(client, outbox)
    response = client.post(reverse("accounts:bind"), {"id_number": other_number})
    assert "不一致" in response.content.decode()
    assert not User.objects.filter(phone=PHONE).exists()


@pytest.mark.django_db(transaction=True)
def test_five_wrong_id_numbers_restart_the_login(client, district, outbox):
    _person(district)
    _login_with_code(client, outbox)
    for n in range(5):
        response = client.post(reverse("accounts:bind"), {"id_number": make_ric(200 + n)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert client.get(reverse("accounts:bind")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_phone_not_in_the_register_gets_no_sms(client, district, outbox):
    client.post(reverse("accounts:login"), {"form": "send_code", "phone": "13911112222"})
    assert [m for m in outbox if m.phone == "13911112222"] == []


@pytest.mark.django_db
def test_bind_page_without_a_verified_phone_sends_to_login(client):
    response = client.get(reverse("accounts:bind"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db(transaction=True)
def test_bound_owner_logs_in_next_time_with_the_code_alone(client, district, outbox):
    _bound, number = _person(district)
    _login_with_code(client, outbox)
    client.post(reverse("accounts:bind"), {"id_number": number})
    client.logout()
    response = _login_with_code(client, outbox)
    assert response.status_code == 302
    assert not response.url.startswith(reverse("accounts:bind"))
    assert "_auth_user_id" in client.session
