"""The fast path on a 375 px phone page (Playwright, live server; run with ``-m browser``).

A committee member files an elevator application with its inspection report,
a reviewer takes it under review, an approver (after TOTP) approves — no vote
anywhere. Sessions are made by Django's test client and handed to the
browser as cookies (logging in is tested in tests/browser/test_login.py).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from emergency.models import EmergencyApplication
from tests.conftest import pass_totp
from tests.emergency.conftest import (  # noqa: F401 (estate, seeded_whitelist: fixtures)
    JPEG_BYTES,
    PDF_BYTES,
    estate,
    seeded_whitelist,
)

from .conftest import PHONE
from .helpers import fits_width

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_as(browser, live_server, sms_outbox):
    """``page_as(user, totp=False)``: a fresh phone page logged in as ``user``."""
    contexts = []

    def open_page(user, *, totp: bool = False):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if totp:
            pass_totp(client, user)
        context = browser.new_context(base_url=live_server.url, **PHONE)
        context.set_default_timeout(15_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.usefixtures("estate", "seeded_whitelist")
def test_a_committee_files_an_elevator_application_on_a_phone_and_the_bureau_approves_it(
    page_as, personas, tmp_path
):
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(JPEG_BYTES)
    budget = tmp_path / "预算.pdf"
    budget.write_bytes(PDF_BYTES)
    report = tmp_path / "检验报告.pdf"
    report.write_bytes(PDF_BYTES)

    phone = page_as(personas.committee)
    phone.goto("/emergency/apply/")
    expect(phone.get_by_role("heading", name="提出紧急维修申请")).to_be_visible()
    assert fits_width(phone)
    phone.get_by_label("紧急维修事项").select_option("E01")
    phone.get_by_label("情况说明").fill(
        "2号楼电梯曳引机故障停运，已困人一次，维保单位建议立即更换。"
    )
    phone.get_by_label("预算金额（元）").fill("86000.00")
    phone.locator('input[name="evidence_photo"]').set_input_files(str(photo))
    phone.locator('input[name="evidence_budget"]').set_input_files(str(budget))
    phone.locator('input[name="evidence_elevator_report"]').set_input_files(str(report))
    phone.get_by_role("button", name="提交申请").click()

    expect(phone.get_by_text("已提交紧急维修申请")).to_be_visible()
    assert fits_width(phone)
    application = EmergencyApplication.objects.get()
    assert application.estimate_fen == 86_000_00
    assert application.evidence.count() == 3

    reviewer = page_as(personas.reviewer)
    reviewer.goto(f"/emergency/{application.pk}/")
    reviewer.get_by_role("link", name="受理审核").click()
    reviewer.get_by_role("button", name="确认受理").click()
    expect(reviewer.get_by_text("已受理审核")).to_be_visible()
    reviewer.get_by_role("link", name="核查清单").click()
    assert fits_width(reviewer)
    reviewer.get_by_label("保修期内（或竣工日期未知）仍先行列支的理由").fill("电梯困人，先行列支。")
    reviewer.get_by_role("button", name="保存核查清单").click()
    expect(reviewer.get_by_text("已保存核查清单。")).to_be_visible()

    approver = page_as(personas.approver, totp=True)
    approver.goto(f"/emergency/{application.pk}/")
    approver.get_by_role("link", name="审批").click()
    assert fits_width(approver)
    approver.get_by_label("意见").fill("同意按紧急维修办理")
    approver.get_by_role("button", name="确认批准").click()
    expect(approver.get_by_text("已批准。")).to_be_visible()
    assert fits_width(approver)

    application.refresh_from_db()
    assert application.status == EmergencyApplication.Status.APPROVED
    assert application.approver == personas.approver

    from voting.models import Assembly

    assert not Assembly.objects.exists()  # no owners' vote anywhere
