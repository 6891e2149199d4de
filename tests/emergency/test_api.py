"""The emergency API (emergency/api.py): the public whitelist, applications in scope, one
application with its deadlines and history. Read only.

District (tests/conftest.py): street SA holds a1 (业委会, company P) and a2 (no committee,
company P); street SB holds b1. ``filed``: a1's committee filed water pipes (E05),
12,000.00 元, reviewed within 2 working days of the filing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from emergency import services
from emergency.models import EmergencyApplication, WhitelistItem
from tests.conftest import pass_totp
from tests.funds.api_conformance import conforms, load_schema

from .conftest import file_application, review

pytestmark = pytest.mark.django_db

LIST = "/api/v1/emergency/applications/"
WHITELIST = "/api/v1/emergency/whitelist/"
OTP_PERSONAS = {"approver", "admin"}


def detail(pk) -> str:
    return f"{LIST}{pk}/"


@pytest.fixture
def api(personas):
    client = APIClient()

    def as_(who):
        client.logout()
        if who is not None:
            user = getattr(personas, who) if isinstance(who, str) else who
            client.force_login(user)
            if who in OTP_PERSONAS:
                pass_totp(client, user)
        return client

    client.as_ = as_
    return client


@pytest.fixture
def at(monkeypatch):
    """``at(moment)``: the API reads states and deadlines as at ``moment``. Days later than a
    login the session has expired (8 hours): authenticate with ``clocked`` instead."""

    def move(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return move


def clocked(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --------------------------------------------------------------------------- whitelist


E05 = {
    "position": 5,
    "code": "E05",
    "name": "供排水管道爆裂、堵塞",
    "description": "共用供水管道爆裂，排水、排污管道堵塞或污水外溢的。",
    "facility": "water_drainage",
    "facility_label": "供水、排水管道",
    "evidence": ["photo", "budget"],
    "evidence_labels": ["现场照片", "维修方案及预算（报价）"],
    "cap_fen": 3_000_000,
    "cap_yuan": "30000.00",
    "review_days": 2,
    "payment_days": 2,
    "start_hours": 24,
}


def test_anyone_may_read_the_whitelist_in_force_without_logging_in(api, seeded_whitelist):
    response = api.as_(None).get(WHITELIST)

    body = response.json()
    assert response.status_code == 200
    assert body["number"] == 1
    assert [item["code"] for item in body["items"]] == [f"E0{n}" for n in range(1, 10)]
    assert body["items"][4] == E05
    assert body["items"][0]["evidence"] == ["photo", "budget", "elevator_report"]


@pytest.mark.parametrize("who", ["owner", "committee", "outsider", "admin"])
def test_logged_in_users_read_the_same_whitelist(api, seeded_whitelist, who):
    response = api.as_(who).get(WHITELIST)

    assert response.status_code == 200
    assert response.json()["items"][4] == E05


def test_the_whitelist_shows_the_newest_version_only(api, personas, verified, seeded_whitelist):
    old = WhitelistItem.objects.get(version__number=1, code="E05")
    services.whitelist_item_save(
        actor=verified(personas.admin),
        note="上限下调",
        item={**old.as_dict(), "cap_fen": 2_000_000},
        replaces="E05",
    )

    body = api.as_(None).get(WHITELIST).json()

    assert (body["number"], body["note"]) == (2, "上限下调")
    assert (body["items"][4]["cap_fen"], body["items"][4]["cap_yuan"]) == (2_000_000, "20000.00")
    assert len(body["items"]) == 9


# --------------------------------------------------------------------------- the list


def test_the_committee_sees_its_application_with_exact_figures(api, filed, personas):
    response = api.as_("committee").get(LIST)

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 1
    [row] = body["results"]
    assert moment(row.pop("filed_at")) == filed.filed_at
    assert moment(row.pop("review_due_at")) == filed.review_due_at
    assert row == {
        "id": filed.pk,
        "area": "a1",
        "area_name": "甲一小区",
        "street": "SA",
        "item": {
            "code": "E05",
            "name": "供排水管道爆裂、堵塞",
            "facility": "water_drainage",
            "version": 1,
            "cap_fen": 3_000_000,
            "cap_yuan": "30000.00",
        },
        "status": "filed",
        "status_label": "已提交",
        "deemed_approved": False,
        "estimate_fen": 1_200_000,
        "estimate_yuan": "12000.00",
        "prepayment_fen": 0,
        "prepayment_yuan": "0.00",
        "scope": "整个物业管理区域",
        "applicant": str(personas.committee),
        "applicant_role": filed.applicant_role,
        "alerts": [],
    }


@pytest.mark.parametrize(
    ("who", "count"),
    [
        ("committee", 1),
        ("street_officer", 1),
        ("community_officer", 1),
        ("reviewer", 1),
        ("approver", 1),
        ("admin", 1),
        # Company P serves a1: it sees the application its committee filed (issue 16 item 5).
        ("property_staff", 1),
        # May file or oversee elsewhere, not in a1.
        ("other_committee", 0),
        ("other_street_officer", 0),
    ],
)
def test_the_list_holds_only_applications_in_the_callers_scope(api, filed, who, count):
    response = api.as_(who).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.parametrize("who", ["owner", "outsider", None])
def test_the_list_is_refused_to_owners_outsiders_and_anonymous(api, filed, who):
    assert api.as_(who).get(LIST).status_code == 403


def test_an_approver_without_totp_is_refused(api, filed, personas):
    client = APIClient()
    client.force_login(personas.approver)
    response = client.get(LIST)

    assert response.status_code == 403
    assert response.json()["code"] == "otp_required"


@pytest.fixture
def three(estate, personas, filed):
    """a1's filing, a2's (no committee: filed by company P), b1's (its 物管会)."""
    in_a2 = file_application(personas.property_staff, estate.a2, estimate_fen=5_000_00)
    in_b1 = file_application(personas.other_committee, estate.b1, estimate_fen=8_000_00)
    return filed, in_a2, in_b1


