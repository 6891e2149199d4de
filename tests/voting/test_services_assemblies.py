"""Calling an assembly: draft, motions, attachments, notice period, opening (frozen roll), cancelling."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from core import periods
from core.errors import DomainError, PermissionDeniedError
from estates.models import Unit
from estates.selectors import area_roll
from publications.models import Kind, Publication
from tests.estates.helpers import make_person, sell
from voting import services
from voting.models import Assembly, AssemblyAttachment, RollSnapshot, VotingRight
from voting.services.common import start_of_day

from .conftest import (
    ELECTION,
    ORDINARY,
    SPECIAL,
    build_register,
    make_assembly,
    mark_noticed,
    pdf_text,
    pdf_upload,
    shift,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --------------------------------------------------------------------------- draft


def test_a_committee_member_creates_a_draft_and_it_is_audited(register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=())

    assert assembly.status == "draft"
    assert assembly.convener == "甲一小区业主委员会"
    assert assembly.called_by == personas.committee
    event = AuditEvent.objects.get(action="assembly.create")
    assert event.object_id == str(assembly.pk)
    assert event.actor == personas.committee


def test_property_staff_cannot_call_an_assembly(register, personas):
    with pytest.raises(PermissionDeniedError):
        make_assembly(register.area, personas.property_staff, motions=())
    assert Assembly.objects.count() == 0


def test_the_street_office_calls_for_an_area_without_a_committee(district, personas):
    build_register(district.a2, [("甲", ["80.00"])])
    assembly = make_assembly(district.a2, personas.street_officer, motions=())
    assert assembly.convener == "甲街道甲一社区"


def test_the_street_office_cannot_call_where_there_is_a_committee(register, personas):
    with pytest.raises(PermissionDeniedError):
        make_assembly(register.area, personas.street_officer, motions=())


def test_a_scope_naming_an_unknown_building_is_refused(register, personas):
    with pytest.raises(DomainError) as caught:
        make_assembly(register.area, personas.committee, motions=(), scope_buildings=["7栋"])
    assert caught.value.code == "bad_scope"
    assert "7栋" in caught.value.message


def test_a_window_that_closes_before_it_opens_is_refused(register, personas):
    with pytest.raises(DomainError) as caught:
        make_assembly(register.area, personas.committee, motions=(), lasts=timedelta(0))
    assert caught.value.fields == {"closes_at": "截止时间必须晚于开始时间。"}


def test_an_area_without_units_cannot_hold_a_vote(district, personas):
    with pytest.raises(DomainError) as caught:
        make_assembly(district.a2, personas.street_officer, motions=())
    assert caught.value.code == "empty_scope"


@pytest.mark.parametrize(("item", "kind"), [(5, "ordinary"), (6, "special"), (8, "special")])
def test_a_motion_takes_its_kind_from_the_item(register, personas, item, kind):
    assembly = make_assembly(register.area, personas.committee, motions=())
    motion = services.motion_add(
        assembly=assembly, title="议题", item=item, actor=personas.committee
    )
    assert motion.kind == kind
    assert motion.code == "m1"


def test_an_election_gets_numbered_candidates(register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=(ORDINARY, ELECTION))
    motion = assembly.motions.get(code="m2")
    assert motion.kind == "election"
    assert motion.seats == 2
    assert [(c.code, c.name) for c in motion.candidates.all()] == [
        ("c1", "张三"),
        ("c2", "李四"),
        ("c3", "王五"),
    ]
    assert motion.options() == ["c1", "c2", "c3"]


def test_an_election_without_seats_is_refused(register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=())
    with pytest.raises(DomainError) as caught:
        services.motion_add(
            assembly=assembly, title="选举", item=3, candidates=["张三"], actor=personas.committee
        )
    assert caught.value.code == "bad_seats"


def test_candidates_on_a_motion_that_is_not_an_election_are_refused(register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=())
    with pytest.raises(DomainError) as caught:
        services.motion_add(
            assembly=assembly, title="续聘", item=4, candidates=["张三"], actor=personas.committee
        )
    assert caught.value.code == "not_election"


def test_a_noticed_assembly_takes_no_new_motion(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    with pytest.raises(DomainError) as caught:
        services.motion_add(assembly=assembly, **SPECIAL, actor=personas.committee)
    assert caught.value.code == "not_draft"
    assert assembly.motions.count() == 1


def test_an_attachment_is_stored_with_its_sha256(register, personas, media):
    import hashlib

    from .conftest import PDF_BYTES

    assembly = make_assembly(register.area, personas.committee)
    attachment = services.attachment_add(
        assembly=assembly, title="维修方案", file=pdf_upload("方案.pdf"), actor=personas.committee
    )
    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attachment.size == len(PDF_BYTES)
    assert attachment.file.name == f"voting/{assembly.pk}/attachments/{attachment.sha256[:16]}.pdf"
    with attachment.file.open("rb") as handle:
        assert handle.read() == PDF_BYTES


def test_an_attachment_that_is_not_a_pdf_or_image_is_refused(register, personas, media):
    assembly = make_assembly(register.area, personas.committee)
    with pytest.raises(DomainError) as caught:
        services.attachment_add(
            assembly=assembly,
            title="表格",
            file=SimpleUploadedFile("a.xlsx", b"PK\x03\x04"),
            actor=personas.committee,
        )
    assert caught.value.fields == {"file": "只能上传 PDF、JPG 或 PNG 文件。"}
    assert AssemblyAttachment.objects.count() == 0


# --------------------------------------------------------------------------- notice


def test_a_notice_refused_for_opening_inside_the_notice_period_names_the_first_date(
    register, personas
):
    # Notice on 16 September 2025: the 15 days end on 9 October (National Day moves it),
    # so voting may open on 10 October 2025 at the earliest.
    assembly = make_assembly(register.area, personas.committee)
    Assembly.objects.filter(pk=assembly.pk).update(
        opens_at=datetime(2025, 10, 9, 23, 59, tzinfo=SHANGHAI),
        closes_at=datetime(2025, 10, 20, tzinfo=SHANGHAI),
    )
    with pytest.raises(DomainError) as caught:
        services.assembly_notice(
            assembly=assembly,
            actor=personas.committee,
            now=datetime(2025, 9, 16, 10, 0, tzinfo=SHANGHAI),
        )
    assert caught.value.code == "notice_period"
    assert "不得早于2025年10月10日" in caught.value.message
    assert Assembly.objects.get(pk=assembly.pk).status == "draft"
    assert Publication.objects.count() == 0


def test_a_notice_is_refused_without_motions(register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=())
    with pytest.raises(DomainError) as caught:
        services.assembly_notice(assembly=assembly, actor=personas.committee)
    assert caught.value.code == "no_motions"


def test_the_notice_period_is_a_setting_that_can_only_grow(register, personas, settings):
    settings.GONGZHI_NOTICE_DAYS = 14
    assembly = make_assembly(register.area, personas.committee)
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        services.assembly_notice(assembly=assembly, actor=personas.committee)


def test_a_notice_opening_at_the_first_lawful_moment_is_published(register, personas, publishing):
    today = timezone.localdate()
    first = start_of_day(periods.notice_earliest_open(today, 15))
    assembly = make_assembly(register.area, personas.committee, motions=(ORDINARY, ELECTION))
    Assembly.objects.filter(pk=assembly.pk).update(
        opens_at=first, closes_at=first + timedelta(days=7)
    )

    noticed = services.assembly_notice(assembly=assembly, actor=personas.committee)

    assert noticed.status == "noticed"
    publication = noticed.notice_publication
    assert publication.kind == Kind.ASSEMBLY_NOTICE
    assert publication.area == register.area
    assert noticed.notice_published_at == publication.issued_at
    text = pdf_text(publication)
    assert "续聘物业服务企业" in text
    assert "第（四）项" in text
    assert "张三" in text
    event = AuditEvent.objects.get(action="assembly.notice")
    assert event.actor == personas.committee
    assert event.summary["serial"] == publication.serial

    # Cancelling it before it opens publishes a cancellation that supersedes the notice.
    cancelled = services.assembly_cancel(
        assembly=noticed, actor=personas.committee, reason="候选人报名不足"
    )
    assert cancelled.status == "cancelled"
    publication.refresh_from_db()
    assert publication.superseded_by is not None
    assert "候选人报名不足" in pdf_text(publication.superseded_by)


def test_a_notice_opening_one_second_before_the_first_lawful_moment_is_refused(register, personas):
    today = timezone.localdate()
    first = start_of_day(periods.notice_earliest_open(today, 15))
    assembly = make_assembly(register.area, personas.committee)
    Assembly.objects.filter(pk=assembly.pk).update(
        opens_at=first - timedelta(seconds=1), closes_at=first + timedelta(days=7)
    )
    with pytest.raises(DomainError) as caught:
        services.assembly_notice(assembly=assembly, actor=personas.committee)
    assert caught.value.code == "notice_period"


def test_counting_the_notice_period_in_working_days_is_a_setting(register, personas, settings):
    settings.GONGZHI_PERIODS_IN_WORKING_DAYS = True
    assembly = make_assembly(register.area, personas.committee)
    Assembly.objects.filter(pk=assembly.pk).update(
        opens_at=datetime(2025, 10, 23, 12, tzinfo=SHANGHAI),
        closes_at=datetime(2025, 10, 30, tzinfo=SHANGHAI),
    )
    # 15 working days from Friday 26 September 2025 end on 23 October: open on the 24th.
    with pytest.raises(DomainError) as caught:
        services.assembly_notice(
            assembly=assembly,
            actor=personas.committee,
            now=datetime(2025, 9, 26, 9, tzinfo=SHANGHAI),
        )
    assert "不得早于2025年10月24日" in caught.value.message


# --------------------------------------------------------------------------- opening


def test_opening_before_the_voting_window_is_refused_with_its_start(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    with pytest.raises(DomainError) as caught:
        services.assembly_open(assembly=assembly, actor=personas.committee)
    assert caught.value.code == "not_yet"
    assert RollSnapshot.objects.count() == 0


def test_opening_before_the_notice_period_has_run_is_refused_with_the_date(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee), days_ago=3)
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=5))
    notice_day = timezone.localdate(assembly.notice_published_at)
    first = periods.notice_earliest_open(notice_day, 15)

    with pytest.raises(DomainError) as caught:
        services.assembly_open(assembly=assembly, actor=personas.committee)

    assert caught.value.code == "notice_period"
    assert f"最早可于{first.year}年{first.month}月{first.day}日开始表决" in caught.value.message
    assert first >= notice_day + timedelta(days=16)
    assert Assembly.objects.get(pk=assembly.pk).status == "noticed"


def test_opening_freezes_the_roll_of_the_scope(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=1))

    opened = services.assembly_open(assembly=assembly, actor=personas.committee)

    assert opened.status == "open"
    snapshot = RollSnapshot.objects.get(assembly=assembly)
    assert (snapshot.rights, snapshot.heads, snapshot.units) == (6, 6, 6)
    assert snapshot.area == Decimal("594.75")
    assert snapshot.digest == area_roll(register.area).digest
    rights = list(VotingRight.objects.filter(assembly=assembly))
    assert [r.area for r in rights] == [
        Decimal("89.50"),
        Decimal("100.00"),
        Decimal("120.25"),
        Decimal("75.00"),
        Decimal("110.00"),
        Decimal("100.00"),
    ]
    co_owned = register.right(assembly, "戊")
    assert {p.name for p in co_owned.holders.all()} == {"戊", "己"}
    developer = VotingRight.objects.get(assembly=assembly, is_developer=True)
    assert developer.holders.count() == 0
    assert developer.unit_codes == ["9栋-1单元-901"]
    event = AuditEvent.objects.get(action="assembly.open")
    assert event.summary["digest"] == snapshot.digest
    assert event.summary["area"] == "594.75"


def test_later_register_edits_do_not_touch_the_frozen_roll(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=1))
    services.assembly_open(assembly=assembly, actor=personas.committee)
    before = RollSnapshot.objects.get(assembly=assembly)
    rights_before = list(VotingRight.objects.filter(assembly=assembly).values_list("key", "area"))

    buyer = make_person("新业主", phone="13700000001")
    sell(register.owners["甲"].units[0], buyer, on=date.today())
    Unit.objects.filter(pk=register.owners["乙"].units[0].pk).update(
        registered_area=Decimal("150.00"), floor_area=Decimal("150.00")
    )

    after = RollSnapshot.objects.get(assembly=assembly)
    assert (after.rights, after.heads, after.area, after.digest) == (
        before.rights,
        before.heads,
        before.area,
        before.digest,
    )
    assert area_roll(register.area).digest != before.digest
    assert list(VotingRight.objects.filter(assembly=assembly).values_list("key", "area")) == (
        rights_before
    )
    # The seller still holds the right in this vote; the buyer does not.
    assert register.right(assembly, "甲").holders.get() == register.person("甲")
    assert not VotingRight.objects.filter(assembly=assembly, holder_rows__person=buyer).exists()


def test_opening_twice_changes_nothing(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=1))
    services.assembly_open(assembly=assembly, actor=personas.committee)
    services.assembly_open(assembly=assembly, actor=personas.committee)
    assert RollSnapshot.objects.count() == 1
    assert VotingRight.objects.filter(assembly=assembly).count() == 6
    assert AuditEvent.objects.filter(action="assembly.open").count() == 1


def test_a_building_scope_counts_only_its_units(district, personas):
    from tests.estates.helpers import make_unit, own

    register = build_register(district.a1, [("甲", ["89.50"]), ("乙", ["100.00"])])
    outside = make_unit(district.a1, "201", building="2栋", registered="120.00")
    own(outside, register.person("甲"))
    repair = {"title": "1栋屋面维修", "item": 5, "scope_buildings": ["1栋"]}
    assembly = mark_noticed(
        make_assembly(district.a1, personas.committee, motions=(repair,), scope_buildings=["1栋"])
    )
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=1))
    services.assembly_open(assembly=assembly, actor=personas.committee)
    snapshot = RollSnapshot.objects.get(assembly=assembly)
    assert (snapshot.rights, snapshot.heads, snapshot.area) == (2, 2, Decimal("189.50"))
    assert snapshot.scope == {"buildings": ["1栋"], "unit_codes": []}


# --------------------------------------------------------------------------- cancelling


def test_a_draft_is_cancelled_with_its_reason(register, personas):
    assembly = make_assembly(register.area, personas.committee)
    cancelled = services.assembly_cancel(
        assembly=assembly, actor=personas.committee, reason="议题需修改"
    )
    assert cancelled.status == "cancelled"
    assert cancelled.cancel_reason == "议题需修改"
    assert AuditEvent.objects.filter(action="assembly.cancel").count() == 1


def test_cancelling_needs_a_reason(register, personas):
    assembly = make_assembly(register.area, personas.committee)
    with pytest.raises(DomainError) as caught:
        services.assembly_cancel(assembly=assembly, actor=personas.committee, reason=" ")
    assert caught.value.fields == {"reason": "请填写取消原因。"}


def test_an_assembly_cannot_be_cancelled_once_its_voting_window_has_begun(register, personas):
    # Nobody opened it yet: the clock alone makes it open (RULES §3).
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    shift(assembly, opens=-timedelta(seconds=1), closes=timedelta(days=1))
    with pytest.raises(DomainError) as caught:
        services.assembly_cancel(assembly=assembly, actor=personas.committee, reason="改期")
    assert caught.value.code == "too_late"
    assert Assembly.objects.get(pk=assembly.pk).status == "noticed"


def test_a_draft_takes_a_new_title_and_scope(district, personas):
    from tests.estates.helpers import make_unit, own

    register = build_register(district.a1, [("甲", ["89.50"])])
    own(make_unit(district.a1, "201", building="2栋", registered="70.00"), register.person("甲"))
    assembly = make_assembly(district.a1, personas.committee)

    updated = services.assembly_update(
        assembly=assembly, actor=personas.committee, title="2栋外墙维修", scope_buildings=["2栋"]
    )

    assert (updated.title, updated.scope_buildings) == ("2栋外墙维修", ["2栋"])
    assert updated.scope_text() == "列支范围：2栋"
    assert AuditEvent.objects.get(action="assembly.update").summary["changed"] == [
        "scope_buildings",
        "title",
    ]


def test_a_noticed_assembly_cannot_be_edited(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    with pytest.raises(DomainError) as caught:
        services.assembly_update(assembly=assembly, actor=personas.committee, title="改名")
    assert caught.value.code == "not_draft"
    assert Assembly.objects.get(pk=assembly.pk).title == "2026年第一次业主大会会议"
