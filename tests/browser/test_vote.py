"""An owner votes end to end on a 375 px phone page (Playwright, live server).

The owner is on the frozen roll of an open assembly (tests/voting/conftest.py
builds it through the services); the session is the one Django's test
client makes for that login, handed to the browser as its cookie, because
logging in by SMS is tested in test_login.py. On every page the owner sees,
nothing may be wider than the phone.
"""

from __future__ import annotations

import pytest

from tests.voting.conftest import (
    ELECTION,
    ORDINARY,
    SPECIAL,
    build_register,
    close,
    make_assembly,
)
from tests.voting.conftest import open_assembly as open_now
from voting.models import Ballot

from .helpers import fits_width, session_log_in

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_votes_on_a_phone_and_sees_the_receipt(phone, live_server, district, personas):
    register = build_register(district.a1, [("甲", ["89.50"]), ("乙", ["100.00"])])
    assembly = open_now(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY, SPECIAL, ELECTION)),
        personas.committee,
    )
    session_log_in(phone, live_server, register.user("甲"))

    phone.goto("/voting/mine/")
    expect(phone.get_by_role("heading", name="我的表决")).to_be_visible()
    assert fits_width(phone)
    phone.get_by_role("link", name="去投票").click()

    expect(phone.get_by_role("heading", name=assembly.title)).to_be_visible()
    assert fits_width(phone)
    m1 = phone.locator("#motion-m1")
    m1.get_by_label("同意").check()
    # The special motion left unanswered first: the page says so and keeps the answers.
    phone.get_by_role("button", name="下一步：核对").click()
    expect(phone.locator("#motion-m2 .errorlist")).to_contain_text("请对本议题作出选择")
    assert fits_width(phone)
    expect(phone.locator("#motion-m1").get_by_label("同意")).to_be_checked()
    phone.locator("#motion-m2").get_by_label("反对").check()
    phone.locator("#motion-m3").get_by_label("张三").check()
    phone.locator("#motion-m3").get_by_label("王五").check()
    phone.get_by_role("button", name="下一步：核对").click()

    expect(phone.get_by_text("确认提交，提交后不可更改")).to_be_visible()
    expect(phone.get_by_text("张三、王五")).to_be_visible()
    assert fits_width(phone)
    assert Ballot.objects.filter(assembly=assembly).count() == 0
    phone.get_by_role("button", name="确认提交", exact=True).click()

    expect(phone.get_by_role("heading", name="投票回执")).to_be_visible()
    assert fits_width(phone)
    ballot = Ballot.objects.get(assembly=assembly)
    assert ballot.choices == {"m1": "approve", "m2": "reject", "m3": ["c1", "c3"]}
    expect(phone.locator("[data-tracker]")).to_have_text(ballot.tracker)
    expect(phone.locator("[data-hash]")).to_have_text(ballot.hash)

    # After close the owner looks the tracker up on the public board, on the same phone.
    close(assembly)
    phone.goto(f"/voting/{assembly.pk}/tracker/?t={ballot.tracker}")
    expect(phone.locator("[data-found]")).to_contain_text(ballot.hash)
    assert fits_width(phone)
