"""A member of the public checks a notice by uploading it, on a 375 px phone page
(Playwright, live server; no login).

The notice is issued by the real publication service (WeasyPrint, pyHanko,
the deployment CA made by ``signing_init``; tests/publications/conftest.py's
session keys). The visitor finds it in the public register, downloads the
PDF, uploads it on /verify/ and is told it is authentic with its serial;
then uploads a copy with one byte changed inside the signed range and is
told it is not (DESIGN.md "Publications and signatures"). Each step is
saved as docs/img/walk-verify-*.png for the user guide, and on every page
nothing may be wider than the phone.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from publications.models import Kind, Publication
from publications.rendering import TABLE_TEMPLATE, table_context
from publications.services import publication_issue
from tests.publications.conftest import signing_dir, signing_settings  # noqa: F401 (fixtures)
from tests.publications.test_signature import flip_byte_in_signed_range

from .helpers import controls_off_screen, fits_width, walk_screenshot

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_phone(page) -> None:
    """Nothing wider than the screen, and every button and field within a thumb's reach."""
    assert fits_width(page), f"{page.url} is wider than the phone"
    assert controls_off_screen(page) == [], page.url


TITLE = "甲一小区2026年第一季度公共收益公示"


def _issue_revenue_notice(area) -> Publication:
    """Issue the notice on a thread of its own: pyHanko signs through ``asyncio.run``, which
    refuses to start on this thread, where Playwright's sync API keeps its loop running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_issue_and_close, area).result()


def _issue_and_close(area) -> Publication:
    try:
        return _issue(area)
    finally:
        connections.close_all()  # this thread's own database connection


def _issue(area) -> Publication:
    return publication_issue(
        kind=Kind.PUBLIC_REVENUE,
        area=area,
        period="2026年第一季度",
        template=TABLE_TEMPLATE,
        context=table_context(
            intro=["根据《中华人民共和国民法典》第二百八十二条，现将本季度公共收益公示如下。"],
            columns=[
                {"label": "项目", "align": ""},
                {"label": "收入（元）", "align": "num"},
                {"label": "成本（元）", "align": "num"},
                {"label": "净收益（元）", "align": "num"},
            ],
            rows=[
                ["地面停车位租金", "36000.00", "4800.00", "31200.00"],
                ["电梯轿厢广告", "12000.00", "0.00", "12000.00"],
            ],
            totals=["合计", "48000.00", "4800.00", "43200.00"],
            notes=["公示期七日。对公示内容有异议的，请向业委会书面提出。"],
        ),
        actor=None,
        title=TITLE,
    )


def test_a_visitor_uploads_a_notice_and_sees_it_valid_then_a_changed_copy_not_valid(
    phone, district, tmp_path
):
    publication = _issue_revenue_notice(district.a1)
    serial = publication.serial

    phone.goto("/publications/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    expect(phone.get_by_role("link", name=TITLE)).to_be_visible()
    walk_screenshot(phone, "walk-verify-1-list")
    _fits_the_phone(phone)
    phone.get_by_role("link", name=TITLE).click()

    expect(phone.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(phone.get_by_role("cell", name=serial, exact=True)).to_be_visible()
    walk_screenshot(phone, "walk-verify-2-notice")
    _fits_the_phone(phone)
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="下载 PDF").click()
    original = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(original)
    with publication.file.open("rb") as handle:
        assert original.read_bytes() == handle.read()
    changed = tmp_path / f"{serial}-changed.pdf"
    changed.write_bytes(flip_byte_in_signed_range(original.read_bytes()))

    # The footer's 核验文件 opens /verify/, where any PDF can be checked.
    phone.locator("footer").get_by_role("link", name="核验文件").click()
    expect(phone.get_by_role("heading", name="核验公示", exact=True)).to_be_visible()
    assert phone.url.endswith("/verify/")
    phone.get_by_label("选择要核验的 PDF 文件").set_input_files(str(original))
    walk_screenshot(phone, "walk-verify-3-upload")
    _fits_the_phone(phone)
    phone.get_by_role("button", name="核验", exact=True).click()

    result = phone.locator("#result")
    expect(result).to_have_attribute("data-status", "current")
    expect(result.get_by_text("真实有效，为现行版本")).to_be_visible()
    expect(result).to_contain_text(f"该文件与登记的公示 {serial}《{TITLE}》逐字节一致")
    expect(result).to_contain_text(publication.sha256)
    walk_screenshot(phone, "walk-verify-4-valid")
    _fits_the_phone(phone)

    phone.get_by_label("选择要核验的 PDF 文件").set_input_files(str(changed))
    phone.get_by_role("button", name="核验", exact=True).click()

    expect(result).to_have_attribute("data-status", "altered")
    expect(result.get_by_text("文件已被改动，或不是本平台发布的")).to_be_visible()
    expect(result).to_contain_text(f"它对应公示 {serial}《{TITLE}》，但与登记的文件不一致")
    expect(result.get_by_text("真实有效，为现行版本")).to_have_count(0)
    walk_screenshot(phone, "walk-verify-5-altered")
    _fits_the_phone(phone)

    # Checking stores nothing: the register still holds the one notice, unchanged.
    assert Publication.objects.count() == 1
    publication.refresh_from_db()
    assert publication.superseded_by is None