def test_filters_by_area_street_and_status(api, three):
    in_a1, in_a2, in_b1 = three

    def ids(who, **query):
        response = api.as_(who).get(LIST, query)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids("reviewer") == [in_b1.pk, in_a2.pk, in_a1.pk]  # newest first
    assert ids("reviewer", area="a2") == [in_a2.pk]
    assert ids("reviewer", street="SB") == [in_b1.pk]
    assert ids("street_officer") == [in_a2.pk, in_a1.pk]
    assert ids("street_officer", street="SB") == []
    assert ids("property_staff") == [in_a2.pk, in_a1.pk]  # company P serves both
    assert ids("reviewer", status="filed") == [in_b1.pk, in_a2.pk, in_a1.pk]
    assert ids("reviewer", status="approved") == []
    assert ids("reviewer", area="nope") == []


@pytest.mark.parametrize("query", [{"status": "bogus"}, {"status": "FILED"}])
def test_a_bad_status_filter_is_a_400_not_a_500(api, filed, query):
    response = api.as_("reviewer").get(LIST, query)

    assert response.status_code == 400
    assert set(response.json()) == {"status"}


def test_the_list_is_paginated(api, three):
    client = api.as_("reviewer")
    first = client.get(LIST, {"page_size": 2}).json()
    second = client.get(LIST, {"page_size": 2, "page": 2}).json()

    assert (first["count"], len(first["results"]), len(second["results"])) == (3, 2, 1)
    assert second["results"][0]["id"] == three[0].pk
    assert client.get(LIST, {"page_size": 2, "page": 3}).status_code == 404


# --------------------------------------------------------------------------- one application


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("committee", 200),
        ("street_officer", 200),
        ("community_officer", 200),
        ("reviewer", 200),
        ("approver", 200),
        ("admin", 200),
        ("property_staff", 200),  # company P serves a1 (issue 16 item 5)
        ("other_committee", 404),
        ("other_street_officer", 404),
        ("owner", 403),
        ("outsider", 403),
        (None, 403),
    ],
)
def test_who_may_read_one_application(api, filed, who, status):
    assert api.as_(who).get(detail(filed.pk)).status_code == status


@pytest.mark.parametrize("pk", ["999999", "abc", "0"])
def test_an_unknown_application_is_not_found(api, filed, pk):
    assert api.as_("reviewer").get(detail(pk)).status_code == 404


