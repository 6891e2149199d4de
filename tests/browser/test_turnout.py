"""The convener's turnout help on a 375 px phone (Playwright, live server): the page fits,
the reminder is confirmed with its text and count before anything is sent, and a second
reminder the same day is refused with nothing sent.
"""

from __future__ import annotations

import pytest

from tests.voting.conftest import ORDINARY, build_register, make_assembly
from tests.voting.conftest import open_assembly as open_now
from voting import services
from voting.models import TurnoutReminder

from .helpers import fits_width, session_log_in

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_convener_reminds_the_non_voters_on_a_phone(
    phone, live_server, district, personas, sms_outbox
):
    register = build_register(
        district.a1, [("张三", ["89.50"]), ("李四", ["100.00"]), ("王五", ["120.25"])]
    )
    assembly = open_now(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY,)), personas.committee
    )
    services.ballot_cast(assembly=assembly, choices={"m1": "approve"}, actor=register.user("张三"))
    session_log_in(phone, live_server, personas.committee)

    phone.goto(f"/voting/{assembly.pk}/turnout/")
    expect(phone.get_by_role("heading", name="催投助手")).to_be_visible()
    expect(phone.locator("#unvoted")).to_contain_text("李*")
    expect(phone.locator("#unvoted")).not_to_contain_text("张*")
    assert fits_width(phone)

    phone.get_by_role("link", name="发送催投短信").click()
    expect(phone.locator("[data-text]")).to_contain_text("您的表决权尚未投票")
    expect(phone.get_by_text("将发送给 2 人", exact=False)).to_be_visible()
    assert fits_width(phone)
    assert TurnoutReminder.objects.count() == 0
    phone.get_by_role("button", name="确认发送给 2 人").click()

    expect(phone.locator("#reminders [data-reminder]")).to_have_count(1)
    # The round's progress from the text queue: sent / total / failed.
    expect(phone.locator("#reminders [data-reminder-sends]")).to_have_attribute(
        "data-reminder-sends", "2/2/0"
    )
    reminded = [m.phone for m in sms_outbox if "尚未投票" in m.text]
    assert sorted(reminded) == sorted(register.person(n).phone for n in ("李四", "王五"))

    phone.goto(f"/voting/{assembly.pk}/turnout/remind/")
    expect(phone.locator("[data-refusal]")).to_contain_text("今天已发送过催投提醒")
    expect(phone.get_by_role("button", name="确认发送给", exact=False)).to_have_count(0)
    assert fits_width(phone)
