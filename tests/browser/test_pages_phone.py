"""Long lists readable where they are used (issue 16 item 11): the area ledger on a 375 px
phone shows each unit as a card with its code and balance on screen (no sideways
scrolling); the audit chain at 1280 px fits the window."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estates.models import Unit
from tests.estates.helpers import make_building
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


def _units(area, building: str, count: int) -> None:
    block = make_building(area, building)
    Unit.objects.bulk_create(
        Unit(
            area=area,
            building=block,
            code=f"{building}-2单元-{n}",
            stair="2单元",
            floor=1,
            number=str(n),
            use=Unit.Use.RESIDENTIAL,
            registered_area=Decimal("80.00"),
            area_basis=Unit.Basis.REGISTERED,
            floor_area=Decimal("80.00"),
        )
        for n in range(1, count + 1)
    )


def test_area_ledger_on_a_phone_shows_unit_and_balance_without_sideways_scroll(
    phone, district, personas
):
    fund = build_fund(district.a1)
    _units(fund.area, "10栋", 60)
    _units(fund.area, "2栋", 10)
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