def test_the_detail_lists_evidence_and_the_filing_in_its_history(api, filed, personas):
    body = api.as_("committee").get(detail(filed.pk)).json()

    assert body["description"] == "3栋地下室给水主管爆裂，整栋停水。"
    assert (body["scope_buildings"], body["scope_unit_codes"]) == ([], [])
    assert [(e["kind"], e["kind_label"]) for e in body["evidence"]] == [
        ("photo", "现场照片"),
        ("budget", "维修方案及预算（报价）"),
    ]
    stored = list(filed.evidence.order_by("pk"))
    assert [e["sha256"] for e in body["evidence"]] == [e.sha256 for e in stored]
    assert body["evidence"][0]["url"] == f"/emergency/{filed.pk}/evidence/{stored[0].pk}/"
    assert [(d["kind"], d["state"], d["overdue"]) for d in body["deadlines"]] == [
        ("review", "pending", False)
    ]
    assert moment(body["deadlines"][0]["due_at"]) == filed.review_due_at
    [step] = body["history"]
    assert (step["action"], step["label"], step["from_status"], step["to_status"]) == (
        "emergency.file",
        "提交申请",
        None,
        "filed",
    )
    assert step["actor"] == str(personas.committee)
    assert (body["fund_use"], body["commission"], body["final_cost_fen"]) == (None, None, None)


def test_the_review_deadline_is_due_soon_then_overdue_at_its_exact_moment(filed, at, personas):
    client = clocked(personas.street_officer)
    due = filed.review_due_at

    def read(now):
        at(now)
        return client.get(detail(filed.pk)).json()

    pending = read(due - timedelta(hours=24, microseconds=1))
    soon = read(due - timedelta(microseconds=1))
    overdue = read(due)

    assert ([d["state"] for d in pending["deadlines"]], pending["alerts"]) == (["pending"], [])
    assert [(d["state"], d["state_label"]) for d in soon["deadlines"]] == [("due_soon", "即将到期")]
    assert (soon["overdue"], [a["kind"] for a in soon["alerts"]]) == (False, ["review"])
    assert [(d["state"], d["overdue"]) for d in overdue["deadlines"]] == [("overdue", True)]
    assert overdue["overdue"] is True
    assert [(a["kind"], a["label"], a["overdue"]) for a in overdue["alerts"]] == [
        ("review", "住建局审核", True)
    ]
    # Without the auto-approve setting an overdue review is still waiting for the bureau.
    assert (overdue["status"], overdue["deemed_approved"]) == ("filed", False)


def test_the_list_shows_the_overdue_alert_too(filed, at, personas):
    at(filed.review_due_at)
    [row] = clocked(personas.reviewer).get(LIST).json()["results"]

    assert [(a["kind"], a["state"]) for a in row["alerts"]] == [("review", "overdue")]


def test_with_auto_approve_an_overdue_review_reads_and_filters_as_approved(
    filed, at, personas, settings
):
    settings.GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE = True
    client = clocked(personas.reviewer)

    at(filed.review_due_at - timedelta(microseconds=1))
    before = client.get(detail(filed.pk)).json()
    before_ids = {
        s: [r["id"] for r in client.get(LIST, {"status": s}).json()["results"]]
        for s in ("filed", "approved")
    }
    at(filed.review_due_at)
    after = client.get(detail(filed.pk)).json()
    after_ids = {
        s: [r["id"] for r in client.get(LIST, {"status": s}).json()["results"]]
        for s in ("filed", "approved")
    }

    assert (before["status"], before["deemed_approved"]) == ("filed", False)
    assert before_ids == {"filed": [filed.pk], "approved": []}
    assert (after["status"], after["status_label"], after["deemed_approved"]) == (
        "approved",
        "逾期视为批准",
        True,
    )
    assert after_ids == {"filed": [], "approved": [filed.pk]}
    # Nothing was recorded by reading: the first service to act records it.
    assert EmergencyApplication.objects.get(pk=filed.pk).status == "filed"


def test_the_history_records_each_step_with_its_states_and_actors(api, filed, personas, verified):
    reviewed_at = filed.filed_at + timedelta(hours=1)
    approved_at = filed.filed_at + timedelta(hours=2)
    review(filed, personas.reviewer, now=reviewed_at)
    services.application_approve(
        application=filed, actor=verified(personas.approver), note="同意", now=approved_at
    )

    body = api.as_("committee").get(detail(filed.pk)).json()

    assert [
        (s["action"], s["from_status"], s["to_status"], s["actor"]) for s in body["history"]
    ] == [
        ("emergency.file", None, "filed", str(personas.committee)),
        ("emergency.review_start", "filed", "under_review", str(personas.reviewer)),
        ("emergency.checklist", None, None, str(personas.reviewer)),
        ("emergency.approve", "under_review", "approved", str(personas.approver)),
    ]
    assert [s["label"] for s in body["history"]] == [
        "提交申请",
        "受理审核",
        "填写核查清单（不得列支情形、保修期）",
        "批准",
    ]
    assert [s["seq"] for s in body["history"]] == sorted(s["seq"] for s in body["history"])
    assert (body["status"], body["status_label"], body["approval_note"]) == (
        "approved",
        "已批准",
        "同意",
    )
    assert moment(body["approved_at"]) == approved_at
    # Review met in time; the works must start within 24 hours of the approval.
    assert [(d["kind"], d["state"]) for d in body["deadlines"]] == [
        ("review", "met"),
        ("works_start", "pending"),
    ]
    assert moment(body["deadlines"][1]["due_at"]) == approved_at + timedelta(hours=24)
    assert (body["fund_use"]["budget_fen"], body["fund_use"]["budget_yuan"]) == (
        1_200_000,
        "12000.00",
    )


