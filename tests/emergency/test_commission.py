"""代修 (Order 165 art. 24): the bureau commissions the works once the works-start time has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from emergency import services
from emergency.models import Commission, EmergencyApplication
from tests.emergency.conftest import review

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(filed, personas, verified):
    review(filed, personas.reviewer)
    return services.application_approve(application=filed, actor=verified(personas.approver))


def commission(application, actor, **kw):
    args = {
        "contractor": "宿州市某建筑安装有限公司",
        "contractor_contact": "王工 0557-1234567",
        "estimate_fen": 15_000_00,
        "reason": "批准后超过24小时仍未开工，经电话督促仍未组织维修。",
    }
    args.update(kw)
    return services.commission_create(application=application, actor=actor, **args)


def test_the_bureau_commissions_the_works_once_the_start_time_has_passed(
    approved, personas, verified
):
    after = approved.works_start_due_at
    result = commission(approved, verified(personas.approver), now=after)
    assert result.contractor == "宿州市某建筑安装有限公司"
    assert result.estimate_fen == 15_000_00
    event = AuditEvent.objects.get(action="emergency.commission")
    assert event.summary["works_started"] is False
    assert "王工" not in str(event.summary)


def test_not_a_moment_before_the_start_time(approved, personas, verified):
    with pytest.raises(DomainError) as caught:
        commission(
            approved,
            verified(personas.approver),
            now=approved.works_start_due_at - timedelta(microseconds=1),
        )
    assert caught.value.code == "not_overdue"
    assert not Commission.objects.exists()


def test_started_but_unfinished_works_may_be_commissioned_after_the_start_time(
    approved, personas, verified
):
    services.application_works_start(application=approved, actor=personas.committee)
    result = commission(approved, verified(personas.approver), now=approved.works_start_due_at)
    assert result.pk


def test_finished_works_cannot_be_commissioned(approved, personas, verified):
    services.application_works_done(application=approved, actor=personas.committee)
    with pytest.raises(DomainError) as caught:
        commission(
            approved,
            verified(personas.approver),
            now=timezone.now() + timedelta(days=2),
        )
    assert caught.value.code == "not_pending"


def test_an_undecided_application_cannot_be_commissioned(filed, personas, verified):
    with pytest.raises(DomainError) as caught:
        commission(filed, verified(personas.approver), now=timezone.now() + timedelta(days=9))
    assert caught.value.code == "not_pending"


def test_the_commission_estimate_stays_within_the_items_cap(approved, personas, verified):
    with pytest.raises(DomainError) as caught:
        commission(
            approved,
            verified(personas.approver),
            estimate_fen=30_000_01,
            now=approved.works_start_due_at,
        )
    assert caught.value.code == "over_cap"


def test_only_once(approved, personas, verified):
    approver = verified(personas.approver)
    commission(approved, approver, now=approved.works_start_due_at)
    with pytest.raises(DomainError) as caught:
        commission(approved, approver, now=approved.works_start_due_at)
    assert caught.value.code == "already_commissioned"


@pytest.mark.parametrize("persona", ["reviewer", "admin", "street_officer", "committee"])
def test_only_approvers_commission(approved, personas, verified, persona):
    with pytest.raises(PermissionDeniedError):
        commission(approved, verified(getattr(personas, persona)), now=approved.works_start_due_at)


def test_an_approver_without_totp_cannot_commission(approved, personas):
    from accounts.models import User

    unverified = User.objects.get(pk=personas.approver.pk)  # the fixture's object passed TOTP
    with pytest.raises(PermissionDeniedError) as caught:
        commission(approved, unverified, now=approved.works_start_due_at)
    assert caught.value.code == "otp_required"


def test_after_commissioning_the_bureau_may_report_the_works_done(approved, personas, verified):
    approver = verified(personas.approver)
    commission(approved, approver, now=approved.works_start_due_at)
    result = services.application_works_done(application=approved, actor=approver)
    assert result.status == EmergencyApplication.Status.WORKS_DONE
