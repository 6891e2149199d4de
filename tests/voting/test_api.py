"""The voting API (voting/api.py): assemblies and their detail, the committee's drafts, the schema.

Register of a1 (tests/voting/conftest.py): 甲 89.50, 乙 100.00, 丙 120.25, 丁 75.00,
co-owners 戊+己 110.00, the developer 100.00 — 6 rights, 6 heads, 594.75 m².
The ``assembly`` fixture is open, with m1 (ordinary, item 4), m2 (special, item 6)
and m3 (election, item 3, 2 seats, candidates c1 张三, c2 李四, c3 王五).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from tests.voting.api_client import LIST, api_client, ids, url
from tests.voting.conftest import (
    ELECTION,
    close,
    make_assembly,
    mark_noticed,
    pdf_upload,
    shift,
)
from voting import services
from voting.models import Assembly

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return api_client()


# --------------------------------------------------------------------------- list and detail


@pytest.mark.parametrize(
    "persona",
    [
        "committee",
        "property_staff",
        "street_officer",
        "community_officer",
        "reviewer",
        "approver",
        "admin",
    ],
)
def test_staff_in_scope_see_the_assembly_in_the_list(api, assembly, personas, persona):
    assert ids(api.as_(getattr(personas, persona)).get(LIST)) == [assembly.pk]


def test_an_owner_of_the_area_sees_the_assembly_in_the_list(api, assembly, register):
    assert ids(api.as_(register.user("甲")).get(LIST)) == [assembly.pk]


@pytest.mark.parametrize("persona", ["other_owner", "other_committee", "other_street_officer"])
def test_users_of_another_area_see_an_empty_list(api, assembly, personas, persona):
    assert ids(api.as_(getattr(personas, persona)).get(LIST)) == []


@pytest.mark.parametrize("persona", ["other_owner", "other_committee", "other_street_officer"])
def test_an_assembly_of_another_area_is_404(api, assembly, personas, persona):
    assert api.as_(getattr(personas, persona)).get(url(assembly)).status_code == 404


def test_an_outsider_gets_403_and_anonymous_403(api, assembly, personas):
    assert api.as_(personas.outsider).get(LIST).status_code == 403
    assert api.as_(None).get(LIST).status_code == 403
    assert api.as_(None).get(url(assembly)).status_code == 403


def test_a_draft_is_shown_to_its_conveners_only(api, register, personas):
    draft = make_assembly(register.area, personas.committee, title="草稿会议")

    assert ids(api.as_(personas.committee).get(LIST)) == [draft.pk]
    assert ids(api.as_(register.user("甲")).get(LIST)) == []
    assert ids(api.as_(personas.reviewer).get(LIST)) == []
    assert api.as_(register.user("甲")).get(url(draft)).status_code == 404
    assert api.as_(personas.committee).get(url(draft)).json()["status"] == "draft"


def test_the_status_filter_follows_the_clock_not_the_stored_status(api, assembly, personas):
    # ``later`` is stored "noticed"; ``assembly`` stored "open".
    later = mark_noticed(make_assembly(assembly.area, personas.committee, title="第二次会议"))
    reviewer = api.as_(personas.reviewer)
    assert ids(reviewer.get(LIST, {"status": "open"})) == [assembly.pk]
    assert ids(reviewer.get(LIST, {"status": "noticed"})) == [later.pk]

    # Its opening moment has come; nobody has opened it: open by the clock.
    shift(later, opens=-timedelta(minutes=1), closes=timedelta(days=3))
    close(assembly)  # stored "open", its closing moment passed: closed by the clock

    assert ids(reviewer.get(LIST, {"status": "open"})) == [later.pk]
    assert ids(reviewer.get(LIST, {"status": "noticed"})) == []
    assert ids(reviewer.get(LIST, {"status": "closed"})) == [assembly.pk]


def test_the_area_filter_and_pagination(api, assembly, personas, district):
    later = mark_noticed(make_assembly(assembly.area, personas.committee, title="第二次会议"))
    reviewer = api.as_(personas.reviewer)

    assert sorted(ids(reviewer.get(LIST, {"area": "a1"}))) == sorted([assembly.pk, later.pk])
    assert ids(reviewer.get(LIST, {"area": "b1"})) == []
    page = reviewer.get(LIST, {"page_size": 1}).json()
    assert (page["count"], len(page["results"]), page["next"] is not None) == (2, 1, True)


def test_an_unknown_status_is_a_400_naming_the_field(api, assembly, personas):
    response = api.as_(personas.reviewer).get(LIST, {"status": "sleeping"})

    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_the_detail_shows_status_scope_roll_motions_and_my_rights(api, assembly, register):
    body = api.as_(register.user("甲")).get(url(assembly)).json()

    assert (body["status"], body["status_label"]) == ("open", "表决中")
    assert body["area"] == {"id": register.area.pk, "code": "a1", "name": "甲一小区"}
    assert body["scope"] == {
        "whole_area": True,
        "buildings": [],
        "unit_codes": [],
        "text": "全体业主（整个物业管理区域）",
    }
    assert body["roll"]["rights"] == 6
    assert body["roll"]["heads"] == 6
    assert body["roll"]["area"] == "594.75"
    assert body["roll"]["digest"] == assembly.snapshot.digest
    m1, m2, m3 = body["motions"]
    assert (m1["code"], m1["item"], m1["kind"], m1["seats"]) == ("m1", 4, "ordinary", None)
    assert m1["legal_basis"] == (
        "《民法典》第二百七十八条第一款第（四）项：选聘和解聘物业服务企业或者其他管理人"
    )
    assert "过半数" in m1["threshold_text"]
    assert (m2["item"], m2["kind"], m2["kind_label"]) == (6, "special", "特别事项（双四分之三）")
    assert "四分之三以上" in m2["threshold_text"]
    assert (m3["kind"], m3["seats"]) == ("election", 2)
    assert [(c["code"], c["name"]) for c in m3["candidates"]] == [
        ("c1", "张三"),
        ("c2", "李四"),
        ("c3", "王五"),
    ]
    right = register.right(assembly, "甲")
    assert body["my_rights"] == [
        {"id": right.pk, "units": ["1栋-1单元-101"], "heads": 1, "area": "89.50", "voted": False}
    ]


def test_staff_see_no_rights_of_their_own_and_no_roll_before_opening(api, register, personas):
    noticed = mark_noticed(make_assembly(register.area, personas.committee))

    body = api.as_(personas.committee).get(url(noticed)).json()

    assert (body["status"], body["roll"], body["my_rights"]) == ("noticed", None, [])


def test_the_detail_lists_attachments_with_their_hash(api, register, personas, media):
    draft = make_assembly(register.area, personas.committee)
    services.attachment_add(
        assembly=draft, title="维修方案", file=pdf_upload("plan.pdf"), actor=personas.committee
    )

    attachments = api.as_(personas.committee).get(url(draft)).json()["attachments"]

    assert len(attachments) == 1
    assert attachments[0]["title"] == "维修方案"
    assert attachments[0]["size"] == len(pdf_upload().read())
    assert len(attachments[0]["sha256"]) == 64


# --------------------------------------------------------------------------- committee writes


def window(days_from_now: int = 20, days: int = 10) -> dict:
    opens = timezone.now() + timedelta(days=days_from_now)
    return {"opens_at": opens.isoformat(), "closes_at": (opens + timedelta(days=days)).isoformat()}


def test_the_committee_creates_a_draft(api, register, personas):
    response = api.as_(personas.committee).post(
        LIST, {"area": "a1", "title": "2026年第二次业主大会会议", **window()}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["area"]["code"], body["convener"]) == (
        "draft",
        "a1",
        "甲一小区业主委员会",
    )
    assert Assembly.objects.get(pk=body["id"]).called_by == personas.committee


def test_a_draft_in_an_area_outside_the_callers_scope_is_refused(api, register, personas):
    response = api.as_(personas.committee).post(
        LIST, {"area": "b1", "title": "越权会议", **window()}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"area": "没有这个物业管理区域，或您不能在该区域召集会议。"}
    assert Assembly.objects.count() == 0


def test_a_draft_closing_before_it_opens_is_a_400_on_closes_at(api, register, personas):
    response = api.as_(personas.committee).post(
        LIST, {"area": "a1", "title": "会议", **window(days=-1)}, format="json"
    )

    assert (response.status_code, list(response.json()["fields"])) == (400, ["closes_at"])


def test_an_owner_cannot_create_a_draft(api, register):
    response = api.as_(register.user("甲")).post(
        LIST, {"area": "a1", "title": "会议", **window()}, format="json"
    )

    assert response.status_code == 403


def test_motions_are_added_with_the_kind_following_the_item(api, register, personas):
    draft = make_assembly(register.area, personas.committee, motions=())
    committee = api.as_(personas.committee)

    special = committee.post(url(draft, "motions/"), {"title": "筹集维修资金", "item": 6})
    election = committee.post(
        url(draft, "motions/"),
        {
            "title": ELECTION["title"],
            "item": 3,
            "seats": 2,
            "candidates": [{"name": "张三", "statement": "1栋"}, {"name": "李四"}],
        },
        format="json",
    )

    assert special.status_code == 201
    assert (special.json()["code"], special.json()["kind"]) == ("m1", "special")
    assert election.status_code == 201, election.content
    assert election.json()["candidates"] == [
        {"code": "c1", "position": 1, "name": "张三", "statement": "1栋"},
        {"code": "c2", "position": 2, "name": "李四", "statement": ""},
    ]


def test_a_motion_with_seats_that_is_not_an_election_is_refused(api, register, personas):
    draft = make_assembly(register.area, personas.committee, motions=())

    response = api.as_(personas.committee).post(
        url(draft, "motions/"), {"title": "续聘物业", "item": 4, "seats": 2}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "not_election")
    assert draft.motions.count() == 0


@pytest.mark.parametrize(("persona", "code"), [("other_committee", 404), ("other_owner", 403)])
def test_motions_outside_the_callers_scope_are_refused(api, register, personas, persona, code):
    draft = make_assembly(register.area, personas.committee, motions=())

    response = api.as_(getattr(personas, persona)).post(
        url(draft, "motions/"), {"title": "续聘物业", "item": 4}, format="json"
    )

    assert response.status_code == code
    assert draft.motions.count() == 0


def test_a_motion_cannot_be_added_after_the_notice(api, assembly, personas):
    response = api.as_(personas.committee).post(
        url(assembly, "motions/"), {"title": "追加议题", "item": 9}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "not_draft")


def test_the_notice_is_published_as_a_signed_publication(api, register, personas, publishing):
    draft = make_assembly(register.area, personas.committee)

    response = api.as_(personas.committee).post(url(draft, "notice/"))

    assert response.status_code == 200, response.content
    body = response.json()
    draft.refresh_from_db()
    assert body["status"] == "noticed"
    assert body["notice"]["serial"] == draft.notice_publication.serial
    assert body["notice_published_at"] is not None


def test_a_notice_too_close_to_the_opening_is_refused_with_the_first_date(api, register, personas):
    draft = make_assembly(register.area, personas.committee, opens_in=timedelta(days=3))

    response = api.as_(personas.committee).post(url(draft, "notice/"))

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "notice_period"
    assert body["detail"].startswith("表决开始时间不得早于")
    assert list(body["fields"]) == ["opens_at"]
    draft.refresh_from_db()
    assert draft.status == Assembly.Status.DRAFT


# --------------------------------------------------------------------------- schema


def test_the_voting_api_is_in_the_schema_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--fail-on-warn", "--file", str(target))

    paths = yaml.safe_load(target.read_text())["paths"]
    expected = {
        "/api/v1/assemblies/": {"get", "post"},
        "/api/v1/assemblies/{id}/": {"get"},
        "/api/v1/assemblies/{id}/progress/": {"get"},
        "/api/v1/assemblies/{id}/cast/": {"post"},
        "/api/v1/assemblies/{id}/board/": {"get"},
        "/api/v1/assemblies/{id}/result/": {"get"},
        "/api/v1/assemblies/{id}/motions/": {"post"},
        "/api/v1/assemblies/{id}/notice/": {"post"},
        "/api/v1/ballots/mine/": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    cast_op = paths["/api/v1/assemblies/{id}/cast/"]["post"]
    assert {"200", "201", "400", "404"} <= set(cast_op["responses"])
    assert (
        "application/json"
        in paths["/api/v1/assemblies/{id}/board/"]["get"]["responses"]["200"]["content"]
    )
    names = {p["name"] for p in paths["/api/v1/assemblies/"]["get"]["parameters"]}
    assert {"area", "status", "page", "page_size"} <= names
