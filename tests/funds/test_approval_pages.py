"""The approval-authority pages: split flag on the approval page, the second approver's
countersignature, the filing (备案) under assembly custody, refusals as 400 with nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from funds.models import FundApplication, FundUseCountersign, UseFiling
from funds.procedure import services
from tests.factories import UserFactory, grant

from .app_helpers import (
    BUDGET,
    estate_fixture,  # noqa: F401
    propose,
    review,
    reviewed,
    second_approver_fixture,  # noqa: F401
)
from .test_approval_authority import (
    _settled_one_fen_over,
    _submitted,
    assembly_custody_fixture,  # noqa: F401
)


@pytest.fixture(autouse=True)
def _no_retention(settings):
    # These tests instruct the whole budget; the 质保金 held back from it is
    # tested in test_settlement_ceiling.py (RULES.md §4 "use").
    settings.GONGZHI_FUND_RETENTION_PCT = 0


Status = FundApplication.Status


def url(name, *args):
    return reverse(f"funds:{name}", args=args)


def test_the_approver_sees_the_split_flag(client, estate, personas, login_with_totp):
    earlier = propose(estate, personas.property_staff)
    FundApplication.objects.filter(pk=earlier.pk).update(
        status=Status.APPROVED, created_at=timezone.now() - timedelta(days=89)
    )
    application = reviewed(estate, personas)
    login_with_totp(client, personas.approver)
    page = client.get(url("application_approve", application.pk)).content.decode()
    assert "疑似拆分" in page and f"#{earlier.pk} " in page
    assert "合计 200,000.00 元" in page


def test_no_split_flag_91_days_apart(client, estate, personas, login_with_totp):
    earlier = propose(estate, personas.property_staff)
    FundApplication.objects.filter(pk=earlier.pk).update(
        status=Status.APPROVED, created_at=timezone.now() - timedelta(days=91)
    )
    application = reviewed(estate, personas)
    login_with_totp(client, personas.approver)
    page = client.get(url("application_approve", application.pk)).content.decode()
    assert "疑似拆分" not in page


def test_the_second_approver_countersigns_on_the_page(
    client, estate, personas, verified, settings, second_approver, login_with_totp
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET
    application = _settled_one_fen_over(estate, personas, verified)
    login_with_totp(client, personas.approver)
    # The approver who approved cannot countersign: 409 on the form, nothing recorded.
    refused = client.post(
        url("application_countersign", application.pk), {"note": "", "confirmed": "1"}
    )
    assert refused.status_code == 409 and "另一名审批人" in refused.content.decode()
    assert FundUseCountersign.objects.count() == 0
    client.logout()
    login_with_totp(client, second_approver)
    detail = client.get(url("application_detail", application.pk)).content.decode()
    assert url("application_countersign", application.pk) in detail
    page = client.get(url("application_countersign", application.pk))
    assert page.status_code == 200 and "本事项现有 1 名审批人" in page.content.decode()
    done = client.post(
        url("application_countersign", application.pk), {"note": "已核对", "confirmed": "1"}
    )
    assert done.status_code == 302
    assert FundUseCountersign.objects.get().approver == second_approver


def test_the_bureau_orders_a_correction_and_the_committee_reports_it(
    client, assembly_custody, personas, login_with_totp
):
    member = UserFactory(username="committee_a1_2")
    grant(member, Role.COMMITTEE_MEMBER, assembly_custody.area)
    application = review(_submitted(assembly_custody, personas), personas.committee)
    application = services.application_approve(application=application, actor=member)
    filing_url = url("application_filing", application.pk)

    client.force_login(personas.reviewer)
    assert UseFiling.objects.get().application == application
    queue = client.get(url("filing_queue")).content.decode()
    assert filing_url in queue
    # A correction without saying what: 400, nothing changed.
    empty = client.post(filing_url, {"decision": "correct", "text": " ", "confirmed": "1"})
    assert empty.status_code == 400
    assert UseFiling.objects.get().status == UseFiling.Status.FILED
    ordered = client.post(
        filing_url, {"decision": "correct", "text": "请补充工程量清单。", "confirmed": "1"}
    )
    assert ordered.status_code == 302
    assert UseFiling.objects.get().status == UseFiling.Status.CORRECTION

    client.force_login(personas.committee)
    page = client.get(filing_url).content.decode()
    assert "请补充工程量清单。" in page and "改正情况" in page
    replied = client.post(filing_url, {"text": "已补充。", "confirmed": "1"})
    assert replied.status_code == 302
    assert UseFiling.objects.get().status == UseFiling.Status.CORRECTED


def test_under_assembly_custody_the_bureau_approver_is_told_who_decides(
    client, assembly_custody, personas, login_with_totp
):
    application = review(_submitted(assembly_custody, personas), personas.committee)
    login_with_totp(client, personas.approver)
    page = client.get(url("application_approve", application.pk)).content.decode()
    assert "业主大会自管" in page
    refused = client.post(
        url("application_approve", application.pk), {"decision": "approve", "confirmed": "1"}
    )
    assert refused.status_code == 403  # the one mapping of a permission refusal
    assert FundApplication.objects.get(pk=application.pk).status == Status.REVIEWED


def test_the_committee_reviews_and_approves_on_the_pages(client, assembly_custody, personas):
    member = UserFactory(username="committee_a1_2")
    grant(member, Role.COMMITTEE_MEMBER, assembly_custody.area)
    application = _submitted(assembly_custody, personas)
    client.force_login(personas.committee)
    assert (
        url("application_review", application.pk)
        in client.get(url("review_queue")).content.decode()
    )
    reviewed_ = client.post(
        url("application_review", application.pk),
        {"decision": "pass", "materials_complete": "on", "confirmed": "1"},
    )
    assert reviewed_.status_code == 302
    client.force_login(member)
    assert (
        url("application_approve", application.pk)
        in client.get(url("approval_queue")).content.decode()
    )
    approved_ = client.post(
        url("application_approve", application.pk), {"decision": "approve", "confirmed": "1"}
    )
    assert approved_.status_code == 302
    assert FundApplication.objects.get(pk=application.pk).status == Status.APPROVED
    assert UseFiling.objects.get().filed_by == member
