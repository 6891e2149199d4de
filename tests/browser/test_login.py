"""Logging in on a phone-sized screen (375 px), in a real browser against the live server.

Owners log in by phone + one-time code (RULES.md §3), the first time also
with their resident ID number; a bureau approver logs in by password and
must enrol TOTP before any page of the bureau opens (DESIGN.md "People and
roles"). On every page the test visits, nothing may be wider than the phone.
"""

from __future__ import annotations

import re
from base64 import b32encode
from datetime import date
from decimal import Decimal

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from accounts.services import owner_user_ensure, role_grant
from estates.crypto import encrypt_id, id_hmac
from estates.models import Building, Ownership, Person, Unit
from tests.factories import UserFactory, grant, make_ric

from .helpers import fits_width, sms_code

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWNER_PHONE = "13800000011"
NEW_OWNER_PHONE = "13912345678"


def _request_code(page, phone_number: str) -> None:
    page.goto("/accounts/login/")
    assert fits_width(page)
    page.get_by_label("手机号", exact=True).fill(phone_number)
    page.get_by_role("button", name="获取验证码", exact=True).click()
    # The same page comes back with the code field (accounts.views.login_view).
    expect(page.get_by_label("验证码", exact=True)).to_be_visible()
    assert fits_width(page)


def _enter_code(page, code: str) -> None:
    page.get_by_label("验证码", exact=True).fill(code)
    owner_form = page.locator("form", has=page.locator("input[name=form][value=owner]"))
    owner_form.get_by_role("button", name="登录").click()


def test_a_bound_owner_logs_in_with_phone_and_code_and_sees_name_and_role(
    phone, sms_outbox, district
):
    user = owner_user_ensure(phone=OWNER_PHONE, display_name="陈立新")
    role_grant(user=user, role=Role.OWNER, scope=district.a1)

    _request_code(phone, OWNER_PHONE)
    assert phone.get_by_label("手机号", exact=True).input_value() == OWNER_PHONE
    _enter_code(phone, sms_code(sms_outbox, OWNER_PHONE))

    expect(phone).to_have_url(re.compile(r"/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("您好，陈立新")
    expect(phone.get_by_text("您的身份：业主")).to_be_visible()
    assert fits_width(phone)


def _register_person(district) -> tuple[Person, str]:
    """An owner the register lists with a phone but who has never logged in."""
    number = make_ric(7)
    person = Person.objects.create(
        name="孙业主",
        id_encrypted=encrypt_id(number),
        id_hmac=id_hmac(number),
        id_prefix=number[:4],
        id_last4=number[-4:],
        phone=NEW_OWNER_PHONE,
    )
    building = Building.objects.create(area=district.a1, name="1栋")
    unit = Unit.objects.create(
        area=district.a1,
        building=building,
        code="1栋-1单元-101",
        stair="1单元",
        number="101",
        use="住宅",
        registered_area=Decimal("89.50"),
        area_basis="registered",
        floor_area=Decimal("89.50"),
    )
    Ownership.objects.create(unit=unit, person=person, since=date(2020, 1, 1))
    return person, number


def test_an_owner_binds_the_phone_with_the_id_number_at_first_login(phone, sms_outbox, district):
    person, number = _register_person(district)

    _request_code(phone, NEW_OWNER_PHONE)
    _enter_code(phone, sms_code(sms_outbox, NEW_OWNER_PHONE))

    expect(phone).to_have_url(re.compile(r"/accounts/bind/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("首次登录：核对身份")
    assert fits_width(phone)
    phone.get_by_label("居民身份证号码").fill(number)
    phone.get_by_role("button", name="核对并绑定").click()

    expect(phone).to_have_url(re.compile(r"/$"))
    expect(phone.get_by_text("绑定成功。今后用手机号和验证码即可登录。")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_have_text("您好，孙业主")
    expect(phone.get_by_text("您的身份：业主")).to_be_visible()
    assert fits_width(phone)
    person.refresh_from_db()
    assert person.user.phone == NEW_OWNER_PHONE


def _current_code(device: TOTPDevice) -> str:
    """What an authenticator app holding the device's key shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def test_an_approver_enrols_totp_before_reaching_the_audit_page(phone):
    approver = UserFactory(username="approver", display_name="吴审批")
    grant(approver, Role.BUREAU_APPROVER)

    phone.goto("/accounts/login/")
    phone.get_by_text("工作人员：用户名 + 密码").click()
    phone.get_by_label("用户名", exact=True).fill("approver")
    phone.get_by_label("密码", exact=True).fill("pass-word-123")
    staff_form = phone.locator("form", has=phone.locator("input[name=form][value=staff]"))
    staff_form.get_by_role("button", name="登录").click()

    expect(phone).to_have_url(re.compile(r"/accounts/otp/setup/"))
    expect(phone.locator(".qr svg")).to_be_visible()
    assert fits_width(phone)

    # Until TOTP is confirmed, no bureau page opens: back to enrolment, remembering where to.
    phone.goto("/audit/")
    expect(phone).to_have_url(re.compile(r"/accounts/otp/setup/\?next=%2Faudit%2F$"))
    expect(phone.get_by_role("heading", name="审计链")).to_have_count(0)

    device = TOTPDevice.objects.get(user=approver, confirmed=False)
    secret = b32encode(device.bin_key).decode()
    shown = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    expect(phone.locator("#otp-secret")).to_have_text(shown)
    phone.get_by_label("动态口令").fill(_current_code(device))
    phone.get_by_role("button", name="完成绑定").click()

    expect(phone).to_have_url(re.compile(r"/audit/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("审计链")
    expect(phone.get_by_text("动态口令已绑定，本次登录已通过验证。")).to_be_visible()
    expect(phone.get_by_role("cell", name="user.totp_enrolled")).to_be_visible()
    assert fits_width(phone)
    device.refresh_from_db()
    assert device.confirmed is True


def test_the_width_check_catches_a_page_wider_than_the_phone(phone):
    # Chromium zooms a mobile page out to fit wide content, so this must fail
    # even though the overflow is only 45 px (see helpers.FITS_WIDTH_JS).
    phone.set_content(
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<div style="width: 420px">宽</div>'
    )
    assert phone.evaluate("document.documentElement.clientWidth") == 375
    assert fits_width(phone) is False
