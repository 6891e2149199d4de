"""The bureau reviews and approves on a 375 px phone page (Playwright, live server).

Two walks, each by real people logging in on the login page with their
password (no session handed over):

- a fund-use application the owners voted for (tests/funds/app_helpers.py
  builds it through the services, vote included): the reviewer works through
  the art. 25 checklist and confirms the review; then an approver logs in,
  is sent to enrol TOTP (the code is computed from the device key the page
  shows, as an authenticator app does), and approves after the confirmation
  page (RULES.md §4, maker ≠ checker);
- an emergency application the committee filed through the service (filing
  on the phone is tests/emergency/test_browser.py): the reviewer takes it
  under review, and an approver who already has TOTP passes the code page
  and approves (RULES.md §5).

Each state change is checked in the database and in the audit chain. Each
step is saved as docs/img/walk-*.png for the user guide, and on every page
nothing may be wider than the phone.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from emergency.models import EmergencyApplication, WhitelistVersion
from funds.models import FundApplication
from tests.emergency.conftest import PIPES, file_application
from tests.estates.helpers import make_unit
from tests.funds.app_helpers import estate_fixture, voted_and_submitted  # noqa: F401

from .conftest import PHONE
from .helpers import controls_off_screen, fits_width, staff_log_in, totp_code, walk_screenshot

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_phone(page) -> None:
    """Nothing wider than the screen, and every button and field within a thumb's reach."""
    assert fits_width(page), f"{page.url} is wider than the phone"
    assert controls_off_screen(page) == [], page.url


