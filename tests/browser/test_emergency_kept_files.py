"""Files do not vanish on a validation error (issue 16 item 4), on a 375 px phone page.

A committee member chooses a site photo, a renamed executable and a quote, and submits
with the estimate mistyped: the page comes back listing the photo and the quote as kept
and naming the bad file to choose again; the member fixes the estimate, submits without
choosing anything, and the application holds the two files.
"""

from __future__ import annotations

import pytest

from emergency.models import EmergencyApplication
from tests.emergency.conftest import (  # noqa: F401 (estate, seeded_whitelist: fixtures)
    JPEG_BYTES,
    PDF_BYTES,
    estate,
    seeded_whitelist,
)

from .helpers import fits_width, walk_screenshot
from .test_emergency import page_as  # noqa: F401 - fixture

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("estate", "seeded_whitelist")
def test_chosen_files_are_kept_when_the_filing_is_shown_again(page_as, personas, tmp_path):  # noqa: F811
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(JPEG_BYTES)
    fake = tmp_path / "伪装.jpg"
    fake.write_bytes(b"MZ\x90\x00 not a picture")
    quote = tmp_path / "报价单.pdf"
    quote.write_bytes(PDF_BYTES)

    phone = page_as(personas.committee)
    phone.goto("/emergency/areas/a1/apply/")
    phone.get_by_label("紧急维修事项").select_option("E05")
    phone.get_by_label("情况说明").fill("3栋地下室给水主管爆裂，整栋停水。")
    phone.get_by_label("预算金额（元）").fill("12000.0x")
    phone.locator('input[name="evidence_photo"]').set_input_files([str(photo), str(fake)])
    phone.locator('input[name="evidence_budget"]').set_input_files(str(quote))
    phone.get_by_role("button", name="提交申请").click()

    expect(phone.get_by_text("已保留：现场照片.jpg（可更换）")).to_be_visible()
    expect(phone.get_by_text("已保留：报价单.pdf（可更换）")).to_be_visible()
    expect(phone.get_by_text("须重新选择：伪装.jpg")).to_be_visible()
    assert fits_width(phone)
    assert not EmergencyApplication.objects.exists()
    walk_screenshot(phone, "walk-emergency-kept-files", start=phone.locator("h2", has_text="材料"))

    phone.get_by_label("预算金额（元）").fill("12000.00")
    phone.get_by_role("button", name="提交申请").click()

    expect(phone.get_by_text("已提交紧急维修申请")).to_be_visible()
    application = EmergencyApplication.objects.get()
    assert application.estimate_fen == 12_000_00
    assert sorted(application.evidence.values_list("original_name", flat=True)) == [
        "报价单.pdf",
        "现场照片.jpg",
    ]
