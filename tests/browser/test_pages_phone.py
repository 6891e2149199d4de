"""Long lists readable where they are used (issue 16 item 11): the area ledger on a 375 px
phone shows each unit as a card with its code and balance on screen (no sideways
scrolling); the audit chain at 1280 px fits the window."""

from __future__ import annotations

import pytest

from tests.estates.helpers import add_units
from tests.funds.conftest import build_fund

from .helpers import controls_off_screen, fits_width, staff_log_in, walk_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where a cell sits on the screen: inside [0, width] and actually shown.
ON_SCREEN_JS = """(selector) => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll(selector)).map((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.left >= -0.5 && r.right <= width + 0.5;
  });
}"""


def test_area_ledger_on_a_phone_shows_unit_and_balance_without_sideways_scroll(
    phone, district, personas
):
    fund = build_fund(district.a1)
    add_units(fund.area, "10栋", 60, stair="2单元")
    add_units(fund.area, "2栋", 10, stair="2单元")
    staff_log_in(phone, personas.committee.username)
    phone.goto("/funds/areas/a1/")

    rows = phone.locator("table.ledger-units tbody tr")
    assert rows.count() == 50  # 74 units: 50 on the first page
    assert rows.first.get_attribute("data-unit") == "1栋-1单元-101"  # natural order
    for cells in ("td.card-title", "td:nth-child(2)"):  # unit code, balance
        shown = phone.evaluate(ON_SCREEN_JS, f"table.ledger-units tbody {cells}")
        assert shown and all(shown), cells
    assert fits_width(phone)
    assert controls_off_screen(phone) == []
    walk_screenshot(phone, "walk-area-ledger-phone")

    # Narrow to one building and part of a code: the search keeps the cards.
    phone.get_by_label("楼栋").select_option("10栋")
    phone.get_by_label("房屋编码").fill("10栋-2单元-5")
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_url("**/funds/areas/a1/?*")
    codes = [rows.nth(i).get_attribute("data-unit") for i in range(rows.count())]
    assert codes == ["10栋-2单元-5", "10栋-2单元-50", *(f"10栋-2单元-{n}" for n in range(51, 60))]
    assert fits_width(phone)


@pytest.fixture
def desktop(browser, live_server):
    """A 1280 × 800 desktop window (the bureau's screen)."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_audit_chain_fits_a_1280_px_window_with_the_json_behind_a_toggle(desktop, personas, db):
    from django.db import transaction

    from audit.services import audit_record

    long_memo = "屋面防水维修分摊" * 12
    with transaction.atomic():
        for n in range(1, 4):
            audit_record(
                actor=personas.committee,
                action="fund.deposit",
                object_type="funds.transaction",
                object_id=n,
                summary={"memo": long_memo, "units": n, "lines": [{"unit": "10栋-1单元-101"}] * 5},
            )
    staff_log_in(desktop, personas.reviewer.username)
    desktop.goto("/audit/")

    assert fits_width(desktop)
    hashes = desktop.evaluate(ON_SCREEN_JS, "table.audit-events tbody td:last-child")
    assert hashes == [True, True, True]  # the last column is inside the window
    assert desktop.get_by_text("交存维修资金").count() == 3
    raw = desktop.locator("table.audit-events details pre").first
    assert not raw.is_visible()  # the JSON is folded away…
    desktop.locator("table.audit-events details summary").first.click()
    assert raw.is_visible()  # …and one click shows it
    assert fits_width(desktop)
    walk_screenshot(desktop, "walk-audit-desktop")
