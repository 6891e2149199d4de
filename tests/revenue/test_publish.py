"""The quarterly notice: a signed, verifiable publication; once per quarter unless corrected."""

from __future__ import annotations

from datetime import date

import pytest

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from publications.models import Kind, Publication
from publications.signing import signature_check
from revenue import services
from revenue.models import Allocation, QuarterNotice
from tests.voting.conftest import pdf_text

pytestmark = pytest.mark.django_db


def publish(district, personas, verified, **overrides):
    values = {
        "area": district.a1,
        "year": 2025,
        "quarter": 1,
        "actor": verified(personas.approver),
    }
    values.update(overrides)
    return services.revenue_quarter_publish(**values)


def flat(publication) -> str:
    return "".join(pdf_text(publication).split())


@pytest.fixture
def quarter(register, personas, record, district):
    """Q1 2025 of a1: 1,500.00 parking, 300.50 advertising, 200.25 repairs; net 1,600.25,
    shared by area."""
    record(150_000, category="parking", on=date(2025, 1, 31), memo="1月停车费")
    record(30_050, category="advertising", on=date(2025, 2, 15), counterparty="乙广告传媒公司")
    record(20_025, category="repair", on=date(2025, 3, 20), counterparty="丙维修队")
    services.revenue_allocation_record(
        area=district.a1,
        year=2025,
        quarter=1,
        method=Allocation.Method.SHARE_BY_AREA,
        actor=personas.committee,
    )


def test_publishing_a_quarter_issues_a_signed_notice_anyone_can_verify(
    district, personas, verified, quarter, publishing
):
    notice = publish(district, personas, verified)

    publication = notice.publication
    assert publication.kind == Kind.PUBLIC_REVENUE
    assert publication.area == district.a1
    assert publication.period == "2025年第一季度"
    assert publication.title == "甲一小区公共收益收支公示（2025年第一季度）"
    with publication.file.open("rb") as handle:
        check = signature_check(handle.read())
    assert check.ok, check.detail
    assert (notice.income_fen, notice.cost_fen, notice.net_fen, notice.entries) == (
        180_050,
        20_025,
        160_025,
        3,
    )
    assert notice.allocation == Allocation.objects.get()
    event = AuditEvent.objects.get(action="revenue.quarter_publish")
    assert event.summary["serial"] == publication.serial


def test_the_notice_shows_totals_entries_the_decision_and_the_law(
    district, personas, verified, quarter, publishing
):
    text = flat(publish(district, personas, verified).publication)

    for figure in ("1,500.00", "300.50", "1,800.50", "200.25", "1,600.25"):
        assert figure in text
    assert "乙广告传媒公司" in text and "丙维修队" in text and "1月停车费" in text
    assert "按专有部分面积分配给业主" in text
    assert "第二百八十二条" in text and "第二百八十三条" in text and "第十三条" in text
    # Each unit's share, adding up to the net: 160025 × 120.25 / 594.75 = 32354.9… fen.
    assert "1栋-1单元-103" in text and "323.55" in text
    assert "合计（6套）" in text


def test_a_quarter_is_published_once(district, personas, verified, quarter, publishing):
    first = publish(district, personas, verified)

    with pytest.raises(DomainError) as refused:
        publish(district, personas, verified)

    assert refused.value.code == "already_published"
    assert first.publication.serial in refused.value.message
    assert Publication.objects.count() == 1
    assert QuarterNotice.objects.count() == 1


def test_a_correction_of_an_unchanged_quarter_is_refused(
    district, personas, verified, quarter, publishing
):
    publish(district, personas, verified)

    with pytest.raises(DomainError) as refused:
        publish(district, personas, verified, reason="再发一次")

    assert refused.value.code == "unchanged"
    assert Publication.objects.count() == 1


def test_a_correction_after_a_reversal_supersedes_the_old_notice(
    district, personas, verified, quarter, record, publishing
):
    old = publish(district, personas, verified)
    advertising = district.a1.revenue_entries.get(category="advertising")
    services.revenue_entry_reverse(
        entry=advertising, reason="广告合同未履行，款项退回", actor=personas.committee
    )
    services.revenue_allocation_record(
        area=district.a1,
        year=2025,
        quarter=1,
        method=Allocation.Method.SHARE_BY_AREA,
        reason="冲正后净收益变化",
        actor=personas.committee,
    )

    new = publish(district, personas, verified, reason="广告收入冲正")

    assert new.supersedes == old
    assert new.net_fen == 150_000 - 20_025
    assert Publication.objects.get(pk=old.publication.pk).superseded_by == new.publication
    assert not QuarterNotice.objects.get(pk=old.pk).is_current
    text = flat(new.publication)
    assert old.publication.serial in text and "广告收入冲正" in text
    assert "-300.50" in text  # the reversal, listed with its sign


def test_a_decision_recorded_against_another_net_must_be_corrected_first(
    district, personas, verified, quarter, record, publishing
):
    record(1, category="venue", on=date(2025, 3, 1))  # after the decision: the net moved by 1 fen

    with pytest.raises(DomainError) as refused:
        publish(district, personas, verified)

    assert refused.value.code == "allocation_stale"
    assert "1,600.25" in refused.value.message and "1,600.26" in refused.value.message
    assert Publication.objects.count() == 0


def test_a_quarter_is_published_only_after_its_last_day(
    district, personas, verified, record, register, publishing
):
    record(100, on=date(2025, 3, 31))
    with pytest.raises(DomainError) as refused:
        publish(district, personas, verified, today=date(2025, 3, 31))
    assert refused.value.code == "quarter_not_finished"
    assert Publication.objects.count() == 0

    notice = publish(district, personas, verified, today=date(2025, 4, 1))
    assert notice.net_fen == 100
    assert "尚待业主共同决定" in flat(notice.publication)


def test_a_quarter_without_entries_is_published_as_such(district, personas, verified, publishing):
    notice = publish(district, personas, verified)
    assert notice.entries == 0
    assert "本季度没有公共收益收支记录" in flat(notice.publication)


@pytest.mark.parametrize("quarter_number", [0, 5])
def test_an_impossible_quarter_is_refused(district, personas, verified, quarter_number):
    with pytest.raises(DomainError) as refused:
        publish(district, personas, verified, quarter=quarter_number)
    assert refused.value.code == "bad_period"


@pytest.mark.parametrize("persona", ["committee", "owner", "reviewer", "outsider"])
def test_only_the_bureau_publishes(district, personas, persona):
    with pytest.raises(PermissionDeniedError):
        services.revenue_quarter_publish(
            area=district.a1, year=2025, quarter=1, actor=getattr(personas, persona)
        )
    assert Publication.objects.count() == 0


def test_an_approver_without_totp_is_asked_for_it(district, personas):
    with pytest.raises(PermissionDeniedError) as refused:
        services.revenue_quarter_publish(
            area=district.a1, year=2025, quarter=1, actor=personas.approver
        )
    assert refused.value.code == "otp_required"
