"""Paper and proxy ballots entered by the committee, and the bureau's trace
(voting/views/manage_ballots.py).

The committee finds the voting right by a unit code, enters the sheet as
marked, reviews it, attaches the scan (and for a proxy the authorisation)
and confirms; only then does ``ballot_enter_paper`` / ``ballot_enter_proxy``
store it. One ballot per right whatever the channel (RULES.md §3).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError
from voting import services
from voting.models import Ballot

from .conftest import (
    ALL_APPROVE,
    build_register,
    close,
    make_assembly,
    mark_noticed,
    pdf_upload,
    png_upload,
    shift,
)

pytestmark = pytest.mark.django_db

SHEET = {"m1": "approve", "m2": "reject", "m3": ["c1", "c3"]}
ALREADY_VOTED = "该表决权已经投票，投票后不能更改，不能再录入纸质表决票或委托投票。"


def url(name: str, *args) -> str:
    return reverse(f"voting:{name}", args=args)


def sheet_data(sheet: dict = SHEET, **extra) -> dict:
    return {**sheet, **extra}


def enter(client, assembly, right, *, channel="paper", sheet=SHEET, key="k-1", **files):
    """Review, then confirm with ``files``; returns (review response, confirm response)."""
    page = url(f"manage_{channel}", assembly.pk, right.pk)
    extra = {k: v for k, v in files.items() if k == "proxy_name"}
    review = client.post(page, sheet_data(sheet, step="review", **extra))
    uploads = {k: v for k, v in files.items() if k != "proxy_name"}
    confirm = client.post(page, sheet_data(sheet, step="confirm", key=key, **extra, **uploads))
    return review, confirm


@pytest.fixture
def committee(client, personas):
    client.force_login(personas.committee)
    return client


# --------------------------------------------------------------------------- finding the right


def test_the_committee_finds_a_right_by_its_unit_code(committee, assembly, register):
    response = committee.get(url("manage_ballots", assembly.pk), {"unit": "1栋-1单元-102"})
    assert response.status_code == 200
    body = response.content.decode()
    right = register.right(assembly, "乙")
    assert f'data-right="{right.pk}"' in body
    assert "该表决权尚未投票。" in body
    assert url("manage_paper", assembly.pk, right.pk) in body
    assert url("manage_proxy", assembly.pk, right.pk) in body


def test_the_developers_units_lead_to_the_developers_right(committee, assembly):
    body = committee.get(url("manage_ballots", assembly.pk), {"unit": "9栋-1单元-901"})
    assert "开发建设单位（未售出或未交付的房屋）" in body.content.decode()


def test_a_unit_not_on_the_frozen_roll_is_named_as_missing(committee, assembly):
    response = committee.get(url("manage_ballots", assembly.pk), {"unit": "1栋-1单元-999"})
    assert "表决名册中没有房屋“1栋-1单元-999”。" in response.content.decode()


def test_before_voting_opens_the_entry_page_says_when_it_opens(committee, register, personas):
    draft = make_assembly(register.area, personas.committee)
    body = committee.get(url("manage_ballots", draft.pk)).content.decode()
    assert "本次会议尚未发布公告，不能投票。" in body
    mark_noticed(draft)
    assert "表决将于" in committee.get(url("manage_ballots", draft.pk)).content.decode()
    # Due by the clock, roll not frozen: the committee is sent to open it first.
    shift(draft, opens=-timedelta(hours=1), closes=timedelta(days=1))
    body = committee.get(url("manage_ballots", draft.pk)).content.decode()
    assert "请先在会议页面“开启表决”" in body


# --------------------------------------------------------------------------- paper


def test_a_paper_ballot_is_reviewed_then_stored_with_its_scan(
    committee, assembly, register, personas, media
):
    right = register.right(assembly, "乙")
    page = committee.get(url("manage_paper", assembly.pk, right.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert "无效（多选、涂改或无法辨认）" in body
    for motion in assembly.motions.all():
        assert motion.legal_basis in body

    review, confirm = enter(committee, assembly, right, scan=png_upload("sheet.png"))

    assert review.status_code == 200
    text = review.content.decode()
    assert "确认录入后不可更改" in text
    assert 'data-answer="m2">反对' in text
    assert 'data-answer="m3">张三、王五' in text
    assert 'name="scan"' in text
    assert confirm.status_code == 302
    assert confirm["Location"] == url("manage_ballots", assembly.pk)
    ballot = Ballot.objects.get(assembly=assembly)
    assert (ballot.right, ballot.channel, ballot.choices) == (right, "paper", SHEET)
    assert ballot.entered_by == personas.committee
    assert ballot.scan.name.startswith(f"voting/{assembly.pk}/paper/")
    after = committee.get(confirm["Location"], {"unit": "1栋-1单元-102"}).content.decode()
    assert "已录入1栋-1单元-102的纸质表决票。" in after
    assert ALREADY_VOTED in after
    # The committee is told that it voted, never when: cast times would order units by seq.
    assert ballot.tracker not in after


def test_the_review_step_stores_nothing(committee, assembly, register):
    right = register.right(assembly, "乙")
    committee.post(url("manage_paper", assembly.pk, right.pk), sheet_data(step="review"))
    assert Ballot.objects.count() == 0


def test_going_back_from_the_review_keeps_the_answers(committee, assembly, register):
    right = register.right(assembly, "乙")
    response = committee.post(url("manage_paper", assembly.pk, right.pk), sheet_data(step="edit"))
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'name="m2" value="reject"[^>]*checked', body)
    assert re.search(r'name="m3" value="c3"[^>]*checked', body)
    assert "下一步：核对并上传" in body
    assert Ballot.objects.count() == 0


def test_a_paper_ballot_without_its_scan_is_refused_and_nothing_is_stored(
    committee, assembly, register, media
):
    right = register.right(assembly, "乙")
    _, confirm = enter(committee, assembly, right)
    assert confirm.status_code == 400
    body = confirm.content.decode()
    assert "请上传文件。" in body
    assert 'data-answer="m1">同意' in body  # still on the review step, answers kept
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("sheet.docx", b"PK\x03\x04"), "只能上传 PDF、JPG 或 PNG 文件。"),
        (SimpleUploadedFile("sheet.jpg", b"%PDF-1.4"), "文件内容与扩展名不符。"),
    ],
)
def test_a_scan_that_is_not_a_pdf_or_image_is_refused(
    committee, assembly, register, media, upload, message
):
    right = register.right(assembly, "乙")
    _, confirm = enter(committee, assembly, right, scan=upload)
    assert confirm.status_code == 400
    assert message in confirm.content.decode()
    assert Ballot.objects.count() == 0
    assert not list(media.rglob("*.*"))


def test_a_blank_sheet_is_refused_with_the_services_message(committee, assembly, register):
    right = register.right(assembly, "乙")
    blank = {"m1": "", "m2": ""}
    response = committee.post(
        url("manage_paper", assembly.pk, right.pk), sheet_data(blank, step="review")
    )
    assert response.status_code == 400
    assert "表决票没有任何表决意见。" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_a_sheet_is_stored_as_marked_blank_spoiled_and_over_the_seats(
    committee, assembly, register, media
):
    right = register.right(assembly, "丁")
    marked = {"m1": "invalid", "m2": "", "m3": ["c1", "c2", "c3"]}
    review, confirm = enter(committee, assembly, right, sheet=marked, scan=pdf_upload())
    text = review.content.decode()
    assert 'data-answer="m2">空白（本议题未表态）' in text
    assert "超过应选名额，计为无效票" in text
    assert confirm.status_code == 302
    assert Ballot.objects.get().choices == {"m1": "invalid", "m3": ["c1", "c2", "c3"]}


def test_abstain_ticked_with_a_candidate_must_be_entered_as_invalid(committee, assembly, register):
    right = register.right(assembly, "丁")
    response = committee.post(
        url("manage_paper", assembly.pk, right.pk),
        sheet_data({**SHEET, "m3": ["c1", "abstain"]}, step="review"),
    )
    assert response.status_code == 400
    assert "请记为“无效”" in response.content.decode()


def test_a_double_confirmation_stores_one_ballot(committee, assembly, register, media):
    right = register.right(assembly, "乙")
    _, first = enter(committee, assembly, right, scan=pdf_upload(), key="same")
    _, second = enter(committee, assembly, right, scan=pdf_upload(), key="same")
    assert first.status_code == second.status_code == 302
    assert Ballot.objects.count() == 1


def test_a_paper_ballot_is_refused_when_the_right_already_voted_online(
    committee, assembly, register, media
):
    services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("丙"))
    right = register.right(assembly, "丙")

    page = committee.get(url("manage_paper", assembly.pk, right.pk))
    assert ALREADY_VOTED in page.content.decode()
    assert 'type="radio"' not in page.content.decode()
    # Straight to the confirmation (a page opened before the owner voted): the service refuses.
    confirm = committee.post(
        url("manage_paper", assembly.pk, right.pk),
        sheet_data(step="confirm", key="k-9", scan=pdf_upload()),
    )
    assert confirm.status_code == 409
    body = confirm.content.decode()
    assert ALREADY_VOTED in body
    online = Ballot.objects.filter(right=right).get()
    assert online.channel == "online"
    # Not when it voted: cast times in seq order would tie units to the board's ballots.
    cast = timezone.localtime(online.cast_at)
    assert f"{cast.month}月{cast.day}日 {cast:%H:%M}" not in body
    assert not list(media.glob("voting/*/paper/*"))


def test_after_a_paper_ballot_the_owner_cannot_vote_online(committee, assembly, register, media):
    right = register.right(assembly, "丙")
    enter(committee, assembly, right, scan=pdf_upload())
    with pytest.raises(DomainError) as refused:
        services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("丙"))
    assert refused.value.code == "already_voted"
    assert Ballot.objects.get().channel == "paper"


def test_a_closed_assembly_refuses_paper_ballots(committee, assembly, register, media):
    right = register.right(assembly, "乙")
    close(assembly)
    assert (
        "不再接受投票" in committee.get(url("manage_paper", assembly.pk, right.pk)).content.decode()
    )
    confirm = committee.post(
        url("manage_paper", assembly.pk, right.pk),
        sheet_data(step="confirm", key="k-late", scan=pdf_upload()),
    )
    assert confirm.status_code == 409
    assert "不再接受投票" in confirm.content.decode()
    assert Ballot.objects.count() == 0


# --------------------------------------------------------------------------- proxy


def test_a_proxy_ballot_needs_its_authorisation(committee, assembly, register, media):
    right = register.right(assembly, "丁")
    page = committee.get(url("manage_proxy", assembly.pk, right.pk)).content.decode()
    assert "<h1>录入委托投票</h1>" in page
    assert 'name="proxy_name"' in page
    review, confirm = enter(
        committee, assembly, right, channel="proxy", proxy_name="赵受托", scan=pdf_upload()
    )
    assert "data-proxy>赵受托" in review.content.decode()
    assert 'name="authorisation"' in review.content.decode()
    assert confirm.status_code == 400
    assert "请上传文件。" in confirm.content.decode()
    assert Ballot.objects.count() == 0


def test_a_proxy_ballot_needs_the_proxys_name(committee, assembly, register, media):
    right = register.right(assembly, "丁")
    _, confirm = enter(
        committee, assembly, right, channel="proxy", proxy_name=" ", authorisation=pdf_upload()
    )
    assert confirm.status_code == 400
    assert "请填写受托人姓名。" in confirm.content.decode()
    assert Ballot.objects.count() == 0


def test_a_proxy_ballot_is_stored_with_the_authorisation_and_the_proxys_name(
    committee, assembly, register, media
):
    right = register.right(assembly, "丁")
    _, confirm = enter(
        committee,
        assembly,
        right,
        channel="proxy",
        proxy_name="赵受托",
        authorisation=png_upload("委托书.png"),
    )
    assert confirm.status_code == 302
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.proxy_name, ballot.right) == ("proxy", "赵受托", right)
    assert ballot.authorisation.name.startswith(f"voting/{assembly.pk}/proxy/")
    assert not ballot.scan


# --------------------------------------------------------------------------- who


@pytest.mark.parametrize("who", ["owner", "property_staff", "reviewer"])
def test_roles_without_paper_entry_get_403(client, assembly, register, personas, who):
    client.force_login(getattr(personas, who))
    right = register.right(assembly, "乙")
    assert client.get(url("manage_ballots", assembly.pk)).status_code == 403
    response = client.post(
        url("manage_paper", assembly.pk, right.pk),
        sheet_data(step="confirm", key="x", scan=pdf_upload()),
    )
    assert response.status_code == 403
    assert Ballot.objects.count() == 0


def test_the_bureau_admin_calls_but_does_not_enter_paper_ballots(
    client, assembly, register, personas, login_with_totp
):
    login_with_totp(client, personas.admin)
    assert client.get(url("manage_ballots", assembly.pk)).status_code == 403


def test_another_areas_committee_and_the_street_office_of_a_committee_area_get_404(
    client, assembly, register, personas
):
    right = register.right(assembly, "乙")
    for who in (personas.other_committee, personas.street_officer):
        client.force_login(who)
        assert client.get(url("manage_ballots", assembly.pk)).status_code == 404
        response = client.post(
            url("manage_paper", assembly.pk, right.pk),
            sheet_data(step="confirm", key="x", scan=pdf_upload()),
        )
        assert response.status_code == 404
    assert Ballot.objects.count() == 0


def test_a_right_of_another_assembly_is_not_found(committee, assembly, register, personas):
    other = make_assembly(register.area, personas.committee, title="另一次会议")
    from .conftest import open_assembly

    open_assembly(other, personas.committee)
    foreign = register.right(other, "乙")
    assert committee.get(url("manage_paper", assembly.pk, foreign.pk)).status_code == 404


def test_the_street_office_enters_paper_ballots_where_there_is_no_committee(
    client, district, personas, media
):
    from .conftest import open_assembly

    register = build_register(district.a2, [("甲", ["80.00"])])
    assembly = open_assembly(
        make_assembly(district.a2, personas.street_officer), personas.street_officer
    )
    client.force_login(personas.street_officer)
    right = register.right(assembly, "甲")
    _, confirm = enter(client, assembly, right, sheet={"m1": "approve"}, scan=pdf_upload())
    assert confirm.status_code == 302
    assert Ballot.objects.get().entered_by == personas.street_officer


# --------------------------------------------------------------------------- trace


def test_the_bureau_traces_a_tracker_to_its_unit_and_the_look_is_audited(
    client, committee, assembly, register, personas, media
):
    right = register.right(assembly, "乙")
    enter(committee, assembly, right, scan=pdf_upload())
    ballot = Ballot.objects.get()
    client.force_login(personas.reviewer)
    page = client.get(url("manage_trace"), {"assembly": assembly.pk})
    assert page.status_code == 200
    response = client.post(
        url("manage_trace"), {"assembly": assembly.pk, "tracker": ballot.tracker}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "1栋-1单元-102" in body
    assert "纸质表决票" in body
    assert AuditEvent.objects.filter(action="ballot.trace").count() == 1
    download = client.post(
        url("manage_trace_file"),
        {"assembly": assembly.pk, "tracker": ballot.tracker, "file": "scan"},
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="ballot.trace").count() == 2


def test_an_unknown_tracker_is_named_as_such(client, assembly, register, personas, committee):
    enter(committee, assembly, register.right(assembly, "乙"), scan=pdf_upload())
    client.force_login(personas.reviewer)
    response = client.post(url("manage_trace"), {"assembly": assembly.pk, "tracker": "0" * 16})
    assert response.status_code == 400
    assert "没有这个查验码。" in response.content.decode()
    assert AuditEvent.objects.filter(action="ballot.trace").count() == 0


@pytest.mark.parametrize("who", ["committee", "street_officer", "owner"])
def test_only_the_bureau_may_trace(client, assembly, register, personas, who, media):
    services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("甲"))
    ballot = Ballot.objects.get()
    client.force_login(getattr(personas, who))
    assert client.get(url("manage_trace")).status_code == 403
    data = {"assembly": assembly.pk, "tracker": ballot.tracker}
    assert client.post(url("manage_trace"), data).status_code == 403
    assert client.post(url("manage_trace_file"), {**data, "file": "scan"}).status_code == 403
    assert AuditEvent.objects.filter(action="ballot.trace").count() == 0
