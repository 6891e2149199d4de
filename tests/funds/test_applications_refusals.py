"""Each refusal path of the use procedure (issue #7 acceptance); nothing changes when refused."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.errors import DomainError, PermissionDeniedError
from estates.models import Building
from funds.models import (
    ApplicationApproval,
    FundApplication,
    FundUse,
    PaymentInstruction,
    Transaction,
)
from funds.procedure import services
from voting.models import Assembly

from .app_helpers import (
    ALL_REJECT,
    BUDGET,
    CLEAN,
    approved,
    estate_fixture,  # noqa: F401
    finalise_without_pdf,
    instruct,
    propose,
    put_to_vote,
    review,
    reviewed,
    run_vote,
    second_approver_fixture,  # noqa: F401
    voted_and_submitted,
)

Status = FundApplication.Status


# --------------------------------------------------------------------------- the vote


def test_a_failed_vote_ends_the_application_and_nothing_can_be_paid(estate, personas, verified):
    application = put_to_vote(propose(estate, personas.property_staff), personas.committee)
    run_vote(estate, application, personas.committee, answers=ALL_REJECT)
    finalise_without_pdf(application.assembly)
    application = services.application_vote_conclude(
        application=application, actor=personas.committee
    )
    assert application.status == Status.VOTE_FAILED
    with pytest.raises(DomainError) as refused:
        review(application, personas.reviewer)
    assert refused.value.code == "not_submitted"
    assert not FundUse.objects.exists()


def test_an_approved_vote_only_in_the_preliminary_result_is_not_yet_enough(estate, personas):
    application = put_to_vote(propose(estate, personas.property_staff), personas.committee)
    run_vote(
        estate,
        application,
        personas.committee,
        answers={"甲": "approve", "乙": "approve", "丙": "approve", "丁": "approve"},
    )
    Assembly.objects.filter(pk=application.assembly_id).update(status=Assembly.Status.PRELIMINARY)
    with pytest.raises(DomainError) as refused:
        services.application_vote_conclude(application=application, actor=personas.committee)
    assert refused.value.code == "vote_pending"
    application.refresh_from_db()
    assert application.status == Status.VOTING


def test_no_vote_no_money_a_fund_use_without_an_application_is_never_paid(
    estate, personas, verified
):
    fund_use = services.fund_use_open(
        area=estate.area,
        source=FundUse.Source.APPLICATION,
        source_key="application:999",
        title="未经表决的维修",
        budget_fen=BUDGET,
        scope_buildings=["1栋"],
        actor=None,
    )
    with pytest.raises(DomainError) as refused:
        instruct(fund_use, verified(personas.approver), amount=100, key="X-1")
    assert refused.value.code == "no_vote"
    assert not PaymentInstruction.objects.exists()


def test_no_vote_no_money_an_application_pushed_to_approved_without_a_vote_is_refused(
    estate, personas, verified
):
    application = approved(estate, personas, verified)
    # Someone moves the vote back behind the service's back: its result is not final.
    Assembly.objects.filter(pk=application.assembly_id).update(status=Assembly.Status.PRELIMINARY)
    with pytest.raises(DomainError) as refused:
        instruct(application.fund_use, verified(personas.approver))
    assert refused.value.code == "no_vote"


def test_no_vote_no_money_a_vote_over_another_scope_does_not_count(estate, personas, verified):
    application = approved(estate, personas, verified)
    instruction = instruct(application.fund_use, verified(personas.approver))
    # The vote was taken over 1栋 only, not the 列支范围 (1栋 + 901).
    Assembly.objects.filter(pk=application.assembly_id).update(scope_unit_codes=[])
    with pytest.raises(DomainError) as refused:
        services.payment_confirm(
            instruction=instruction,
            bank_reference="R1",
            paid_on=timezone.localdate(),
            actor=personas.reviewer,
        )
    assert refused.value.code == "no_vote"
    assert not Transaction.objects.filter(kind=Transaction.Kind.PAYMENT).exists()


def test_an_unregistered_source_is_never_paid(estate, personas, verified):
    from funds.procedure.services import payments

    saved = payments._SOURCES.pop(FundUse.Source.COMMISSION, None)
    try:
        fund_use = services.fund_use_open(
            area=estate.area,
            source=FundUse.Source.COMMISSION,
            source_key="commission:1",
            title="代修",
            budget_fen=BUDGET,
            actor=None,
        )
        with pytest.raises(DomainError) as refused:
            instruct(fund_use, verified(personas.approver), amount=100, key="C-1")
        assert refused.value.code == "no_payment_gate"
    finally:
        if saved is not None:
            payments._SOURCES[FundUse.Source.COMMISSION] = saved


# --------------------------------------------------------------------------- review


def test_a_ticked_exclusion_cannot_pass_review(estate, personas):
    application = voted_and_submitted(estate, personas)
    contract = {**CLEAN, "excl_contract": True}
    with pytest.raises(DomainError) as refused:
        review(application, personas.reviewer, exclusions=contract)
    assert refused.value.code == "excluded"
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    refused_app = review(
        application,
        personas.reviewer,
        decision="refuse",
        exclusions=contract,
        note="属于物业服务合同约定由物业服务企业承担的维修。",
    )
    assert refused_app.status == Status.REFUSED and refused_app.excl_contract


def test_incomplete_materials_are_returned_not_passed(estate, personas):
    application = voted_and_submitted(estate, personas)
    with pytest.raises(DomainError) as refused:
        review(application, personas.reviewer, materials_complete=False)
    assert refused.value.code == "materials_incomplete"
    returned = review(
        application,
        personas.reviewer,
        decision="return",
        materials_complete=False,
        note="请补充维修方案。",
    )
    assert returned.status == Status.RETURNED
    again = services.application_resubmit(application=returned, actor=personas.property_staff)
    assert again.status == Status.SUBMITTED


def test_inside_warranty_the_reviewer_must_record_why_the_fund_pays(estate, personas):
    # 1栋 passed completion acceptance 3 years before the application: roof waterproofing
    # (5 years) is still the builder's.
    filed = timezone.localdate()
    Building.objects.filter(area=estate.area, name="1栋").update(
        completion_date=filed.replace(year=filed.year - 3)
    )
    application = voted_and_submitted(estate, personas)
    with pytest.raises(DomainError) as refused:
        review(application, personas.reviewer)
    assert refused.value.code == "warranty_reason"
    passed = review(
        application, personas.reviewer, warranty_note="建设单位已注销，经公证无法追偿。"
    )
    assert passed.in_warranty and passed.warranty["1栋"][0] == "in"


def test_a_building_without_a_completion_date_is_flagged_like_one_in_warranty(estate, personas):
    Building.objects.filter(area=estate.area, name="9栋").update(completion_date=None)
    application = voted_and_submitted(estate, personas)
    with pytest.raises(DomainError) as refused:
        review(application, personas.reviewer)
    assert refused.value.code == "warranty_reason"


# --------------------------------------------------------------------------- maker ≠ checker


def test_the_reviewer_cannot_approve_what_they_reviewed(estate, personas, verified):
    from accounts.models import Role
    from tests.factories import grant

    reviewer = personas.reviewer
    grant(reviewer, Role.BUREAU_APPROVER)
    reviewer._gongzhi_roles = None
    application = reviewed(estate, personas)
    with pytest.raises(DomainError) as refused:
        services.application_approve(application=application, actor=verified(reviewer))
    assert refused.value.code == "maker_checker"
    assert not ApplicationApproval.objects.exists()


def test_the_applicant_cannot_review_their_own_application(estate, personas):
    from accounts.models import Role
    from tests.factories import grant

    staff = personas.property_staff
    grant(staff, Role.BUREAU_REVIEWER)
    staff._gongzhi_roles = None
    application = voted_and_submitted(estate, personas)
    with pytest.raises(DomainError) as refused:
        review(application, staff)
    assert refused.value.code == "maker_checker"


def test_an_approver_must_have_passed_totp(estate, personas):
    application = reviewed(estate, personas)
    with pytest.raises(PermissionDeniedError) as refused:
        services.application_approve(application=application, actor=personas.approver)
    assert refused.value.code == "otp_required"


def test_up_to_the_threshold_one_approver_suffices(estate, personas, verified, settings):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET
    application = reviewed(estate, personas, budget=BUDGET)
    assert application.required_approvals == 1
    application = services.application_approve(
        application=application, actor=verified(personas.approver)
    )
    assert application.status == Status.APPROVED


def test_above_the_threshold_two_distinct_approvers_are_needed(
    estate,
    personas,
    verified,
    settings,
    second_approver,
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET - 1
    application = reviewed(estate, personas, budget=BUDGET)
    assert application.required_approvals == 2
    first = verified(personas.approver)
    application = services.application_approve(application=application, actor=first)
    assert application.status == Status.REVIEWED and application.fund_use is None
    with pytest.raises(DomainError) as refused:
        services.application_approve(application=application, actor=first)
    assert refused.value.code == "already_approved"
    application = services.application_approve(
        application=application, actor=verified(second_approver)
    )
    assert application.status == Status.APPROVED and application.approvals.count() == 2


# --------------------------------------------------------------------------- who may


def test_only_the_area_s_people_may_apply(estate, personas):
    for outsider in (personas.outsider, personas.other_committee, personas.reviewer):
        with pytest.raises(PermissionDeniedError):
            propose(estate, outsider)
    assert not FundApplication.objects.exists()


def test_the_property_company_cannot_call_the_vote(estate, personas):
    application = propose(estate, personas.property_staff)
    with pytest.raises(PermissionDeniedError):
        put_to_vote(application, personas.property_staff)


def test_a_scope_naming_an_unknown_building_is_refused(estate, personas):
    with pytest.raises(DomainError) as refused:
        services.application_create(
            area=estate.area,
            title="x",
            repair_type="other",
            actor=personas.property_staff,
            scope_buildings=["99栋"],
        )
    assert refused.value.code == "bad_scope"


def test_the_vote_needs_a_quote(estate, personas):
    application = services.application_create(
        area=estate.area,
        title="x",
        repair_type="other",
        actor=personas.property_staff,
        scope_buildings=["1栋"],
        items=[("a", "", 100)],
    )
    with pytest.raises(DomainError) as refused:
        put_to_vote(application, personas.committee)
    assert refused.value.code == "no_quote"


def test_an_acceptance_photo_must_be_an_image_and_nothing_is_stored(estate, personas, verified):
    from .app_helpers import pdf

    application = approved(estate, personas, verified)
    services.application_works_done(
        application=application, actor=personas.property_staff, done_on=timezone.localdate()
    )
    with pytest.raises(DomainError) as refused:
        services.application_accept(
            application=application,
            actor=personas.committee,
            accepted_on=timezone.localdate(),
            note="合格",
            files=[("acceptance_report", "报告", pdf("r.pdf")), ("acceptance_photo", "", pdf())],
        )
    assert refused.value.code == "bad_file"
    application.refresh_from_db()
    assert application.status == Status.WORKS_DONE
    assert not application.attachments.filter(kind__startswith="acceptance").exists()


def test_only_the_applicant_reports_the_works_done(estate, personas, verified):
    application = approved(estate, personas, verified)
    # Every owner of the area holds fund.apply; none may move another's application.
    with pytest.raises(DomainError) as refused:
        services.application_works_done(
            application=application, actor=estate.register.user("乙"), done_on=timezone.localdate()
        )
    assert refused.value.code == "not_applicant"
    application.refresh_from_db()
    assert application.status != Status.WORKS_DONE
    services.application_works_done(
        application=application, actor=personas.property_staff, done_on=timezone.localdate()
    )
    application.refresh_from_db()
    assert application.status == Status.WORKS_DONE
