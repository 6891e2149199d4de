"""The bureau's decision and the works after it: the transition table, maker ≠ checker, deemed approval.

RULES.md §5: review within 2 working days of the filing (seeded default);
works start within 24 hours of the approval.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from emergency import services
from emergency.models import EmergencyApplication, EvidenceKind

from .conftest import file_application, pdf, review

pytestmark = pytest.mark.django_db
Status = EmergencyApplication.Status


def reload(application):
    return EmergencyApplication.objects.get(pk=application.pk)


def under_review(filed, personas):
    return services.application_review_start(application=filed, actor=personas.reviewer)


def approved(filed, personas, verified):
    review(filed, personas.reviewer)
    return services.application_approve(application=filed, actor=verified(personas.approver))


# --------------------------------------------------------------------------- the table


def test_the_transition_table_is_exactly_the_procedure():
    table = {k: set(v) for k, v in EmergencyApplication.TRANSITIONS.items()}
    assert table == {
        "filed": {"under_review", "approved", "refused"},
        "under_review": {"approved", "refused"},
        "approved": {"paid", "works_done"},
        "paid": {"works_done"},
        "works_done": {"accepted"},
        "accepted": {"settled"},
        "settled": {"published"},
        "published": set(),
        "refused": set(),
    }
    assert set(table) == set(Status.values)


def test_a_person_cannot_approve_what_nobody_has_taken_under_review(filed, personas, verified):
    with pytest.raises(DomainError) as caught:
        services.application_approve(application=filed, actor=verified(personas.approver))
    assert caught.value.code == "not_reviewed"
    assert reload(filed).status == Status.FILED


def test_a_refused_application_stays_refused(filed, personas, verified):
    services.application_refuse(application=filed, actor=personas.reviewer, reason="材料不实")
    with pytest.raises(DomainError) as caught:
        services.application_review_start(application=filed, actor=personas.reviewer)
    assert caught.value.code == "bad_transition"
    assert "不能变为" in caught.value.message


def test_works_cannot_be_done_before_approval(filed, personas):
    with pytest.raises(DomainError) as caught:
        services.application_works_done(application=filed, actor=personas.committee)
    assert caught.value.code == "not_approved"


def test_acceptance_needs_the_works_done_first(filed, personas, verified):
    approved(filed, personas, verified)
    with pytest.raises(DomainError) as caught:
        services.application_accept(
            application=filed, actor=personas.committee, note="合格", evidence=[pdf("acc.pdf")]
        )
    assert caught.value.code == "not_done"


# --------------------------------------------------------------------------- the bureau


def test_review_then_approval_by_another_person_approves_and_starts_the_works_clock(
    filed, personas, verified
):
    review(filed, personas.reviewer)
    before = timezone.now()
    result = services.application_approve(
        application=filed, actor=verified(personas.approver), note="同意，尽快施工"
    )
    assert result.status == Status.APPROVED
    assert result.reviewer == personas.reviewer
    assert result.approver == personas.approver
    assert result.works_start_due_at - result.approved_at == timedelta(hours=24)
    assert result.approved_at >= before
    assert result.payment_due_at is None  # no prepayment asked for
    actions = list(
        AuditEvent.objects.filter(
            object_id=str(filed.pk), object_type="emergency.emergencyapplication"
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "emergency.file",
        "emergency.review_start",
        "emergency.checklist",
        "emergency.approve",
    ]


def test_approval_with_a_prepayment_starts_the_payment_clock(estate, personas, verified):
    application = file_application(
        personas.committee, estate.a1, estimate_fen=20_000_00, prepayment_fen=5_000_00
    )
    result = approved(application, personas, verified)
    assert result.payment_due_at is not None
    assert result.payment_due_at > result.approved_at


def test_the_reviewer_cannot_also_approve(filed, personas, verified, district):
    from accounts.models import Role
    from tests.factories import grant

    both = personas.reviewer
    grant(both, Role.BUREAU_APPROVER)
    under_review(filed, personas)
    with pytest.raises(DomainError) as caught:
        services.application_approve(application=filed, actor=verified(both))
    assert caught.value.code == "same_person"
    assert reload(filed).status == Status.UNDER_REVIEW


def test_an_approver_without_totp_is_refused(filed, personas):
    under_review(filed, personas)
    with pytest.raises(PermissionDeniedError) as caught:
        services.application_approve(application=filed, actor=personas.approver)
    assert caught.value.code == "otp_required"


@pytest.mark.parametrize("persona", ["committee", "street_officer", "admin", "outsider"])
def test_only_bureau_reviewers_take_applications_under_review(filed, personas, persona):
    with pytest.raises(PermissionDeniedError):
        services.application_review_start(application=filed, actor=getattr(personas, persona))
    assert reload(filed).status == Status.FILED


def test_a_refusal_needs_reasons(filed, personas):
    with pytest.raises(DomainError) as caught:
        services.application_refuse(application=filed, actor=personas.reviewer, reason=" ")
    assert caught.value.code == "required"
    assert caught.value.fields == {"reason": "请填写不予批准的理由。"}
    assert reload(filed).status == Status.FILED


def test_an_approver_may_refuse_with_reasons(filed, personas, verified):
    under_review(filed, personas)
    result = services.application_refuse(
        application=filed, actor=verified(personas.approver), reason="属于开发商保修范围"
    )
    assert result.status == Status.REFUSED
    assert result.refusal_reason == "属于开发商保修范围"
    assert result.refused_by == personas.approver


def test_the_applicant_side_cannot_refuse(filed, personas):
    with pytest.raises(PermissionDeniedError):
        services.application_refuse(application=filed, actor=personas.committee, reason="撤回")


# --------------------------------------------------------------------------- deemed approval


def test_an_overdue_review_stays_undecided_when_the_setting_is_off(filed, personas):
    late = filed.review_due_at + timedelta(seconds=1)
    assert filed.current_status(late) == Status.FILED
    assert filed.review_overdue(late)
    assert filed.review_overdue(filed.review_due_at)
    assert not filed.review_overdue(filed.review_due_at - timedelta(microseconds=1))


def test_with_the_setting_on_an_overdue_review_reads_as_approved_from_its_due_moment(
    filed, personas, settings
):
    settings.GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE = True
    due = filed.review_due_at
    assert filed.current_status(due - timedelta(microseconds=1)) == Status.FILED
    assert filed.current_status(due) == Status.APPROVED
    assert filed.current_status_label(due) == "逾期视为批准"
    # Nothing was written: the state is derived when read.
    assert reload(filed).status == Status.FILED


def test_with_the_setting_on_the_bureau_can_no_longer_refuse_an_overdue_review(
    filed, personas, settings
):
    settings.GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE = True
    EmergencyApplication.objects.filter(pk=filed.pk).update(
        review_due_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(DomainError) as caught:
        services.application_refuse(application=filed, actor=personas.reviewer, reason="迟了")
    assert caught.value.code == "deemed_approved"
    assert reload(filed).status == Status.FILED


def test_the_first_works_step_records_the_deemed_approval(filed, personas, settings):
    settings.GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE = True
    due = timezone.now() - timedelta(hours=2)
    EmergencyApplication.objects.filter(pk=filed.pk).update(review_due_at=due)
    result = services.application_works_start(application=filed, actor=personas.committee)
    result = reload(result)
    assert result.status == Status.APPROVED
    assert result.deemed_approved is True
    assert result.approver is None
    assert result.approved_at == due
    assert result.works_start_due_at == due + timedelta(hours=24)
    assert result.works_started_at is not None
    assert AuditEvent.objects.filter(action="emergency.deemed_approve").count() == 1


def test_with_the_setting_off_works_cannot_start_on_an_overdue_review(filed, personas):
    EmergencyApplication.objects.filter(pk=filed.pk).update(
        review_due_at=timezone.now() - timedelta(hours=2)
    )
    with pytest.raises(DomainError) as caught:
        services.application_works_start(application=filed, actor=personas.committee)
    assert caught.value.code == "not_approved"


# --------------------------------------------------------------------------- the works


def test_works_start_done_and_acceptance_by_the_committee(filed, personas, verified):
    approved(filed, personas, verified)
    services.application_works_start(application=filed, actor=personas.committee)
    services.application_works_done(application=filed, actor=personas.committee)
    result = services.application_accept(
        application=filed,
        actor=personas.committee,
        note="经业委会、物业、施工单位共同验收合格",
        evidence=[pdf("acceptance.pdf")],
    )
    assert result.status == Status.ACCEPTED
    assert result.evidence.filter(kind=EvidenceKind.ACCEPTANCE).count() == 1
    assert result.works_started_at <= result.works_done_at <= result.accepted_at


def test_acceptance_without_an_acceptance_record_is_refused(filed, personas, verified):
    approved(filed, personas, verified)
    services.application_works_done(application=filed, actor=personas.committee)
    with pytest.raises(DomainError) as caught:
        services.application_accept(application=filed, actor=personas.committee, note="合格")
    assert caught.value.code == "missing_evidence"
    assert reload(filed).status == Status.WORKS_DONE


def test_a_start_time_in_the_future_is_refused(filed, personas, verified):
    approved(filed, personas, verified)
    with pytest.raises(DomainError) as caught:
        services.application_works_start(
            application=filed, actor=personas.committee, at=timezone.now() + timedelta(hours=1)
        )
    assert caught.value.code == "bad_time"


def test_works_started_is_recorded_once(filed, personas, verified):
    approved(filed, personas, verified)
    services.application_works_start(application=filed, actor=personas.committee)
    with pytest.raises(DomainError) as caught:
        services.application_works_start(application=filed, actor=personas.committee)
    assert caught.value.code == "already_started"


def test_the_property_company_cannot_report_works_of_a_committee_area(filed, personas, verified):
    approved(filed, personas, verified)
    with pytest.raises(PermissionDeniedError):
        services.application_works_done(application=filed, actor=personas.property_staff)


def test_more_evidence_can_be_added_and_is_audited(filed, personas):
    row = services.evidence_add(
        application=filed, actor=personas.committee, kind=EvidenceKind.OTHER, upload=pdf("x.pdf")
    )
    assert row.kind == EvidenceKind.OTHER
    assert AuditEvent.objects.filter(action="emergency.evidence_add").count() == 1