def _new_phone(browser, live_server):
    """A second phone (its own cookies), for the second person of a walk."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(15_000)
    return context


def _home_card(page, label: str):
    # A card's link reads "<label><help text>"; the same entries also sit in the folded menu.
    return page.locator("main .actions a").filter(has=page.get_by_text(label, exact=True))


def _name_people(personas) -> None:
    # Names a person would have, for the user guide's images (the factory numbers staff).
    for user, name in (
        (personas.committee, "王委员"),
        (personas.property_staff, "张经理"),
        (personas.reviewer, "李审核"),
        (personas.approver, "吴审批"),
    ):
        user.display_name = name
        user.save(update_fields=["display_name"])


def _audit(action: str, obj) -> AuditEvent:
    return AuditEvent.objects.get(action=action, object_id=str(obj.pk))


def test_a_reviewer_records_the_review_and_an_approver_enrols_totp_and_approves_a_fund_use(
    phone, browser, live_server, estate, personas
):
    _name_people(personas)
    application = voted_and_submitted(estate, personas)
    assert application.status == FundApplication.Status.SUBMITTED

    # The reviewer: queue, the application with its checklist, confirmation.
    staff_log_in(phone, "reviewer")
    expect(phone).to_have_url(re.compile(r"/$"))
    _home_card(phone, "维修资金审核").click()
    expect(phone.get_by_role("heading", name="待审核的维修资金申请")).to_be_visible()
    walk_screenshot(phone, "walk-approve-1-queue")
    _fits_the_phone(phone)
    phone.get_by_role("link", name=application.title).click()

    expect(phone.get_by_role("heading", name=f"审核：{application.title}")).to_be_visible()
    # 1栋 and 9栋 (the developer's unit) were accepted in 2015: both out of warranty.
    expect(phone.get_by_role("cell", name="已过保修期", exact=True)).to_have_count(2)
    phone.get_by_label("申请材料齐全").check()
    phone.get_by_label("审核通过").check()
    phone.get_by_label("审核意见").fill("表决结果有效，材料齐全，无不得列支情形。")
    walk_screenshot(
        phone, "walk-approve-2-review", start=phone.get_by_role("heading", name="保修期核查")
    )
    _fits_the_phone(phone)
    phone.get_by_role("button", name="下一步").click()

    expect(phone.get_by_role("heading", name="请确认：审核")).to_be_visible()
    expect(phone.get_by_role("row", name="审核结论 审核通过")).to_be_visible()
    expect(phone.get_by_role("row", name="不得列支情形 无")).to_be_visible()
    walk_screenshot(phone, "walk-approve-3-review-confirm")
    _fits_the_phone(phone)
    application.refresh_from_db()
    assert application.status == FundApplication.Status.SUBMITTED  # nothing before 确认
    phone.get_by_role("button", name="确认", exact=True).click()

    expect(phone.get_by_text("已登记审核结论。")).to_be_visible()
    expect(phone.get_by_text("没有待审核的申请。")).to_be_visible()
    walk_screenshot(phone, "walk-approve-4-reviewed")
    _fits_the_phone(phone)
    application.refresh_from_db()
    assert application.status == FundApplication.Status.REVIEWED
    assert application.reviewer == personas.reviewer
    assert application.review_note == "表决结果有效，材料齐全，无不得列支情形。"
    review = _audit("fund_application.review_pass", application)
    assert review.actor == personas.reviewer

    # The approver, on another phone: password, then TOTP enrolment before any bureau page.
    context = _new_phone(browser, live_server)
    try:
        approver = context.new_page()
        staff_log_in(approver, "approver")
        expect(approver).to_have_url(re.compile(r"/accounts/otp/setup/"))
        expect(approver.locator(".qr svg")).to_be_visible()
        walk_screenshot(approver, "walk-approve-5-totp")
        _fits_the_phone(approver)
        device = TOTPDevice.objects.get(user=personas.approver, confirmed=False)
        approver.get_by_label("动态口令").fill(totp_code(device))
        approver.get_by_role("button", name="完成绑定").click()

        expect(approver.get_by_text("动态口令已绑定，本次登录已通过验证。")).to_be_visible()
        _home_card(approver, "维修资金审批").click()
        expect(approver.get_by_role("heading", name="待审批的维修资金申请")).to_be_visible()
        walk_screenshot(approver, "walk-approve-6-approval-queue")
        _fits_the_phone(approver)
        approver.get_by_role("link", name=application.title).click()

        expect(approver.get_by_role("heading", name=f"审批：{application.title}")).to_be_visible()
        expect(approver.get_by_role("row", name="审核意见")).to_contain_text(
            "表决结果有效，材料齐全，无不得列支情形。"
        )
        approver.get_by_label("批准", exact=True).check()
        approver.get_by_label("审批意见").fill("同意使用维修资金。")
        walk_screenshot(approver, "walk-approve-7-approve")
        _fits_the_phone(approver)
        approver.get_by_role("button", name="下一步").click()

        expect(approver.get_by_role("heading", name="请确认：审批")).to_be_visible()
        expect(approver.get_by_role("row", name="审批结论 批准")).to_be_visible()
        expect(approver.get_by_role("row", name="预算金额 100,000.00 元")).to_be_visible()
        walk_screenshot(approver, "walk-approve-8-approve-confirm")
        _fits_the_phone(approver)
        application.refresh_from_db()
        assert application.status == FundApplication.Status.REVIEWED  # nothing before 确认
        approver.get_by_role("button", name="确认", exact=True).click()

        expect(approver.get_by_text("已批准。可以向专户银行发出划款指令。")).to_be_visible()
        walk_screenshot(approver, "walk-approve-9-approved")
        _fits_the_phone(approver)
    finally:
        context.close()

    application.refresh_from_db()
    assert application.status == FundApplication.Status.APPROVED
    assert application.fund_use is not None
    assert list(application.approvals.values_list("approver", flat=True)) == [personas.approver.pk]
    approval = _audit("fund_application.approve", application)
    assert approval.actor == personas.approver
    assert approval.seq > review.seq
    device.refresh_from_db()
    assert device.confirmed is True


def _seed_whitelist() -> None:
    # A transactional test's flush empties the whitelist migration 0002 seeds.
    if not WhitelistVersion.objects.exists():
        importlib.import_module("emergency.migrations.0002_seed_whitelist").seed(apps, None)


def test_a_reviewer_takes_an_emergency_application_and_an_approver_passes_totp_and_approves(
    phone, browser, live_server, district, personas
):
    _name_people(personas)
    _seed_whitelist()
    make_unit(district.a1, "101", building="3栋", registered="89.50")
    make_unit(district.a1, "102", building="3栋", registered="100.00")
    application = file_application(personas.committee, district.a1, item_code=PIPES)
    assert application.status == EmergencyApplication.Status.FILED
    device = TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)

    staff_log_in(phone, "reviewer")
    _home_card(phone, "紧急维修审核").click()
    expect(phone.get_by_role("heading", name="紧急维修", exact=True)).to_be_visible()
    walk_screenshot(phone, "walk-emergency-review-1-list")
    _fits_the_phone(phone)
    phone.get_by_role("link", name=f"#{application.pk} ").click()
    phone.get_by_role("link", name="受理审核").click()

    expect(phone.get_by_role("heading", name="受理审核")).to_be_visible()
    walk_screenshot(phone, "walk-emergency-review-2-take")
    _fits_the_phone(phone)
    phone.get_by_role("button", name="确认受理").click()

    expect(phone.get_by_text("已受理审核。")).to_be_visible()
    walk_screenshot(phone, "walk-emergency-review-3-taken")
    _fits_the_phone(phone)
    application.refresh_from_db()
    assert application.status == EmergencyApplication.Status.UNDER_REVIEW
    assert application.reviewer == personas.reviewer
    taken = _audit("emergency.review_start", application)
    assert taken.actor == personas.reviewer
    # The art. 25 exclusions and the art. 18 warranty (RULES.md §5): 3栋 has no completion
    # date on the register, so the warranty is "unknown" and paying now needs a reason.
    phone.get_by_role("link", name="核查清单").click()
    _fits_the_phone(phone)
    phone.get_by_label("保修期内（或竣工日期未知）仍先行列支的理由").fill("水管爆裂，先行列支。")
    phone.get_by_role("button", name="保存核查清单").click()
    expect(phone.get_by_text("已保存核查清单。")).to_be_visible()

    context = _new_phone(browser, live_server)
    try:
        approver = context.new_page()
        staff_log_in(approver, "approver")
        expect(approver).to_have_url(re.compile(r"/accounts/otp/verify/"))
        expect(approver.get_by_role("heading", name="动态口令验证")).to_be_visible()
        walk_screenshot(approver, "walk-emergency-review-4-totp")
        _fits_the_phone(approver)
        approver.get_by_label("动态口令").fill(totp_code(device))
        approver.get_by_role("button", name="验证", exact=True).click()

        expect(approver).to_have_url(re.compile(r"/$"))
        _home_card(approver, "紧急维修审批").click()
        approver.get_by_role("link", name=f"#{application.pk} ").click()
        approver.get_by_role("link", name="审批", exact=True).click()

        expect(approver.get_by_role("heading", name="审批：批准紧急维修")).to_be_visible()
        approver.get_by_label("意见").fill("情况属实，同意按紧急维修办理。")
        walk_screenshot(approver, "walk-emergency-review-5-approve")
        _fits_the_phone(approver)
        application.refresh_from_db()
        assert application.status == EmergencyApplication.Status.UNDER_REVIEW
        approver.get_by_role("button", name="确认批准").click()

        expect(approver.get_by_text("已批准。")).to_be_visible()
        walk_screenshot(approver, "walk-emergency-review-6-approved")
        _fits_the_phone(approver)
    finally:
        context.close()

    application.refresh_from_db()
    assert application.status == EmergencyApplication.Status.APPROVED
    assert application.approver == personas.approver
    approval = _audit("emergency.approve", application)
    assert approval.actor == personas.approver
    assert approval.seq > taken.seq


def test_the_reach_check_catches_a_button_off_the_screen_but_not_one_in_a_scrolling_table(phone):
    # A card that clips its content keeps the page narrow: only the reach check sees the button.
    phone.set_content(
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<div style="overflow: hidden"><div style="margin-left: 340px; width: 200px">'
        "<button>确认批准</button></div></div>"
        '<div class="table-wrap" style="overflow-x: auto"><table><tr>'
        '<td style="min-width: 500px">宽</td><td><button>查看</button></td></tr></table></div>'
    )
    assert fits_width(phone) is True
    assert controls_off_screen(phone) == ['button "确认批准"']
