"""The owner's ballot pages and the public board (Django test client).

An owner on the frozen roll sees the open assembly, answers every motion,
confirms on a review page and gets a receipt with the tracker and the
ballot hash (RULES.md §3). The board JSON is public after close only.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.voting.conftest import close
from voting.models import Ballot

pytestmark = pytest.mark.django_db

ANSWERS = {"m1": "approve", "m2": "reject", "m3": ["c1", "c2"]}


def _post(client, assembly, data: dict, **extra):
    return client.post(reverse("voting:ballot", args=[assembly.pk]), {**data, **extra})


def _review_and_confirm(client, assembly, data=ANSWERS, key="k-1"):
    review = _post(client, assembly, data, step="review")
    assert review.status_code == 200
    confirmed = _post(client, assembly, data, step="confirm", key=key)
    return review, confirmed


def test_the_owner_sees_the_open_assembly_in_my_votes(client, assembly, register):
    client.force_login(register.user("甲"))
    response = client.get(reverse("voting:mine"))
    assert response.status_code == 200
    body = response.content.decode()
    assert assembly.title in body
    assert reverse("voting:ballot", args=[assembly.pk]) in body


def test_the_ballot_page_shows_each_motion_with_basis_threshold_and_answers(
    client, assembly, register
):
    client.force_login(register.user("甲"))
    response = client.get(reverse("voting:ballot", args=[assembly.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for motion in assembly.motions.all():
        assert motion.title in body
        assert str(motion.legal_basis) in body
        assert str(motion.threshold_text) in body
    assert body.count('type="radio"') == 6  # two ordinary/special motions × 同意/反对/弃权
    assert body.count('type="checkbox"') == 4  # three candidates + 弃权
    for word in ("同意", "反对", "弃权"):
        assert word in body


def test_the_review_step_lists_the_choices_and_stores_nothing(client, assembly, register):
    client.force_login(register.user("甲"))
    response = _post(client, assembly, ANSWERS, step="review")
    assert response.status_code == 200
    body = response.content.decode()
    assert "确认提交，提交后不可更改" in body
    assert "张三、李四" in body
    assert "反对" in body
    assert Ballot.objects.filter(assembly=assembly).count() == 0


def test_confirming_casts_the_ballot_and_shows_the_receipt_with_tracker_and_hash(
    client, assembly, register
):
    client.force_login(register.user("甲"))
    _, confirmed = _review_and_confirm(client, assembly)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("voting:receipt", args=[assembly.pk])
    ballot = Ballot.objects.get(assembly=assembly)
    assert ballot.right == register.right(assembly, "甲")
    assert ballot.choices == ANSWERS
    receipt = client.get(confirmed["Location"]).content.decode()
    assert ballot.tracker in receipt
    assert ballot.hash in receipt


def test_a_second_submission_is_refused_and_the_first_ballot_stands(client, assembly, register):
    client.force_login(register.user("甲"))
    _review_and_confirm(client, assembly)
    other = {"m1": "reject", "m2": "reject", "m3": "abstain"}
    again = _post(client, assembly, other, step="confirm", key="k-2")
    # Not the old receipt as if this one counted: a 409 that says it did not (issue #16).
    assert again.status_code == 409
    assert "已投票，本次提交未计入" in again.content.decode()
    assert 'type="radio"' not in again.content.decode()
    assert Ballot.objects.filter(assembly=assembly).count() == 1
    assert Ballot.objects.get(assembly=assembly).choices == ANSWERS


def test_an_unanswered_motion_is_a_form_error_and_nothing_is_stored(client, assembly, register):
    client.force_login(register.user("甲"))
    partial = {"m1": "approve", "m3": ["c1"]}
    for step in ("review", "confirm"):
        response = _post(client, assembly, partial, step=step, key="k-3")
        assert response.status_code == 400
        assert "请对本议题作出选择（同意、反对或弃权）。" in response.content.decode()
    assert Ballot.objects.filter(assembly=assembly).count() == 0


def test_more_candidates_than_seats_is_a_form_error(client, assembly, register):
    client.force_login(register.user("甲"))
    response = _post(
        client, assembly, {**ANSWERS, "m3": ["c1", "c2", "c3"]}, step="confirm", key="k-4"
    )
    assert response.status_code == 400
    assert "最多可选 2 名候选人。" in response.content.decode()
    assert Ballot.objects.filter(assembly=assembly).count() == 0


def test_a_closed_assembly_refuses_with_the_services_message(client, assembly, register):
    close(assembly)
    client.force_login(register.user("甲"))
    page = client.get(reverse("voting:ballot", args=[assembly.pk])).content.decode()
    assert "不再接受投票" in page
    assert 'type="radio"' not in page
    response = _post(client, assembly, ANSWERS, step="confirm", key="k-5")
    assert "不再接受投票" in response.content.decode()
    assert Ballot.objects.filter(assembly=assembly).count() == 0


def test_a_committee_member_cannot_see_the_ballot_page(client, assembly, personas):
    client.force_login(personas.committee)
    response = client.get(reverse("voting:ballot", args=[assembly.pk]))
    assert response.status_code == 403


def test_an_owner_of_another_area_finds_no_ballot_page(client, assembly, personas):
    client.force_login(personas.other_owner)
    response = client.get(reverse("voting:ballot", args=[assembly.pk]))
    assert response.status_code == 404


def test_a_draft_assembly_is_not_found_on_the_owners_pages(client, register, personas):
    from .conftest import make_assembly

    draft = make_assembly(register.area, personas.committee, title="尚未公告的会议")
    client.force_login(register.user("甲"))
    for name in ("voting:ballot", "voting:receipt"):
        response = client.get(reverse(name, args=[draft.pk]))
        assert response.status_code == 404
        assert "尚未公告的会议" not in response.content.decode()


def test_an_owner_of_the_area_not_on_the_frozen_roll_is_refused(client, assembly, personas):
    client.force_login(personas.owner)  # an owner role in a1, no person on the roll
    response = _post(client, assembly, ANSWERS, step="confirm", key="k-6")
    assert response.status_code == 400
    assert Ballot.objects.filter(assembly=assembly).count() == 0


def test_the_board_is_404_before_close_and_gongzhi_board_1_after(client, assembly, register):
    url = reverse("voting:board", args=[assembly.pk])
    assert url == f"/voting/{assembly.pk}/board.json"
    client.force_login(register.user("甲"))
    _review_and_confirm(client, assembly)
    client.logout()
    assert client.get(url).status_code == 404
    close(assembly)
    response = client.get(url)
    assert response.status_code == 200
    board = json.loads(response.content)
    assert board["format"] == "gongzhi-board/1"
    assert len(board["ballots"]) == 1
    assert board["head"] == Ballot.objects.get(assembly=assembly).hash


def test_the_tracker_lookup_finds_the_ballot_after_close_without_naming_the_voter(
    client, assembly, register
):
    client.force_login(register.user("甲"))
    _review_and_confirm(client, assembly)
    ballot = Ballot.objects.get(assembly=assembly)
    client.logout()
    url = reverse("voting:tracker", args=[assembly.pk])
    before = client.get(url, {"t": ballot.tracker}).content.decode()
    assert ballot.hash not in before
    close(assembly)
    found = client.get(url, {"t": ballot.tracker}).content.decode()
    assert "该凭证号在公示板上。" in found
    assert ballot.hash in found
    assert "甲" not in found
    missing = client.get(url, {"t": "0" * 16}).content.decode()
    assert "公示板上没有这个凭证号" in missing