def test_a_commission_and_a_refusal_appear_in_the_history(api, estate, filed, personas, verified):
    approved_at = filed.filed_at + timedelta(hours=2)
    review(filed, personas.reviewer)
    services.application_approve(
        application=filed, actor=verified(personas.approver), now=approved_at
    )
    services.commission_create(
        application=filed,
        actor=verified(personas.approver),
        contractor="宿州市某管道工程有限公司",
        estimate_fen=1_000_000,
        reason="24小时内未开工",
        now=approved_at + timedelta(hours=25),
    )
    refused = file_application(personas.committee, estate.a1, estimate_fen=3_000_00)
    services.application_refuse(
        application=refused, actor=personas.reviewer, reason="不属于紧急情形"
    )
    client = api.as_("reviewer")

    commissioned = client.get(detail(filed.pk)).json()
    refusal = client.get(detail(refused.pk)).json()

    assert commissioned["history"][-1]["action"] == "emergency.commission"
    assert commissioned["history"][-1]["label"] == "代修（住建局组织维修）"
    assert (
        commissioned["commission"]["estimate_fen"],
        commissioned["commission"]["estimate_yuan"],
    ) == (
        1_000_000,
        "10000.00",
    )
    assert commissioned["commission"]["contractor"] == "宿州市某管道工程有限公司"
    assert (refusal["status"], refusal["refusal_reason"]) == ("refused", "不属于紧急情形")
    assert [(s["action"], s["to_status"]) for s in refusal["history"]] == [
        ("emergency.file", "filed"),
        ("emergency.refuse", "refused"),
    ]


# --------------------------------------------------------------------------- schema


def test_the_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    for path in (WHITELIST, LIST, "/api/v1/emergency/applications/{id}/"):
        assert "get" in schema["paths"][path]
    names = {p["name"] for p in schema["paths"][LIST]["get"]["parameters"]}
    assert {"status", "area", "street", "page", "page_size"} <= names
    detail_id = schema["paths"]["/api/v1/emergency/applications/{id}/"]["get"]["parameters"][0]
    assert detail_id["schema"]["type"] == "integer"
    assert schema["components"]["schemas"]["EmergencyApplicationStatusEnum"]["enum"] == list(
        EmergencyApplication.Status.values
    )


def test_real_answers_are_the_ones_the_schema_declares(api, estate, filed, personas, verified):
    approved_at = filed.filed_at + timedelta(hours=1)
    review(filed, personas.reviewer)
    services.application_approve(
        application=filed, actor=verified(personas.approver), now=approved_at
    )
    services.commission_create(
        application=filed,
        actor=verified(personas.approver),
        contractor="宿州市某管道工程有限公司",
        estimate_fen=1_000_000,
        reason="24小时内未开工",
        now=approved_at + timedelta(hours=25),
    )
    refused = file_application(personas.committee, estate.a1, estimate_fen=3_000_00)
    services.application_refuse(application=refused, actor=personas.reviewer, reason="不属于")
    schema = load_schema()
    calls = [
        (None, "/whitelist/", WHITELIST, {}),
        ("committee", "/applications/", LIST, {"page_size": 1}),
        ("committee", "/applications/", LIST, {"status": "nope"}),
        ("owner", "/applications/", LIST, {}),
        ("committee", "/applications/{id}/", detail(filed.pk), {}),
        ("reviewer", "/applications/{id}/", detail(refused.pk), {}),
        ("other_committee", "/applications/{id}/", detail(filed.pk), {}),
    ]
    seen = set()
    for who, operation, path, query in calls:
        response = api.as_(who).get(path, query)
        conforms(schema, f"GET /api/v1/emergency{operation}", response)
        seen.add(response.status_code)

    assert seen == {200, 400, 403, 404}
