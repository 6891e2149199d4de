"""Ballots over the API (voting/api_ballots.py): progress, cast, my ballots, board, result.

Register of a1 (tests/voting/conftest.py): 甲 89.50, 乙 100.00, 丙 120.25, 丁 75.00,
co-owners 戊+己 110.00, the developer 100.00 — 6 rights, 6 heads, 594.75 m².
The ``assembly`` fixture is open, with m1 (ordinary, item 4), m2 (special, item 6)
and m3 (election, item 3, 2 seats, candidates c1 张三, c2 李四, c3 王五).
"""

from __future__ import annotations

import json

import pytest

from tests.estates.helpers import make_person
from tests.voting.api_client import ANSWERS, LIST, MINE, api_client, cast, url
from tests.voting.conftest import (
    ALL_APPROVE,
    ORDINARY,
    bind,
    build_register,
    close,
    make_assembly,
    mark_noticed,
    open_assembly,
    pdf_upload,
)
from voting import services, verifier
from voting.board_store import board_build, board_bytes
from voting.models import Ballot

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return api_client()


# --------------------------------------------------------------------------- progress


def test_progress_after_one_ballot(api, assembly, register):
    services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("甲"))

    body = api.as_(register.user("乙")).get(url(assembly, "progress/")).json()

    assert (body["status"], body["rights"], body["ballots"]) == ("open", 6, 1)
    assert body["total"] == {"heads": 6, "area": "594.75"}
    assert body["cast"] == {"heads": 1, "area": "89.50"}
    assert body["cast_bps"] == {"heads": 1666, "area": 1504}
    m1 = body["motions"][0]
    assert (m1["code"], m1["kind"], m1["outcome"]) == ("m1", "ordinary", "no_quorum")
    assert m1["participation"]["heads"] == {
        "value": 1,
        "total": 6,
        "line": 4,
        "met": False,
        "value_bps": 1666,
        "line_bps": 6666,
    }
    assert (m1["participation"]["area"]["value"], m1["participation"]["area"]["line"]) == (
        8950,
        39650,
    )
    assert m1["participation"]["met"] is False
    assert m1["approval"]["heads"]["line"] == 1


@pytest.mark.parametrize(
    "persona", ["committee", "property_staff", "community_officer", "reviewer"]
)
def test_staff_in_scope_follow_the_progress(api, assembly, register, personas, persona):
    services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("丙"))

    body = api.as_(getattr(personas, persona)).get(url(assembly, "progress/")).json()

    assert (body["ballots"], body["cast"]) == (1, {"heads": 1, "area": "120.25"})


def test_progress_before_the_roll_is_frozen_is_404(api, register, personas):
    noticed = mark_noticed(make_assembly(register.area, personas.committee))

    assert api.as_(personas.committee).get(url(noticed, "progress/")).status_code == 404


@pytest.mark.parametrize(("persona", "code"), [("other_owner", 404), ("outsider", 403)])
def test_progress_outside_scope_is_refused(api, assembly, personas, persona, code):
    assert api.as_(getattr(personas, persona)).get(url(assembly, "progress/")).status_code == code


# --------------------------------------------------------------------------- cast


RECEIPT_KEYS = {
    "assembly",
    "assembly_title",
    "right",
    "units",
    "seq",
    "tracker",
    "hash",
    "channel",
    "channel_label",
    "cast_at",
    "choices",
}


def test_an_owner_casts_and_gets_the_receipt(api, assembly, register):
    response = cast(api, register.user("甲"), assembly, key="k-1")

    assert response.status_code == 201, response.content
    ballot = Ballot.objects.get(assembly=assembly)
    body = response.json()
    assert set(body) == RECEIPT_KEYS
    assert body["assembly"] == assembly.pk
    assert body["assembly_title"] == "2026年第一次业主大会会议"
    assert body["right"] == register.right(assembly, "甲").pk
    assert body["units"] == ["1栋-1单元-101"]
    assert (body["seq"], body["tracker"], body["hash"]) == (1, ballot.tracker, ballot.hash)
    assert (body["channel"], body["channel_label"]) == ("online", "网上投票")
    # Candidates are stored in ballot order, whatever order they were sent in.
    assert body["choices"] == {"m1": "approve", "m2": "reject", "m3": ["c1", "c2"]}
    assert ballot.choices == body["choices"]
    assert ballot.voter == register.person("甲")
    assert body["cast_at"].endswith("+08:00")


