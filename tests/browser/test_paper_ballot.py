"""A committee member enters a paper ballot with its scan on a 375 px phone page
(Playwright, live server).

The assembly is open with its roll frozen (built through the services in
tests/voting/conftest.py); the committee member's session is handed to the
browser as its cookie, as in test_vote.py. On every page nothing may be
wider than the phone, and nothing is stored before "确认录入".
"""

from __future__ import annotations

import pytest

from tests.voting.conftest import ELECTION, ORDINARY, PDF_BYTES, build_register, make_assembly
from tests.voting.conftest import open_assembly as open_now
from voting.models import Ballot

from .helpers import fits_width, session_log_in

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_committee_member_enters_a_paper_ballot_with_its_scan_on_a_phone(
    phone, live_server, district, personas, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    build_register(district.a1, [("甲", ["89.50"]), ("乙", ["100.00"])])
    assembly = open_now(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY, ELECTION)),
        personas.committee,
    )
    scan = tmp_path / "sheet.pdf"
    scan.write_bytes(PDF_BYTES)
    session_log_in(phone, live_server, personas.committee)

    phone.goto("/voting/manage/")
    expect(phone.get_by_role("heading", name="业主大会", exact=True)).to_be_visible()
    assert fits_width(phone)
    phone.get_by_role("link", name=assembly.title).click()
    expect(phone.get_by_role("heading", name=assembly.title)).to_be_visible()
    assert fits_width(phone)
    phone.get_by_role("link", name="录入纸质表决票 / 委托投票").click()

    phone.get_by_label("房屋编码").fill("1栋-1单元-102")
    phone.get_by_role("button", name="查找表决权").click()
    expect(phone.get_by_text("该表决权尚未投票。")).to_be_visible()
    assert fits_width(phone)
    phone.get_by_role("link", name="录入纸质表决票", exact=True).click()

    expect(phone.get_by_role("heading", name="录入纸质表决票")).to_be_visible()
    assert fits_width(phone)
    phone.locator("#motion-m1").get_by_label("反对").check()
    phone.locator("#motion-m2").get_by_label("李四").check()
    phone.get_by_role("button", name="下一步：核对并上传").click()

    expect(phone.get_by_role("heading", name="核对并确认录入")).to_be_visible()
    expect(phone.locator('[data-answer="m1"]')).to_have_text("反对")
    expect(phone.locator('[data-answer="m2"]')).to_have_text("李四")
    assert fits_width(phone)
    # Confirming without the scan is refused by the service; nothing is stored.
    phone.get_by_role("button", name="确认录入").click()
    expect(phone.get_by_text("请上传文件。")).to_be_visible()
    assert Ballot.objects.filter(assembly=assembly).count() == 0
    assert fits_width(phone)

    phone.get_by_label("表决票扫描件").set_input_files(str(scan))
    phone.get_by_role("button", name="确认录入").click()

    expect(phone.get_by_text("已录入1栋-1单元-102的纸质表决票。")).to_be_visible()
    assert fits_width(phone)
    ballot = Ballot.objects.get(assembly=assembly)
    assert ballot.channel == "paper"
    assert ballot.choices == {"m1": "reject", "m2": ["c2"]}
    assert ballot.entered_by == personas.committee
    with ballot.scan.open("rb") as handle:
        assert handle.read() == PDF_BYTES

    # The same unit again: the page says it has voted and offers no entry.
    phone.get_by_label("房屋编码").fill("1栋-1单元-102")
    phone.get_by_role("button", name="查找表决权").click()
    expect(
        phone.get_by_text("该表决权已经投票，投票后不能更改，不能再录入纸质表决票或委托投票。")
    ).to_be_visible()
    expect(phone.get_by_role("link", name="录入纸质表决票", exact=True)).to_have_count(0)
