"""An owner reads the ballot during the notice period, and a refused submit shows what is
missing at the top (issue #16; Playwright on a 375 px phone page, live server).

- Notice period: the fund use put to the vote is shown with its legal basis,
  threshold, materials, the owner's own share and a link to the signed notice;
  nothing can be ticked or sent before voting opens.
- A ballot sent with motions unanswered reloads (400) with a summary at the
  top, focused, naming each unanswered motion with a link to it; the answers
  given stay ticked.

The owner's session is the one Django's test client makes for the login (logging
in by SMS is tested in test_login.py). Each step is saved as docs/img/walk-ballot-*.png.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections

from core.money import yuan
from funds.apportion import apportion
from tests.funds.app_helpers import BUDGET, DEVELOPER_UNIT, propose, put_to_vote
from tests.funds.app_helpers import estate_fixture as estate  # noqa: F401 - fixture
from tests.voting.conftest import (
    ELECTION,
    ORDINARY,
    SPECIAL,
    build_register,
    make_assembly,
    pdf_upload,
    publishing,  # noqa: F401 - fixture
    signing_dir,  # noqa: F401 - fixture
)
from tests.voting.conftest import open_assembly as open_now
from voting import services
from voting.models import Assembly, Ballot

from .helpers import controls_off_screen, fits_width, session_log_in, walk_screenshot

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AREAS = {
    "1栋-1单元-101": Decimal("89.50"),
    "1栋-1单元-102": Decimal("100.00"),
    "1栋-1单元-103": Decimal("120.25"),
    "1栋-1单元-104": Decimal("75.00"),
    DEVELOPER_UNIT: Decimal("100.00"),
}


def fits_the_phone(page) -> None:
    assert fits_width(page), f"{page.url} is wider than the phone"
    assert controls_off_screen(page) == [], page.url


def publish_notice(assembly, actor) -> Assembly:
    """The real signed notice, on a thread of its own: pyHanko signs through ``asyncio.run``,
    which refuses to start on this thread, where Playwright's sync API keeps its loop."""

    def run():
        try:
            return services.assembly_notice(assembly=assembly, actor=actor)
        finally:
            connections.close_all()  # this thread's own database connection

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_in_the_notice_period_an_owner_reads_the_fund_use_and_their_share_on_a_phone(
    phone,
    live_server,
    estate,  # noqa: F811
    personas,
    publishing,  # noqa: F811
):
    application = put_to_vote(propose(estate, personas.property_staff), personas.committee)
    services.attachment_add(
        assembly=application.assembly,
        title="屋面防水施工方案",
        file=pdf_upload("plan.pdf"),
        actor=personas.committee,
    )
    assembly = publish_notice(application.assembly, personas.committee)
    assert assembly.current_status() == Assembly.Status.NOTICED
    motion = assembly.motions.get()
    share = yuan(apportion(BUDGET, AREAS)["1栋-1单元-103"])
    session_log_in(phone, live_server, estate.register.user("丙"))

    phone.goto("/voting/mine/")
    phone.get_by_role("link", name="查看", exact=True).click()

    expect(phone.get_by_role("heading", name=assembly.title)).to_be_visible()
    expect(phone.locator("[data-reading]")).to_contain_text("表决将于")
    card = phone.locator(f"#motion-{motion.code}")
    expect(card.get_by_role("heading")).to_have_text(f"1. {motion.title}")
    expect(card).to_contain_text("《民法典》第二百七十八条第一款第（五）项")
    expect(card).to_contain_text("过半数")
    expect(card).to_contain_text("100,000.00 元")
    expect(card).to_contain_text(f"您本户预计分摊：{share} 元")
    phone.locator("main details summary", has_text="会议材料").click()
    expect(phone.get_by_role("link", name="屋面防水施工方案")).to_be_visible()
    # Read-only until voting opens: nothing to tick, nothing to send.
    expect(phone.locator("main input:not([type=hidden])")).to_have_count(0)
    expect(phone.get_by_role("button", name="下一步：核对")).to_have_count(0)
    fits_the_phone(phone)
    walk_screenshot(phone, "walk-ballot-notice")

    phone.get_by_role("link", name="查看会议公告").click()
    expect(phone.get_by_role("heading", name=assembly.notice_publication.title)).to_be_visible()
    expect(phone.get_by_text(assembly.notice_publication.serial).first).to_be_visible()
    assert Ballot.objects.count() == 0


def test_a_ballot_sent_with_unanswered_motions_shows_a_summary_with_links_on_a_phone(
    phone, live_server, district, personas
):
    register = build_register(district.a1, [("甲", ["89.50"]), ("乙", ["100.00"])])
    assembly = open_now(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY, SPECIAL, ELECTION)),
        personas.committee,
    )
    session_log_in(phone, live_server, register.user("甲"))
    phone.goto(f"/voting/{assembly.pk}/ballot/")
    phone.locator("#motion-m1").get_by_label("同意").check()
    phone.locator("#motion-m3").get_by_label("张三").check()

    with phone.expect_navigation() as sent:
        phone.get_by_role("button", name="下一步：核对").click()

    assert sent.value.status == 400
    summary = phone.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # read out first, and at the top where the page reloads
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("link")).to_have_count(1)
    link = summary.get_by_role("link", name="2. 筹集维修资金")
    expect(link).to_have_attribute("href", "#motion-m2")
    expect(summary).to_contain_text("请对本议题作出选择")
    # Every answer given is still ticked.
    expect(phone.locator("#motion-m1").get_by_label("同意")).to_be_checked()
    expect(phone.locator("#motion-m3").get_by_label("张三")).to_be_checked()
    expect(phone.locator("#motion-m3").get_by_label("李四")).not_to_be_checked()
    fits_the_phone(phone)
    walk_screenshot(phone, "walk-ballot-errors")

    link.click()
    m2 = phone.locator("#motion-m2")
    expect(m2).to_be_focused()
    expect(m2).to_be_in_viewport()
    m2.get_by_label("反对").check()
    phone.get_by_role("button", name="下一步：核对").click()

    expect(phone.get_by_text("确认提交，提交后不可更改")).to_be_visible()
    phone.get_by_role("button", name="确认提交", exact=True).click()
    expect(phone.get_by_role("heading", name="投票回执")).to_be_visible()
    ballot = Ballot.objects.get(assembly=assembly)
    assert ballot.choices == {"m1": "approve", "m2": "reject", "m3": ["c1"]}