def test_repeating_with_the_same_key_returns_the_same_receipt(api, assembly, register):
    first = cast(api, register.user("甲"), assembly, key="k-1")
    again = cast(api, register.user("甲"), assembly, key="k-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Ballot.objects.filter(assembly=assembly).count() == 1


def test_a_key_reused_for_other_choices_is_refused(api, assembly, register):
    cast(api, register.user("甲"), assembly, key="k-1")

    response = cast(api, register.user("甲"), assembly, {**ANSWERS, "m1": "reject"}, key="k-1")

    assert (response.status_code, response.json()["code"]) == (409, "key_reused")
    assert Ballot.objects.get(assembly=assembly).choices["m1"] == "approve"


def test_a_second_ballot_for_the_same_right_is_refused(api, assembly, register):
    cast(api, register.user("甲"), assembly, key="k-1")

    response = cast(api, register.user("甲"), assembly, {**ANSWERS, "m1": "reject"}, key="k-2")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_voted"
    # Said first: this submission did not count (issue #16), then when the right voted.
    assert body["detail"].startswith("已投票，本次提交未计入：该表决权已于")
    assert body["detail"].endswith("通过“网上投票”投票，投票后不能更改。")
    assert Ballot.objects.filter(assembly=assembly).count() == 1


def test_a_co_owner_cannot_vote_the_shared_right_again(api, assembly, register):
    assert cast(api, register.user("戊"), assembly).status_code == 201

    response = cast(api, register.user("己"), assembly)

    assert (response.status_code, response.json()["code"]) == (409, "already_voted")


def test_a_paper_ballot_already_entered_blocks_the_online_one(api, assembly, register, personas):
    services.ballot_enter_paper(
        assembly=assembly,
        right=register.right(assembly, "甲"),
        choices=ALL_APPROVE,
        scan=pdf_upload(),
        actor=personas.committee,
    )

    response = cast(api, register.user("甲"), assembly)

    assert response.json()["code"] == "already_voted"
    assert "纸质表决票" in response.json()["detail"]


def test_a_closed_assembly_refuses_with_a_clear_message(api, assembly, register):
    close(assembly)

    response = cast(api, register.user("甲"), assembly)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "closed"
    assert body["detail"].startswith("表决已于") and body["detail"].endswith("截止，不再接受投票。")
    assert Ballot.objects.filter(assembly=assembly).count() == 0


def test_a_noticed_assembly_not_yet_open_refuses(api, register, personas):
    noticed = mark_noticed(make_assembly(register.area, personas.committee))

    response = cast(api, register.user("甲"), noticed, {"m1": "approve"})

    assert (response.status_code, response.json()["code"]) == (409, "not_open")


def test_an_owner_login_not_bound_to_the_register_is_refused(api, assembly, personas):
    response = cast(api, personas.owner, assembly)  # owner role in a1, no register person

    assert (response.status_code, response.json()["code"]) == (400, "not_bound")
    assert Ballot.objects.filter(assembly=assembly).count() == 0


def test_an_owner_not_on_the_frozen_roll_is_refused(api, assembly, district):
    # Bound to the register, owner of a1 now, but not when the roll froze.
    newcomer = bind(make_person("庚", phone="13900009999"), area=district.a1)

    response = cast(api, newcomer, assembly)

    assert (response.status_code, response.json()["code"]) == (409, "not_on_roll")
    assert "表决名册中没有您的表决权" in response.json()["detail"]
    assert Ballot.objects.filter(assembly=assembly).count() == 0


@pytest.mark.parametrize(
    ("choices", "fields"),
    [
        ({"m1": "approve", "m3": ["c1"]}, {"m2": "请对本议题作出选择（同意、反对或弃权）。"}),
        ({**ANSWERS, "m1": "maybe"}, {"m1": "请选择同意、反对或弃权。"}),
        ({**ANSWERS, "m1": "invalid"}, {"m1": "请选择同意、反对或弃权。"}),
        ({**ANSWERS, "m3": ["c1", "c2", "c3"]}, {"m3": "最多可选 2 名候选人。"}),
        ({**ANSWERS, "m3": ["c9"]}, {"m3": "候选人不正确。"}),
        ({**ANSWERS, "m3": ["c1", "c1"]}, {"m3": "同一候选人只能选一次。"}),
        ({**ANSWERS, "m9": "approve"}, {"m9": "没有这个表决议题。"}),
        ({**ANSWERS, "m1": ["approve"]}, {"m1": "请选择同意、反对或弃权。"}),
        ({**ANSWERS, "m2": {"x": 1}}, {"m2": "请选择同意、反对或弃权。"}),
    ],
)
def test_malformed_choices_are_a_400_with_a_field_map_and_store_nothing(
    api, assembly, register, choices, fields
):
    before = Ballot.objects.count()

    response = cast(api, register.user("甲"), assembly, choices)

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_choices",
        "detail": "表决票填写不完整或有误，请检查。",
        "fields": fields,
    }
    assert Ballot.objects.count() == before == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"choices": ["approve"]}, "choices"),
        ({"choices": "approve"}, "choices"),
        ({}, "choices"),
        ({"choices": ANSWERS, "key": "k" * 65}, "key"),
        ({"choices": ANSWERS, "right": "first"}, "right"),
    ],
)
def test_a_malformed_body_is_a_400_naming_the_field(api, assembly, register, body, field):
    response = api.as_(register.user("甲")).post(url(assembly, "cast/"), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(("persona", "code"), [("other_owner", 404), ("committee", 403)])
def test_casting_outside_the_owners_area_or_without_the_role_is_refused(
    api, assembly, personas, persona, code
):
    assert cast(api, getattr(personas, persona), assembly).status_code == code
    assert Ballot.objects.count() == 0


def test_anonymous_cannot_cast(api, assembly):
    assert cast(api, None, assembly).status_code == 403


@pytest.fixture
def two_rights(district, personas):
    """辛 owns 201 alone and 202 with 壬: two owner sets, two rights for 辛."""
    register = build_register(district.a2, [("辛", ["80.00"]), ("辛+壬", ["90.00"])])
    assembly = make_assembly(district.a2, personas.street_officer, motions=(ORDINARY,))
    return register, open_assembly(assembly, personas.street_officer)


def test_an_owner_with_two_rights_must_name_one(api, two_rights):
    register, assembly = two_rights
    first, second = sorted(r.pk for r in assembly.rights.all())

    missing = cast(api, register.user("辛"), assembly, {"m1": "approve"})
    named = cast(api, register.user("辛"), assembly, {"m1": "approve"}, right=second)

    assert missing.json()["code"] == "choose_right"
    assert missing.json()["fields"] == {"right": "请选择房屋。"}
    assert (named.status_code, named.json()["right"]) == (201, second)
    last = cast(api, register.user("辛"), assembly, {"m1": "reject"})
    assert (last.status_code, last.json()["right"]) == (201, first)


def test_a_right_of_another_owner_or_assembly_is_refused(api, assembly, register, two_rights):
    other_register, other_assembly = two_rights
    foreign = other_assembly.rights.first().pk
    not_mine = register.right(assembly, "乙").pk

    elsewhere = cast(api, register.user("甲"), assembly, right=foreign)
    theirs = cast(api, register.user("甲"), assembly, right=not_mine)

    assert elsewhere.json() == {
        "code": "not_your_right",
        "detail": "这不是您的表决权。",
        "fields": {"right": "这不是您的表决权。"},
    }
    assert (theirs.status_code, theirs.json()["code"]) == (400, "not_your_right")
    assert Ballot.objects.filter(assembly=assembly).count() == 0


# --------------------------------------------------------------------------- my ballots


def test_my_ballots_hold_my_receipts_only(api, assembly, register):
    mine = cast(api, register.user("甲"), assembly).json()
    cast(api, register.user("乙"), assembly)

    rows = api.as_(register.user("甲")).get(MINE).json()

    assert rows["count"] == 1
    assert rows["results"] == [mine]
    assert api.as_(register.user("丙")).get(MINE).json()["results"] == []


def test_co_owners_share_the_receipt_of_their_one_right(api, assembly, register):
    receipt = cast(api, register.user("戊"), assembly).json()

    assert api.as_(register.user("己")).get(MINE).json()["results"] == [receipt]


def test_my_ballots_filter_by_assembly(api, assembly, register, personas):
    cast(api, register.user("甲"), assembly)
    other = open_assembly(make_assembly(register.area, personas.committee), personas.committee)
    assert cast(api, register.user("甲"), other, {"m1": "abstain"}).status_code == 201
    owner = api.as_(register.user("甲"))

    assert owner.get(MINE).json()["count"] == 2
    rows = owner.get(MINE, {"assembly": other.pk}).json()["results"]
    assert [row["assembly"] for row in rows] == [other.pk]


@pytest.mark.parametrize("value", ["1.5", "x", str(10**30), "0"])
def test_a_malformed_assembly_filter_is_a_400_naming_the_field(api, register, value):
    response = api.as_(register.user("甲")).get(MINE, {"assembly": value})

    assert (response.status_code, list(response.json())) == (400, ["assembly"])


@pytest.mark.parametrize("persona", ["committee", "reviewer", "outsider"])
def test_my_ballots_are_for_owners_only(api, personas, persona):
    assert api.as_(getattr(personas, persona)).get(MINE).status_code == 403


# --------------------------------------------------------------------------- board and result


@pytest.fixture
def voted(api, assembly, register):
    """Four ballots (tests/voting/test_board_db.py's votes, all online), then the close."""
    for name, choices in [
        ("甲", {"m1": "approve", "m2": "approve", "m3": ["c1", "c2"]}),
        ("乙", {"m1": "approve", "m2": "approve", "m3": ["c1"]}),
        ("丙", {"m1": "reject", "m2": "reject", "m3": ["c2", "c3"]}),
        ("己", {"m1": "approve", "m2": "approve", "m3": ["c1", "c3"]}),
    ]:
        assert cast(api, register.user(name), assembly, choices).status_code == 201
    return close(assembly)


def test_the_board_is_404_before_the_close(api, assembly, register):
    cast(api, register.user("甲"), assembly)

    assert api.as_(None).get(url(assembly, "board/")).status_code == 404


def test_the_board_is_public_after_close_as_canonical_bytes_that_verify(api, voted):
    response = api.as_(None).get(url(voted, "board/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == board_bytes(board_build(voted))
    report = verifier.verify_bytes(response.content)
    assert report.valid, report.errors
    assert report.head == voted.chain_head
    assert report.motions["m1"]["outcome"] == "approved"
    assert json.loads(response.content)["format"] == "gongzhi-board/1"


def test_an_unknown_assembly_has_no_board_and_no_result(api, db):
    assert api.as_(None).get(f"{LIST}999999/board/").status_code == 404
    assert api.as_(None).get(f"{LIST}999999/result/").status_code == 404


def test_the_result_is_404_before_the_close(api, assembly):
    assert api.as_(None).get(url(assembly, "result/")).status_code == 404


def test_the_result_after_close_before_the_count_shows_no_figures(api, voted):
    # Only counted figures (DESIGN.md "Trust anchors"): the count checks every
    # ballot against its audit event; a figure made before it has not been.
    body = api.as_(None).get(url(voted, "result/")).json()

    assert (body["status"], body["counted"], body["closed_at"]) == ("closed", False, None)
    assert body["motions"] == []


def test_the_result_after_the_count_shows_each_motions_counts(api, voted, personas):
    services.assembly_count(assembly=voted, actor=personas.committee)

    body = api.as_(None).get(url(voted, "result/")).json()

    assert (body["counted"], body["ballots"], body["head"]) == (True, 4, voted.chain_head)
    assert body["roll"]["area"] == "594.75"
    assert (body["preliminary"], body["final"], body["objection_deadline"]) == (None, None, None)
    m1, m2, m3 = body["motions"]
    # m1 ordinary: 3 of 4 heads, 299.50 of 419.75 m² approve → approved.
    assert m1["outcome"] == "approved" and m1["outcome_label"] == "通过"
    assert m1["quorum"] is True
    assert m1["total"] == {"heads": 6, "area": "594.75"}
    assert m1["participating"] == {"heads": 4, "area": "419.75"}
    assert m1["approve"] == {"heads": 3, "area": "299.50"}
    assert m1["reject"] == {"heads": 1, "area": "120.25"}
    assert m1["abstain"] == m1["invalid"] == {"heads": 0, "area": "0.00"}
    assert m1["thresholds"] == {
        "quorum": {"heads": 4, "area": "396.50"},
        "approval": {"heads": 3, "area": "209.88"},
    }
    # m2 special: 4·299.50 = 1198 < 3·419.75 = 1259.25 by area → rejected.
    assert m2["outcome"] == "rejected"
    assert m2["thresholds"]["approval"] == {"heads": 3, "area": "314.82"}
    assert (m1["elected"], m1["tie"], m1["candidates"]) == ([], None, [])
    # m3: only c1 (3 heads, 299.50 m²) has more than half of 4 heads.
    assert (m3["elected"], m3["tie"], m3["seats"]) == (["c1"], False, 2)
    assert m3["candidates"][0] == {
        "code": "c1",
        "name": "张三",
        "heads": 3,
        "area": "299.50",
        "passes": True,
        "elected": True,
        "tied": False,
    }
    assert [c["passes"] for c in m3["candidates"]] == [True, False, False]


def test_the_result_shows_the_preliminary_notice_and_objection_deadline(
    api, voted, personas, publishing
):
    published = services.assembly_close_and_count(assembly=voted, actor=personas.committee)

    body = api.as_(None).get(url(voted, "result/")).json()

    serial = published.preliminary_publication.serial
    assert body["status"] == "preliminary"
    assert body["preliminary"]["serial"] == serial
    assert body["preliminary"]["url"] == f"/publications/{serial}/"
    assert body["objection_deadline"] is not None
    assert body["objection_deadline"].endswith("T00:00:00+08:00")
    assert body["final"] is None
