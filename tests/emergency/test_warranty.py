"""Art. 18 warranty and art. 25 exclusions on the emergency path (RULES.md §5, last paragraph).

The filing moment is pinned to 2026-06-15 10:00 in the district (Asia/Shanghai):
the warranty is checked on that day (``funds.procedure.warranty``: the completion day is
not counted, the period ends on the corresponding day). So for waterproofing
(5 years) a building completed on 2021-06-15 is on its last day inside and one
completed on 2021-06-14 on its first day outside; for plumbing and electrical
lines (2 years), 2024-06-15 and 2024-06-14.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import DomainError
from emergency import services
from emergency.models import EmergencyApplication, RecoveryClaim
from estates.models import Building

from .conftest import file_application, review
from .test_api import api as api  # noqa: F401 - the fixture
from .test_pages import login

Status = EmergencyApplication.Status
FILED_AT = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ROOF, PIPES, FIRE = "E02", "E05", "E04"
DEVELOPER = services.ClaimInput(
    against="developer", party_name="宿州某置业有限公司", amount_fen=12_000_00
)


def completed(area, on: date | None, building: str = "1栋") -> None:
    Building.objects.filter(area=area, name=building).update(completion_date=on)


def file_on_1(estate, personas, item_code: str, completion: date | None):
    """Filed on FILED_AT for 1栋 only (a1), whose completion acceptance was on ``completion``."""
    completed(estate.a1, completion)
    return file_application(
        personas.committee, estate.a1, item_code=item_code, scope_buildings=["1栋"], now=FILED_AT
    )


def reload(application):
    return EmergencyApplication.objects.get(pk=application.pk)


# --------------------------------------------------------------------------- the warranty, both sides


@pytest.mark.parametrize(
    ("item_code", "completion", "status", "ends"),
    [
        # roof / wall waterproofing: 5 years
        (ROOF, date(2021, 6, 15), "in", "2026-06-15"),  # the last day inside
        (ROOF, date(2021, 6, 14), "out", "2026-06-14"),  # the first day outside
        # water pipes: plumbing, 2 years
        (PIPES, date(2024, 6, 15), "in", "2026-06-15"),
        (PIPES, date(2024, 6, 14), "out", "2026-06-14"),
    ],
)
def test_filing_checks_the_warranty_of_each_building_on_the_filing_day(
    estate, personas, item_code, completion, status, ends
):
    application = file_on_1(estate, personas, item_code, completion)
    assert application.repair_type == {ROOF: "waterproofing", PIPES: "plumbing"}[item_code]
    assert application.warranty == {"1栋": [status, completion.isoformat(), ends]}
    assert application.warranty_status == status


def test_inside_the_waterproofing_warranty_is_flagged_paid_now_and_a_recovery_claim_recorded(
    estate, personas, verified
):
    application = file_on_1(estate, personas, ROOF, date(2021, 6, 15))
    services.application_review_start(application=application, actor=personas.reviewer)

    with pytest.raises(DomainError) as no_reason:
        services.application_checklist_record(
            application=application, actor=personas.reviewer, exclusions={}
        )
    assert no_reason.value.code == "warranty_reason"
    with pytest.raises(DomainError) as no_claim:
        services.application_checklist_record(
            application=application,
            actor=personas.reviewer,
            exclusions={},
            warranty_note="屋面渗漏进户，雨季不能等待建设单位维修，先行列支。",
        )
    assert no_claim.value.code == "recovery_required"
    assert reload(application).checked_at is None
    assert not RecoveryClaim.objects.exists()

    checked = services.application_checklist_record(
        application=application,
        actor=personas.reviewer,
        exclusions={},
        warranty_note="屋面渗漏进户，雨季不能等待建设单位维修，先行列支。",
        recovery=DEVELOPER,
    )
    assert (checked.warranty_status, checked.checked_by) == ("in", personas.reviewer)
    claim = RecoveryClaim.objects.get(application=application)
    assert (claim.against, claim.party_name, claim.amount_fen, claim.status) == (
        "developer",
        "宿州某置业有限公司",
        12_000_00,
        "open",
    )
    approved = services.application_approve(
        application=application, actor=verified(personas.approver)
    )
    assert approved.status == Status.APPROVED  # urgent: paid now
    actions = [
        a
        for a in AuditEvent.objects.order_by("seq").values_list("action", flat=True)
        if a.startswith("emergency.")
    ]
    assert actions[-3:] == ["emergency.checklist", "emergency.recovery_open", "emergency.approve"]


def test_on_the_first_day_outside_no_reason_and_no_claim_are_needed(estate, personas, verified):
    application = file_on_1(estate, personas, ROOF, date(2021, 6, 14))
    services.application_review_start(application=application, actor=personas.reviewer)
    checked = services.application_checklist_record(
        application=application, actor=personas.reviewer, exclusions={}
    )
    assert checked.warranty_status == "out"
    approved = services.application_approve(
        application=application, actor=verified(personas.approver)
    )
    assert approved.status == Status.APPROVED
    assert not RecoveryClaim.objects.exists()


@pytest.mark.parametrize(
    ("completion", "status", "needs_claim"),
    [(date(2024, 6, 15), "in", True), (date(2024, 6, 14), "out", False)],
)
def test_electrical_lines_recorded_by_the_reviewer_have_two_years(
    estate, personas, completion, status, needs_claim
):
    # A fire-system failure starts as equipment installation; the reviewer finds the
    # electrical lines at fault and records that type: 2 years from completion.
    application = file_on_1(estate, personas, FIRE, completion)
    assert application.repair_type == "equipment"
    services.application_review_start(application=application, actor=personas.reviewer)
    arguments = {
        "application": application,
        "actor": personas.reviewer,
        "exclusions": {},
        "repair_type": "electrical",
        "warranty_note": "消防报警线路故障，先行列支。",
    }
    if needs_claim:
        with pytest.raises(DomainError) as caught:
            services.application_checklist_record(**arguments)
        assert caught.value.code == "recovery_required"
        arguments["recovery"] = services.ClaimInput(
            against="builder", party_name="宿州某安装工程有限公司", amount_fen=8_000_00
        )
    checked = services.application_checklist_record(**arguments)
    ends = completion.replace(year=2026).isoformat()
    assert checked.repair_type == "electrical"
    assert checked.warranty == {"1栋": [status, completion.isoformat(), ends]}
    assert RecoveryClaim.objects.filter(application=application).count() == int(needs_claim)


def test_an_unknown_completion_date_is_unknown_never_outside_warranty(estate, personas, client):
    application = file_on_1(estate, personas, ROOF, None)
    assert application.warranty == {"1栋": ["unknown", None, None]}
    assert application.warranty_status == "unknown"
    services.application_review_start(application=application, actor=personas.reviewer)
    with pytest.raises(DomainError) as caught:
        services.application_checklist_record(
            application=application, actor=personas.reviewer, exclusions={}
        )
    assert caught.value.code == "warranty_reason"
    page = login(client, personas.reviewer).get(reverse("emergency:detail", args=[application.pk]))
    text = page.content.decode()
    assert (
        "<tr><td>1栋</td><td>未知</td><td>未知</td><td><strong>竣工日期未知</strong></td></tr>"
        in text
    )
    assert "<strong>已过保修期</strong>" not in text and "<td>已过保修期</td>" not in text


def test_one_building_inside_flags_the_whole_scope(estate, personas):
    completed(estate.a1, date(2010, 6, 30), "1栋")
    completed(estate.a1, date(2021, 6, 15), "2栋")
    application = file_application(personas.committee, estate.a1, item_code=ROOF, now=FILED_AT)
    assert application.warranty == {
        "1栋": ["out", "2010-06-30", "2015-06-30"],
        "2栋": ["in", "2021-06-15", "2026-06-15"],
    }
    assert application.warranty_status == "in"


# --------------------------------------------------------------------------- art. 25 exclusions


def test_ticking_an_exclusion_needs_a_reason_else_nothing_is_stored(filed, personas):
    services.application_review_start(application=filed, actor=personas.reviewer)
    with pytest.raises(DomainError) as caught:
        services.application_checklist_record(
            application=filed, actor=personas.reviewer, exclusions={"excl_caused": True}
        )
    assert caught.value.code == "exclusion_reason"
    assert "不予批准" in caught.value.message
    stored = reload(filed)
    assert (stored.excl_caused, stored.checked_at) == (False, None)

    checked = services.application_checklist_record(
        application=filed,
        actor=personas.reviewer,
        exclusions={"excl_caused": True},
        exclusion_note="施工车辆压坏管道，停水须立即抢修，另行向肇事方追偿。",
    )
    assert checked.excl_caused and checked.exclusions_ticked() == [
        "因人为损坏及其他原因应由当事人承担的"
    ]


def test_an_unknown_checklist_item_is_refused(filed, personas):
    services.application_review_start(application=filed, actor=personas.reviewer)
    with pytest.raises(DomainError) as caught:
        services.application_checklist_record(
            application=filed, actor=personas.reviewer, exclusions={"excl_other": True}
        )
    assert caught.value.code == "bad_checklist"


def test_the_developer_exclusion_needs_a_recovery_claim_even_out_of_warranty(filed, personas):
    services.application_review_start(application=filed, actor=personas.reviewer)
    arguments = {
        "application": filed,
        "actor": personas.reviewer,
        "exclusions": {"excl_developer": True},
        "exclusion_note": "质量缺陷，开发企业承诺承担。",
    }
    with pytest.raises(DomainError) as caught:
        services.application_checklist_record(**arguments)
    assert caught.value.code == "recovery_required"
    services.application_checklist_record(**arguments, recovery=DEVELOPER)
    assert RecoveryClaim.objects.filter(application=filed, against="developer").exists()


def test_no_approval_without_the_checklist(filed, personas, verified):
    services.application_review_start(application=filed, actor=personas.reviewer)
    with pytest.raises(DomainError) as caught:
        services.application_approve(application=filed, actor=verified(personas.approver))
    assert caught.value.code == "no_checklist"
    assert reload(filed).status == Status.UNDER_REVIEW


def test_no_approval_inside_warranty_once_the_only_claim_is_abandoned(estate, personas, verified):
    application = file_on_1(estate, personas, ROOF, date(2021, 6, 15))
    review(application, personas.reviewer, recovery=DEVELOPER)
    claim = RecoveryClaim.objects.get(application=application)
    services.recovery_claim_abandon(
        claim=claim, actor=verified(personas.approver), reason="开发企业已注销。"
    )
    with pytest.raises(DomainError) as caught:
        services.application_approve(application=application, actor=verified(personas.approver))
    assert caught.value.code == "recovery_required"


def test_only_the_reviewer_who_took_it_records_the_checklist(filed, personas):
    from accounts.models import Role
    from tests.factories import UserFactory, grant

    other = UserFactory(username="reviewer2")
    grant(other, Role.BUREAU_REVIEWER)
    with pytest.raises(DomainError) as before:
        services.application_checklist_record(
            application=filed, actor=personas.reviewer, exclusions={}
        )
    assert before.value.code == "not_reviewer"
    services.application_review_start(application=filed, actor=personas.reviewer)
    with pytest.raises(DomainError) as caught:
        services.application_checklist_record(application=filed, actor=other, exclusions={})
    assert caught.value.code == "not_reviewer"


def test_the_checklist_page_refuses_a_ticked_exclusion_without_reason(client, filed, personas):
    services.application_review_start(application=filed, actor=personas.reviewer)
    url = reverse("emergency:checklist", args=[filed.pk])
    response = login(client, personas.reviewer).post(
        url, {"repair_type": "plumbing", "excl_utility": "on"}
    )
    assert response.status_code == 400
    assert "不得列支情形" in response.content.decode()
    assert reload(filed).checked_at is None


# --------------------------------------------------------------------------- deemed approval


OVERDUE = FILED_AT + timedelta(days=30)


@pytest.fixture
def deemed_on(settings):
    settings.GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE = True


def assert_never_deemed(application, personas):
    assert application.review_overdue(OVERDUE)
    assert not application.deemed_approved_now(OVERDUE)
    assert application.current_status(OVERDUE) == application.status
    with pytest.raises(DomainError) as caught:
        services.application_works_start(application=application, actor=personas.committee)
    assert caught.value.code == "not_approved"
    stored = reload(application)
    assert (stored.status, stored.deemed_approved, stored.fund_use_id) == (
        application.status,
        False,
        None,
    )
    assert not AuditEvent.objects.filter(action="emergency.deemed_approve").exists()


def test_deemed_approval_never_applies_on_the_last_day_inside_warranty(estate, personas, deemed_on):
    application = file_on_1(estate, personas, ROOF, date(2021, 6, 15))
    assert application.deemed_bar() == "列支范围内有房屋仍在保修期内"
    assert_never_deemed(application, personas)


def test_deemed_approval_never_applies_with_an_unknown_completion_date(estate, personas, deemed_on):
    application = file_on_1(estate, personas, ROOF, None)
    assert application.deemed_bar() == "竣工验收日期未知"
    assert_never_deemed(application, personas)


def test_deemed_approval_never_applies_with_an_exclusion_ticked(estate, personas, deemed_on):
    application = file_on_1(estate, personas, ROOF, date(2021, 6, 14))  # out of warranty
    services.application_review_start(
        application=application, actor=personas.reviewer, now=FILED_AT + timedelta(hours=1)
    )
    services.application_checklist_record(
        application=application,
        actor=personas.reviewer,
        exclusions={"excl_contract": True},
        exclusion_note="物业服务合同约定由物业公司维修，但险情紧急。",
        now=FILED_AT + timedelta(hours=2),
    )
    application = reload(application)
    assert application.deemed_bar() == "审核人已勾选不得列支情形"
    assert_never_deemed(application, personas)
    # The review stays open, however late: the bureau still decides.
    refused = services.application_refuse(
        application=application, actor=personas.reviewer, reason="应由物业服务企业承担。"
    )
    assert refused.status == Status.REFUSED


def test_a_clean_overdue_review_on_the_first_day_outside_is_still_deemed_approved(
    estate, personas, deemed_on
):
    application = file_on_1(estate, personas, ROOF, date(2021, 6, 14))
    assert application.deemed_bar() is None
    assert application.deemed_approved_now(OVERDUE)
    started = services.application_works_start(application=application, actor=personas.committee)
    assert (started.status, started.deemed_approved) == (Status.APPROVED, True)
    assert started.approved_at == application.review_due_at
    assert AuditEvent.objects.filter(action="emergency.deemed_approve").count() == 1


def test_the_api_counts_a_barred_overdue_application_as_not_approved(
    api, estate, personas, deemed_on
):
    barred = file_on_1(estate, personas, ROOF, date(2021, 6, 15))
    completed(estate.a1, date(2021, 6, 14))
    clean = file_application(
        personas.committee, estate.a1, item_code=ROOF, scope_buildings=["1栋"], now=FILED_AT
    )
    url = reverse("emergency-application-list")
    approved = api.as_("reviewer").get(url, {"status": "approved"}).json()["results"]
    filed = api.as_("reviewer").get(url, {"status": "filed"}).json()["results"]
    assert [row["id"] for row in approved] == [clean.pk]
    assert [row["id"] for row in filed] == [barred.pk]
    body = api.as_("reviewer").get(reverse("emergency-application-detail", args=[barred.pk])).json()
    assert (body["status"], body["deemed_approved"], body["deemed_bar"]) == (
        "filed",
        False,
        "列支范围内有房屋仍在保修期内",
    )
    assert body["warranty"] == [
        {"building": "1栋", "status": "in", "completed_on": "2021-06-15", "ends_on": "2026-06-15"}
    ]


def test_without_the_setting_nothing_is_ever_deemed(estate, personas, settings):
    settings.GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE = False
    application = file_on_1(estate, personas, ROOF, date(2021, 6, 14))
    assert application.deemed_bar() is None
    assert not application.deemed_approved_now(OVERDUE)
    assert application.deemed_barred_now(OVERDUE) is None


def test_the_migration_backfills_existing_applications_from_their_filing_day(estate, personas):
    import importlib

    from django.apps import apps

    application = file_on_1(estate, personas, ROOF, date(2021, 6, 15))
    EmergencyApplication.objects.filter(pk=application.pk).update(
        repair_type="other", warranty={}, warranty_status="unknown"
    )
    migration = importlib.import_module(
        "emergency.migrations.0003_review_checklist_recovery_claims"
    )
    migration.backfill(apps, None)
    stored = reload(application)
    assert (stored.repair_type, stored.warranty_status, stored.checked_at) == (
        "waterproofing",
        "in",
        None,
    )
    assert stored.warranty == {"1栋": ["in", "2021-06-15", "2026-06-15"]}


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["out", "in", "unknown"], "in"),  # one building inside flags the scope
        (["out", "unknown"], "unknown"),  # a missing date is never read as "out"
        (["out", "out"], "out"),
        (["none", "none"], "none"),
        ([], "unknown"),  # no building at all: nothing shows it is out
    ],
)
def test_the_scope_takes_the_most_cautious_status_of_its_buildings(statuses, expected):
    from funds.procedure import warranty

    checks = [warranty.WarrantyCheck(f"{n}栋", s, None, None) for n, s in enumerate(statuses)]
    assert warranty.overall(checks) == expected
