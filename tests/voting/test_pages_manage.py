"""The committee's assembly pages: list, detail, draft, motions, attachments, notice,
opening and cancelling (voting/views/manage.py).

Each page renders for a caller in scope, is 404 for an assembly of another
area and 403 for a role without ``assembly.call``; each form's bad input
shows the service's own message and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core import periods
from estates.models import ManagementArea
from publications.models import Kind, Publication
from tests.factories import ManagementAreaFactory
from voting.models import Assembly, AssemblyAttachment, Motion, RollSnapshot

from .conftest import (
    ELECTION,
    ORDINARY,
    SPECIAL,
    build_register,
    make_assembly,
    mark_noticed,
    open_assembly,
    pdf_upload,
    shift,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def url(name: str, *args) -> str:
    return reverse(f"voting:{name}", args=args)


def cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def local(moment: datetime) -> str:
    """A moment as the datetime-local input sends it (Asia/Shanghai wall time)."""
    return timezone.localtime(moment, SHANGHAI).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def draft(register, personas):
    return make_assembly(
        register.area,
        personas.committee,
        motions=(ORDINARY, SPECIAL, ELECTION),
        rules_text="纸质表决票请投入3栋门口的票箱。",
    )


@pytest.fixture
def other_draft(district, personas):
    build_register(district.b1, [("庚", ["90.00"])])
    return make_assembly(district.b1, personas.other_committee, title="乙一小区业主大会")


def form_data(**changes) -> dict:
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=40)
    data = {
        "title": "2026年第二次业主大会会议",
        "convener": "",
        "scope": "area",
        "scope_unit_codes": "",
        "opens_at": local(start),
        "closes_at": local(start + timedelta(days=7)),
        "rules_text": "",
    }
    data.update(changes)
    return data


# --------------------------------------------------------------------------- list and detail


def test_the_list_shows_the_areas_assemblies_with_the_status_now(
    client, draft, other_draft, register, personas
):
    due = mark_noticed(make_assembly(register.area, personas.committee, title="已到开始时间的会议"))
    shift(due, opens=-timedelta(hours=1), closes=timedelta(days=1))
    client.force_login(personas.committee)
    response = client.get(url("manage_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert draft.title in body
    assert url("manage_detail", draft.pk) in body
    assert other_draft.title not in body
    # Stored "noticed", but the clock has passed opens_at: shown as voting.
    assert 'data-status="open">表决中' in body
    assert 'data-status="draft">草稿' in body


@pytest.mark.parametrize("who", ["owner", "property_staff", "reviewer", "outsider"])
def test_the_pages_are_403_for_roles_that_cannot_call_an_assembly(client, draft, personas, who):
    client.force_login(getattr(personas, who))
    for page in (
        url("manage_list"),
        url("manage_create"),
        url("manage_detail", draft.pk),
        url("manage_edit", draft.pk),
        url("manage_motion_add", draft.pk),
        url("manage_notice", draft.pk),
        url("manage_cancel", draft.pk),
    ):
        assert client.get(page).status_code == 403, page
    assert client.post(url("manage_notice", draft.pk)).status_code == 403
    assert Assembly.objects.get(pk=draft.pk).status == "draft"


def test_each_page_renders_for_the_committee_in_scope(client, draft, personas, media):
    from voting import services

    attachment = services.attachment_add(
        assembly=draft, title="预算", file=pdf_upload(), actor=personas.committee
    )
    client.force_login(personas.committee)
    for page, heading in (
        (url("manage_list"), "<h1>业主大会</h1>"),
        (url("manage_create"), "<h1>发起会议</h1>"),
        (url("manage_detail", draft.pk), f"<h1>{draft.title}</h1>"),
        (url("manage_edit", draft.pk), "<h1>修改会议草稿</h1>"),
        (url("manage_motion_add", draft.pk), "<h1>添加议题</h1>"),
        (url("manage_motion_remove", draft.pk, "m1"), "<h1>删除议题</h1>"),
        (url("manage_attachment_add", draft.pk), "<h1>上传附件</h1>"),
        (url("manage_notice", draft.pk), "<h1>发布会议公告</h1>"),
        (url("manage_open", draft.pk), "<h1>开启表决</h1>"),
        (url("manage_cancel", draft.pk), "<h1>取消会议</h1>"),
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        assert heading in response.content.decode(), page
    assert client.get(url("manage_attachment_file", draft.pk, attachment.pk)).status_code == 200
    assert client.get(url("manage_attachment_file", draft.pk, attachment.pk + 1)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, draft):
    response = client.get(url("manage_detail", draft.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_assembly_of_another_area_is_not_found(client, draft, other_draft, personas):
    client.force_login(personas.committee)
    motion = other_draft.motions.get()
    for page in (
        url("manage_detail", other_draft.pk),
        url("manage_edit", other_draft.pk),
        url("manage_motion_add", other_draft.pk),
        url("manage_motion_remove", other_draft.pk, motion.code),
        url("manage_attachment_add", other_draft.pk),
        url("manage_notice", other_draft.pk),
        url("manage_open", other_draft.pk),
        url("manage_cancel", other_draft.pk),
    ):
        assert client.get(page).status_code == 404, page
    response = client.post(url("manage_cancel", other_draft.pk), {"reason": "试图取消"})
    assert response.status_code == 404
    assert Assembly.objects.get(pk=other_draft.pk).status == "draft"


def test_the_detail_page_shows_scope_rules_and_each_motions_basis_and_threshold(
    client, draft, personas, media
):
    from voting import services

    services.attachment_add(
        assembly=draft,
        title="维修方案及预算",
        file=pdf_upload("plan.pdf"),
        actor=personas.committee,
    )
    client.force_login(personas.committee)
    response = client.get(url("manage_detail", draft.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "草稿" in body
    assert "全体业主（整个物业管理区域）" in body
    assert "甲一小区业主委员会" in body
    assert "纸质表决票请投入3栋门口的票箱。" in body
    for motion in draft.motions.all():
        assert motion.title in body
        assert motion.legal_basis in body
        assert motion.threshold_text in body
    assert "第（六）项" in body and "四分之三以上" in body
    assert "应选 2 名" in body and "王五" in body
    attachment = AssemblyAttachment.objects.get(assembly=draft)
    assert attachment.sha256 in body
    # The next allowed actions of a draft with motions.
    for name in ("manage_edit", "manage_motion_add", "manage_attachment_add", "manage_notice"):
        assert url(name, draft.pk) in body
    assert url("manage_cancel", draft.pk) in body
    assert url("manage_open", draft.pk) not in body
    download = client.get(url("manage_attachment_file", draft.pk, attachment.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_the_detail_of_a_draft_opening_too_soon_warns_with_the_first_date(
    client, register, personas
):
    assembly = make_assembly(register.area, personas.committee, opens_in=timedelta(days=3))
    client.force_login(personas.committee)
    body = client.get(url("manage_detail", assembly.pk)).content.decode()
    first = periods.notice_earliest_open(timezone.localdate(), 15)
    assert f"表决最早可于 {cn(first)} 开始" in body
    assert "发布公告将被拒绝" in body


# --------------------------------------------------------------------------- draft


def test_a_committee_member_creates_a_draft_in_shanghai_time(client, register, personas):
    client.force_login(personas.committee)
    page = client.get(url("manage_create"))
    assert page.status_code == 200
    assert "如果今天发布公告，表决最早可于" in page.content.decode()
    data = form_data(opens_at="2030-03-01T09:00", closes_at="2030-03-08T18:30")
    response = client.post(url("manage_create"), data)
    assembly = Assembly.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("manage_detail", assembly.pk)
    assert assembly.area == register.area
    assert assembly.status == "draft"
    assert assembly.opens_at == datetime(2030, 3, 1, 9, 0, tzinfo=SHANGHAI)
    assert assembly.closes_at == datetime(2030, 3, 8, 18, 30, tzinfo=SHANGHAI)
    assert assembly.convener == "甲一小区业主委员会"
    assert assembly.called_by == personas.committee


def test_a_draft_for_a_part_of_the_area_keeps_its_buildings_and_unit_codes(
    client, register, personas
):
    from tests.estates.helpers import make_unit, own

    # A whole unit stair, given as its units (RULES.md §1: whole buildings or whole stairs).
    for number in ("101", "102"):
        own(make_unit(register.area, number, building="2栋"), register.person("甲"))
    client.force_login(personas.committee)
    data = form_data(
        scope="part", scope_buildings=["9栋"], scope_unit_codes="2栋-1单元-101、2栋-1单元-102"
    )
    response = client.post(url("manage_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    assembly = Assembly.objects.get()
    assert assembly.scope_buildings == ["9栋"]
    assert assembly.scope_unit_codes == ["2栋-1单元-101", "2栋-1单元-102"]
    body = client.get(response["Location"]).content.decode()
    assert "列支范围：9栋、2栋-1单元-101、2栋-1单元-102" in body


def test_a_draft_of_hand_picked_units_is_refused_on_the_page(client, register, personas):
    # 1栋 1单元 holds 101–105: two of them are hand-picked, not a stair (RULES.md §1).
    client.force_login(personas.committee)
    data = form_data(
        scope="part", scope_buildings=["9栋"], scope_unit_codes="1栋-1单元-101、1栋-1单元-102"
    )
    response = client.post(url("manage_create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "不能挑选个别房屋" in body and "1栋1单元" in body
    assert not Assembly.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "<li>请填写名称。</li>"),
        ({"title": "会" * 151}, "不能超过 150 字。"),
        ({"opens_at": ""}, "请填写完整的日期和时间。"),
        (
            {"opens_at": "2030-03-08T18:30", "closes_at": "2030-03-08T18:30"},
            "截止时间必须晚于开始时间。",
        ),
        ({"scope": "part", "scope_unit_codes": "1栋-1单元-999"}, "表决范围有误"),
        ({"scope": "part", "scope_buildings": ["1栋"], "scope_unit_codes": ""}, None),
    ],
)
def test_bad_input_on_the_draft_form_shows_the_services_message_and_stores_nothing(
    client, register, personas, changes, message
):
    client.force_login(personas.committee)
    response = client.post(url("manage_create"), form_data(**changes))
    if message is None:  # the control case: the same form with good input is stored
        assert response.status_code == 302
        assert Assembly.objects.count() == 1
        return
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Assembly.objects.count() == 0


def test_a_part_scope_naming_nothing_is_refused_rather_than_becoming_the_whole_area(
    client, register, personas
):
    client.force_login(personas.committee)
    response = client.post(url("manage_create"), form_data(scope="part"))
    assert response.status_code == 400
    assert "选择了列支范围，请勾选楼栋或填写房屋编码。" in response.content.decode()
    assert Assembly.objects.count() == 0


def test_editing_a_draft_changes_its_window_and_scope(client, draft, personas):
    client.force_login(personas.committee)
    page = client.get(url("manage_edit", draft.pk)).content.decode()
    assert local(draft.opens_at) in page  # the stored moment shown in Shanghai time
    data = form_data(
        title="改期后的会议",
        scope="part",
        scope_buildings=["1栋"],
        opens_at="2030-05-01T08:00",
        closes_at="2030-05-10T20:00",
    )
    response = client.post(url("manage_edit", draft.pk), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "改期后的会议"
    assert draft.scope_buildings == ["1栋"]
    assert draft.opens_at == datetime(2030, 5, 1, 8, tzinfo=SHANGHAI)
    assert draft.convener == "甲一小区业主委员会"


def test_a_noticed_assembly_cannot_be_edited_from_the_page(client, draft, personas):
    mark_noticed(draft)
    before = (draft.title, draft.opens_at)
    client.force_login(personas.committee)
    response = client.post(url("manage_edit", draft.pk), form_data(title="公告后改名"))
    assert response.status_code == 409
    assert "会议已公告或已结束，内容不能再修改" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.title, draft.opens_at) == before


def test_the_street_office_calls_only_where_there_is_no_committee(client, district, personas):
    build_register(district.a2, [("甲", ["80.00"])])
    build_register(district.a1, [("乙", ["80.00"])])
    client.force_login(personas.street_officer)
    # One area in scope (a2): the form opens for it directly.
    assert client.post(url("manage_create"), form_data()).status_code == 302
    assert Assembly.objects.get().area == district.a2
    in_a1 = make_assembly(district.a1, personas.committee)
    assert client.get(url("manage_detail", in_a1.pk)).status_code == 404
    assert client.get(url("manage_create"), {"area": district.a1.pk}).status_code == 404


def test_a_caller_with_several_areas_picks_the_area_first(client, district, personas):
    a3 = ManagementAreaFactory(
        community=district.community_a1,
        code="a3",
        name="甲三小区",
        committee_status=ManagementArea.CommitteeStatus.NOT_FORMED,
    )
    client.force_login(personas.street_officer)
    page = client.get(url("manage_create"))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"?area={district.a2.pk}" in body and f"?area={a3.pk}" in body
    assert f"?area={district.a1.pk}" not in body
    assert client.get(url("manage_create"), {"area": district.b1.pk}).status_code == 404
    assert client.get(url("manage_create"), {"area": "x"}).status_code == 404


# --------------------------------------------------------------------------- motions


def test_a_motion_takes_its_kind_and_threshold_from_the_chosen_item(client, register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=())
    client.force_login(personas.committee)
    page = client.get(url("manage_motion_add", assembly.pk)).content.decode()
    # Every item is offered with the kind it brings; the kind is never a field.
    assert page.count('name="item"') == 9
    assert 'name="kind"' not in page
    assert "筹集建筑物及其附属设施的维修资金 — 特别事项" in page
    response = client.post(
        url("manage_motion_add", assembly.pk),
        {"item": "6", "title": "续筹维修资金", "kind": "ordinary"},
    )
    assert response.status_code == 302
    motion = Motion.objects.get(assembly=assembly)
    assert (motion.item, motion.kind, motion.seats) == (6, "special", None)
    body = client.get(url("manage_detail", assembly.pk)).content.decode()
    assert motion.legal_basis in body
    assert motion.threshold_text in body


def test_an_election_is_added_with_seats_and_candidates_with_statements(client, register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=())
    client.force_login(personas.committee)
    response = client.post(
        url("manage_motion_add", assembly.pk),
        {
            "item": "3",
            "title": "选举业主委员会委员",
            "seats": "2",
            "candidates": "张三：3栋业主\n\n李四\n王五:退休教师",
        },
    )
    assert response.status_code == 302
    motion = Motion.objects.get(assembly=assembly)
    assert (motion.kind, motion.seats) == ("election", 2)
    assert [(c.code, c.name, c.statement) for c in motion.candidates.all()] == [
        ("c1", "张三", "3栋业主"),
        ("c2", "李四", ""),
        ("c3", "王五", "退休教师"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "选举委员", "item": "3", "candidates": "张三"}, "请填写应选名额（至少 1 名）。"),
        (
            {"title": "选举委员", "item": "3", "seats": "0", "candidates": "张三"},
            "请填写应选名额（至少 1 名）。",
        ),
        ({"title": "选举委员", "item": "3", "seats": "1"}, "选举议题至少需要一名候选人。"),
        (
            {"title": "选举委员", "item": "3", "seats": "2", "candidates": "张三\n张三"},
            "候选人姓名重复",
        ),
        (
            {"title": "续聘物业", "item": "4", "seats": "1"},
            "只有选举议题（第三项）才有应选名额和候选人。",
        ),
        ({"title": "续聘物业"}, "请选择《民法典》第二百七十八条规定的事项（第一至第九项）。"),
        ({"title": "", "item": "4"}, "<li>请填写名称。</li>"),
    ],
)
def test_bad_input_on_the_motion_form_shows_the_services_message_and_adds_nothing(
    client, register, personas, data, message
):
    assembly = make_assembly(register.area, personas.committee, motions=())
    client.force_login(personas.committee)
    response = client.post(url("manage_motion_add", assembly.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Motion.objects.count() == 0


def test_removing_a_motion_asks_first_and_then_removes_it(client, draft, personas):
    client.force_login(personas.committee)
    confirm = client.get(url("manage_motion_remove", draft.pk, "m2"))
    assert confirm.status_code == 200
    assert "确定从会议草稿中删除这个议题吗？" in confirm.content.decode()
    assert draft.motions.count() == 3
    response = client.post(url("manage_motion_remove", draft.pk, "m2"))
    assert response.status_code == 302
    assert list(draft.motions.values_list("code", flat=True)) == ["m1", "m3"]
    assert client.get(url("manage_motion_remove", draft.pk, "m2")).status_code == 404


def test_a_motion_of_a_noticed_assembly_is_not_removed(client, draft, personas):
    mark_noticed(draft)
    client.force_login(personas.committee)
    response = client.post(url("manage_motion_remove", draft.pk, "m1"))
    assert response.status_code == 409
    assert "内容不能再修改" in response.content.decode()
    assert draft.motions.count() == 3


# --------------------------------------------------------------------------- attachments


def test_an_attachment_is_uploaded_with_its_sha256(client, draft, personas, media):
    client.force_login(personas.committee)
    assert client.get(url("manage_attachment_add", draft.pk)).status_code == 200
    response = client.post(
        url("manage_attachment_add", draft.pk),
        {"title": "候选人简介", "file": pdf_upload("people.pdf")},
    )
    assert response.status_code == 302
    attachment = AssemblyAttachment.objects.get()
    assert attachment.title == "候选人简介"
    assert len(attachment.sha256) == 64


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("budget.xlsx", b"PK\x03\x04"), "只能上传 PDF、JPG 或 PNG 文件。"),
        (SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf"), "文件内容与扩展名不符。"),
        (SimpleUploadedFile("empty.pdf", b""), "文件是空的。"),
        (None, "只能上传 PDF、JPG 或 PNG 文件。"),
    ],
)
def test_a_bad_attachment_shows_the_services_message_and_stores_nothing(
    client, draft, personas, media, upload, message
):
    client.force_login(personas.committee)
    data = {"title": "预算"}
    if upload is not None:
        data["file"] = upload
    response = client.post(url("manage_attachment_add", draft.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert AssemblyAttachment.objects.count() == 0
    assert not list(media.rglob("*.*"))


# --------------------------------------------------------------------------- notice


def test_a_notice_opening_inside_the_notice_period_shows_the_first_date_and_changes_nothing(
    client, register, personas
):
    assembly = make_assembly(register.area, personas.committee, opens_in=timedelta(days=3))
    first = cn(periods.notice_earliest_open(timezone.localdate(), 15))
    client.force_login(personas.committee)
    confirm = client.get(url("manage_notice", assembly.pk)).content.decode()
    assert f"今天发布，表决最早可于 {first} 开始。" in confirm
    assert "发布将被拒绝" in confirm
    response = client.post(url("manage_notice", assembly.pk))
    assert response.status_code == 409
    assert f"表决开始时间不得早于{first}" in response.content.decode()
    assert Assembly.objects.get(pk=assembly.pk).status == "draft"
    assert Publication.objects.count() == 0


def test_a_notice_without_motions_is_refused_with_the_services_message(client, register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=())
    client.force_login(personas.committee)
    response = client.post(url("manage_notice", assembly.pk))
    assert response.status_code == 409
    assert "会议至少需要一个表决议题。" in response.content.decode()
    assert Assembly.objects.get(pk=assembly.pk).status == "draft"


def test_the_notice_is_published_from_the_page_after_confirmation_then_cancelled(
    client, register, personas, publishing
):
    assembly = make_assembly(
        register.area, personas.committee, motions=(ORDINARY,), opens_in=timedelta(days=40)
    )
    client.force_login(personas.committee)
    confirm = client.get(url("manage_notice", assembly.pk))
    assert confirm.status_code == 200
    assert "确认发布公告？发布后不可撤回。" in confirm.content.decode()
    assert Publication.objects.count() == 0  # showing the confirmation publishes nothing

    response = client.post(url("manage_notice", assembly.pk), follow=True)
    assembly.refresh_from_db()
    assert assembly.status == "noticed"
    publication = assembly.notice_publication
    assert publication.kind == Kind.ASSEMBLY_NOTICE
    body = response.content.decode()
    assert f"会议公告已发布，编号 {publication.serial}。" in body
    assert reverse("publications:detail", args=[publication.serial]) in body
    # Published: no more editing, and a second publication is refused.
    assert url("manage_edit", assembly.pk) not in body
    again = client.post(url("manage_notice", assembly.pk))
    assert again.status_code == 409
    assert Publication.objects.count() == 1

    # Cancelled before it opens: a cancellation notice supersedes the notice.
    cancelled = client.post(url("manage_cancel", assembly.pk), {"reason": "候选人报名不足"})
    assert cancelled.status_code == 302
    assembly.refresh_from_db()
    assert assembly.status == "cancelled"
    publication.refresh_from_db()
    assert publication.superseded_by is not None


# --------------------------------------------------------------------------- open and cancel


def test_a_due_assembly_is_opened_from_the_page_and_its_roll_frozen(client, draft, personas):
    mark_noticed(draft)
    shift(draft, opens=-timedelta(hours=1), closes=timedelta(days=1))
    client.force_login(personas.committee)
    detail = client.get(url("manage_detail", draft.pk)).content.decode()
    assert url("manage_open", draft.pk) in detail
    assert url("manage_ballots", draft.pk) not in detail  # no roll to look rights up in yet
    confirm = client.get(url("manage_open", draft.pk))
    assert "确认开启表决" in confirm.content.decode()
    assert not RollSnapshot.objects.filter(assembly=draft).exists()
    response = client.post(url("manage_open", draft.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "open"
    snapshot = RollSnapshot.objects.get(assembly=draft)
    assert snapshot.rights == 6
    body = client.get(url("manage_detail", draft.pk)).content.decode()
    assert snapshot.digest in body
    assert url("manage_ballots", draft.pk) in body
    assert url("manage_cancel", draft.pk) not in body


def test_opening_before_the_voting_window_shows_the_services_message(client, draft, personas):
    mark_noticed(draft)
    client.force_login(personas.committee)
    response = client.post(url("manage_open", draft.pk))
    assert response.status_code == 409
    opens = timezone.localtime(draft.opens_at, SHANGHAI)
    assert f"表决将于{opens.year}年{opens.month}月{opens.day}日 {opens:%H:%M}开始" in (
        response.content.decode()
    )
    assert Assembly.objects.get(pk=draft.pk).status == "noticed"
    assert not RollSnapshot.objects.filter(assembly=draft).exists()


def test_a_closed_assembly_offers_no_entry_and_no_cancelling(client, draft, personas):
    from .conftest import close

    open_assembly(draft, personas.committee)
    close(draft)
    client.force_login(personas.committee)
    body = client.get(url("manage_detail", draft.pk)).content.decode()
    assert 'data-status="closed">表决已截止' in body
    assert "表决已截止，不能再录入表决票" in body
    assert url("manage_ballots", draft.pk) not in body
    assert url("manage_cancel", draft.pk) not in body
    assert url("manage_open", draft.pk) not in body


def test_cancelling_needs_a_reason_and_then_cancels_the_draft(client, draft, personas):
    client.force_login(personas.committee)
    assert client.get(url("manage_cancel", draft.pk)).status_code == 200
    refused = client.post(url("manage_cancel", draft.pk), {"reason": "  "})
    assert refused.status_code == 400
    assert "请填写取消原因。" in refused.content.decode()
    assert Assembly.objects.get(pk=draft.pk).status == "draft"
    response = client.post(url("manage_cancel", draft.pk), {"reason": "业主要求改期"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.cancel_reason) == ("cancelled", "业主要求改期")


def test_an_open_assembly_cannot_be_cancelled_from_the_page(client, draft, personas):
    open_assembly(draft, personas.committee)
    client.force_login(personas.committee)
    response = client.post(url("manage_cancel", draft.pk), {"reason": "投票情况不理想"})
    assert response.status_code == 409
    assert "表决已开始或已结束（表决中），不能取消。" in response.content.decode()
    assert Assembly.objects.get(pk=draft.pk).status == "open"
