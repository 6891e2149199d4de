"""The owners' decision on a quarter's net (Civil Code arts. 282–283) and each unit's share."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from revenue import services
from revenue.models import Allocation, AllocationShare, AppendOnlyError
from tests.estates.helpers import make_unit
from tests.voting.conftest import PDF_BYTES
from voting.models import Assembly

from .conftest import approved_motion

pytestmark = pytest.mark.django_db


def allocate(district, personas, **overrides):
    values = {
        "area": district.a1,
        "year": 2025,
        "quarter": 1,
        "method": Allocation.Method.SHARE_BY_AREA,
        "actor": personas.committee,
    }
    values.update(overrides)
    return services.revenue_allocation_record(**values)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def shares_of(allocation) -> dict[str, int]:
    return {share.unit_code: share.share_fen for share in allocation.shares.all()}


def test_shared_by_area_every_unit_gets_its_share_and_they_add_up_to_the_net(
    district, personas, register, record
):
    record(100_005)  # 1,000.05 yuan of parking income
    record(1, category="repair")  # one fen of cost: the net is 100,004 fen

    allocation = allocate(district, personas)

    assert allocation.net_fen == 100_004
    shares = shares_of(allocation)
    # 594.75 m² in all; each unit first gets floor(100004 × area / 594.75) fen
    # (100,000 in all), then the 4 fen left over go to the largest remainders:
    # 101 (.94), 105 (.91), 104 (.84), and of 102 and 901, tied at .4599 with
    # 100.00 m² each, the lower unit code (RULES.md §4).
    assert shares == {
        "1栋-1单元-101": 15_048 + 1,  # 89.50
        "1栋-1单元-102": 16_814 + 1,  # 100.00, wins the tie
        "1栋-1单元-103": 20_219,  # 120.25, remainder .39
        "1栋-1单元-104": 12_610 + 1,  # 75.00
        "1栋-1单元-105": 18_495 + 1,  # 110.00
        "9栋-1单元-901": 16_814,  # 100.00, the developer's unsold unit, loses the tie
    }
    assert sum(shares.values()) == 100_004
    assert AuditEvent.objects.get(action="revenue.allocation_record").summary["units"] == 6


def test_equal_areas_tie_for_a_left_over_fen_by_unit_code(district, personas):
    for number in ("103", "101", "102"):
        make_unit(district.a1, number, registered="80.00")
    services.revenue_entry_record(
        area=district.a1,
        direction="income",
        category="venue",
        amount_fen=100,
        occurred_on=date(2025, 1, 20),
        counterparty="社区舞蹈队",
        actor=personas.committee,
    )

    allocation = allocate(district, personas)

    # 100 fen over three equal units: 33 each, the one left over to the lowest code.
    assert shares_of(allocation) == {
        "1栋-1单元-101": 34,
        "1栋-1单元-102": 33,
        "1栋-1单元-103": 33,
    }


def test_the_shares_keep_the_unit_area_as_it_was_when_decided(district, personas, register, record):
    record(594_75)
    allocation = allocate(district, personas)
    share = allocation.shares.get(unit_code="1栋-1单元-101")

    assert share.floor_area == Decimal("89.50")
    assert share.share_fen == 89_50


def test_a_quarter_with_no_positive_net_cannot_be_allocated(district, personas, register, record):
    record(100)
    record(100, category="management")

    with pytest.raises(DomainError) as refused:
        allocate(district, personas)

    assert refused.value.code == "no_net"
    assert Allocation.objects.count() == 0


def test_a_net_of_one_fen_is_allocated(district, personas, register, record):
    record(101)
    record(100, category="management")

    allocation = allocate(district, personas)

    assert sum(shares_of(allocation).values()) == 1
    assert shares_of(allocation)["1栋-1单元-103"] == 1  # the largest area has the largest remainder


def test_an_unfinished_quarter_cannot_be_allocated(district, personas, register, record):
    record(100, on=date(2025, 3, 1))
    with pytest.raises(DomainError) as refused:
        allocate(district, personas, today=date(2025, 3, 31))
    assert refused.value.code == "quarter_not_finished"
    assert allocate(district, personas, today=date(2025, 4, 1)).net_fen == 100


def test_a_second_decision_needs_a_reason_and_supersedes_the_first(
    district, personas, register, record
):
    record(1_000)
    first = allocate(district, personas)

    with pytest.raises(DomainError) as refused:
        allocate(
            district,
            personas,
            method=Allocation.Method.OTHER,
            decision_text="用于绿化",
            decision_file=pdf("minutes.pdf"),
            decision_result="同意 5 户",
        )
    assert refused.value.code == "already_decided"

    second = allocate(
        district,
        personas,
        method=Allocation.Method.OTHER,
        decision_text="业主大会决定用于小区绿化补植",
        decision_file=pdf("minutes.pdf"),
        decision_result="参与 5 户、面积 494.75 m²；同意 5 户、面积 494.75 m²",
        reason="按业主大会新决定更正",
    )
    assert second.supersedes == first
    assert not Allocation.objects.get(pk=first.pk).is_current
    assert Allocation.objects.get(pk=second.pk).is_current
    assert first.shares.count() == 6  # the old decision and its shares stay


def test_the_database_keeps_one_first_decision_per_quarter(district, personas, register, record):
    record(1_000)
    first = allocate(district, personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            area=district.a1, year=2025, quarter=1, method="fund", net_fen=1_000, decision_text="x"
        )
    assert Allocation.objects.get().pk == first.pk


def test_a_decision_and_its_shares_are_append_only(district, personas, register, record):
    record(1_000)
    allocation = allocate(district, personas)
    with pytest.raises(AppendOnlyError):
        allocation.save()
    with pytest.raises(AppendOnlyError):
        allocation.delete()
    with pytest.raises(AppendOnlyError):
        Allocation.objects.update(net_fen=1)
    with pytest.raises(AppendOnlyError):
        AllocationShare.objects.filter(allocation=allocation).update(share_fen=0)
    with pytest.raises(AppendOnlyError):
        allocation.shares.first().delete()


# --------------------------------------------------------------------------- the decision


def test_adding_to_the_fund_needs_the_owners_decision(district, personas, register, record):
    record(1_000)
    with pytest.raises(DomainError) as refused:
        allocate(district, personas, method=Allocation.Method.FUND)
    assert refused.value.code == "no_decision"
    assert "motion" in refused.value.fields


def test_an_approved_motion_of_the_area_carries_the_decision(district, personas, register, record):
    motion = approved_motion(register, personas, item=6, title="公共收益转入专项维修资金")
    record(1_000)

    allocation = allocate(district, personas, method=Allocation.Method.FUND, motion=motion)

    assert allocation.motion == motion
    assert allocation.shares.count() == 0


def test_a_decision_taken_off_the_platform_needs_its_uploaded_record_and_result(
    district, personas, register, record
):
    record(1_000)
    allocation = allocate(
        district,
        personas,
        method=Allocation.Method.FUND,
        decision_text="2024年第一次业主大会（书面表决）第三项决定",
        decision_file=pdf("minutes.pdf"),
        decision_result="参与 5 户、面积 494.75 m²；同意 4 户、面积 405.25 m²",
    )
    assert allocation.motion is None
    assert len(allocation.decision_file_sha256) == 64
    assert allocation.decision_file.read() == PDF_BYTES
    assert allocation.decision_result.startswith("参与 5 户")
    event = AuditEvent.objects.get(action="revenue.allocation_record")
    assert event.summary["method"] == "fund"


@pytest.mark.parametrize(
    ("method", "extra"),
    [
        (Allocation.Method.FUND, {"decision_text": "2024年第一次业主大会（书面表决）第三项决定"}),
        (Allocation.Method.OTHER, {"decision_text": "用于小区绿化补植"}),
        (Allocation.Method.FUND, {"decision_result": "同意 4 户"}),
    ],
)
def test_free_text_alone_cannot_send_revenue_to_the_fund_or_share_it_otherwise(
    district, personas, register, record, method, extra
):
    record(1_000)
    with pytest.raises(DomainError) as refused:
        allocate(district, personas, method=method, **extra)
    assert refused.value.code == "no_decision"
    assert "motion" in refused.value.fields
    assert not Allocation.objects.exists()


def test_an_uploaded_record_without_its_result_is_refused(district, personas, register, record):
    record(1_000)
    with pytest.raises(DomainError) as refused:
        allocate(
            district, personas, method=Allocation.Method.FUND, decision_file=pdf("minutes.pdf")
        )
    assert (refused.value.code, list(refused.value.fields)) == ("no_result", ["decision_result"])
    assert not Allocation.objects.exists()


def test_an_uploaded_record_that_is_not_a_pdf_or_image_is_refused(
    district, personas, register, record
):
    record(1_000)
    fake = SimpleUploadedFile("minutes.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as refused:
        allocate(
            district,
            personas,
            method=Allocation.Method.FUND,
            decision_file=fake,
            decision_result="同意 4 户",
        )
    assert "decision_file" in refused.value.fields
    assert not Allocation.objects.exists()


# ------------------------------------------------- a reversal after the decision


def test_a_reversal_after_the_decision_is_corrected_by_superseding_it(
    district, personas, register, record
):
    entry = record(1_000)
    first = allocate(district, personas)
    services.revenue_entry_reverse(entry=entry, reason="重复登记", actor=personas.committee)

    # The old decision can no longer be published, and cannot be re-decided with a method.
    with pytest.raises(DomainError) as refused:
        allocate(district, personas, reason="冲正后更正")
    assert refused.value.code == "no_net"
    assert "无可分配的净收益" in refused.value.message

    with pytest.raises(DomainError) as no_reason:
        allocate(district, personas, method=Allocation.Method.NONE)
    assert no_reason.value.code == "already_decided"

    none = allocate(district, personas, method=Allocation.Method.NONE, reason="收入冲正后无净收益")

    assert (none.supersedes, none.net_fen, none.shares.count()) == (first, 0, 0)
    assert Allocation.objects.get(pk=none.pk).is_current
    assert first.shares.count() == 6  # kept
    from revenue import selectors
    from revenue.quarters import Quarter

    state = selectors.quarter_state(district.a1, Quarter(2025, 1))
    assert (state.allocation.pk, state.allocation_stale) == (none.pk, False)


def test_none_is_refused_while_there_is_a_net_or_nothing_to_supersede(
    district, personas, register, record
):
    record(1)  # one fen of net
    with pytest.raises(DomainError) as refused:
        allocate(district, personas, method=Allocation.Method.NONE, reason="x")
    assert refused.value.code == "has_net"
    record(1, category="management")  # net exactly 0, nothing decided yet
    with pytest.raises(DomainError) as nothing:
        allocate(district, personas, method=Allocation.Method.NONE, reason="x")
    assert nothing.value.code == "no_net"
    assert not Allocation.objects.exists()


def test_other_use_needs_its_description(district, personas, register, record):
    record(1_000)
    motion = approved_motion(register, personas)
    with pytest.raises(DomainError) as refused:
        allocate(district, personas, method=Allocation.Method.OTHER, motion=motion)
    assert "decision_text" in refused.value.fields


def test_a_motion_not_yet_final_is_refused(district, personas, register, record):
    motion = approved_motion(register, personas)
    Assembly.objects.filter(pk=motion.assembly_id).update(status=Assembly.Status.PRELIMINARY)
    record(1_000)
    with pytest.raises(DomainError) as refused:
        allocate(district, personas, method=Allocation.Method.FUND, motion=motion)
    assert refused.value.code == "motion_not_final"


def test_a_rejected_motion_is_refused(district, personas, register, record):
    motion = approved_motion(register, personas)
    assembly = motion.assembly
    result = dict(assembly.result)
    result["m1"] = {**result["m1"], "outcome": "rejected"}
    Assembly.objects.filter(pk=assembly.pk).update(result=result)
    record(1_000)
    with pytest.raises(DomainError) as refused:
        allocate(district, personas, method=Allocation.Method.FUND, motion=motion)
    assert refused.value.code == "motion_not_approved"


def test_another_area_s_motion_is_refused(district, personas, register, record):
    motion = approved_motion(register, personas)
    record(1_000, area=district.b1, actor=personas.other_committee)
    with pytest.raises(DomainError) as refused:
        allocate(
            district,
            personas,
            area=district.b1,
            actor=personas.other_committee,
            method=Allocation.Method.FUND,
            motion=motion,
        )
    assert refused.value.code == "motion_area"


def test_a_vote_of_only_some_owners_cannot_decide(district, personas, register, record):
    motion = approved_motion(register, personas)
    Assembly.objects.filter(pk=motion.assembly_id).update(scope_buildings=["1栋"])
    record(1_000)
    with pytest.raises(DomainError) as refused:
        allocate(district, personas, method=Allocation.Method.FUND, motion=motion)
    assert refused.value.code == "motion_scope"


# --------------------------------------------------------------------------- who


def test_the_street_officer_records_where_the_area_has_no_committee(district, personas, record):
    make_unit(district.a2, "101", registered="90.00")
    record(500, area=district.a2, actor=personas.property_staff)

    allocation = allocate(district, personas, area=district.a2, actor=personas.street_officer)

    assert shares_of(allocation) == {"1栋-1单元-101": 500}


@pytest.mark.parametrize(
    "persona", ["owner", "property_staff", "street_officer", "other_committee", "outsider"]
)
def test_others_cannot_record_the_decision_of_a_committee_area(
    district, personas, register, record, persona
):
    record(1_000)
    with pytest.raises(PermissionDeniedError):
        allocate(district, personas, actor=getattr(personas, persona))
    assert Allocation.objects.count() == 0
