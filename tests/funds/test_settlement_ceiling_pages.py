"""The pages of the settlement's limits (issue #14 §2): tolerance on the proposal form,
the settlement page's ceiling, the supplementary vote started from it, the 审价
upload, the 质保金 release. Bad input: 400 and nothing changed; a state conflict: 409."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from funds.models import FundApplication, FundUse, SettlementAuditReport, SupplementaryVote
from voting.models import Assembly

from .app_helpers import (
    BUDGET,
    DEVELOPER_UNIT,
    accepted,
    estate_fixture,  # noqa: F401
    pdf,
)


def url(name, *args):
    return reverse(f"funds:{name}", args=args)


def proposal(tolerance: str) -> dict:
    return {
        "title": "1栋屋面防水翻新",
        "repair_type": "waterproofing",
        "scope_buildings": ["1栋"],
        "scope_unit_codes": DEVELOPER_UNIT,
        "items": "拆除旧防水层 | 约600㎡ | 25,000.00\n新做防水 | SBS | 75000",
        "tolerance_pct": tolerance,
    }


def test_the_proposal_form_takes_the_tolerance_and_refuses_one_above_the_cap(
    client, estate, personas
):
    client.force_login(personas.property_staff)
    create = f"{url('application_create')}?area={estate.area.pk}"
    refused = client.post(create, proposal("11"))
    assert refused.status_code == 400
    assert "超支比例须为 0 至 10 之间的整数" in refused.content.decode()
    assert not FundApplication.objects.exists()
    assert client.post(create, proposal("10")).status_code == 302
    assert FundApplication.objects.get().tolerance_pct == 10


def test_the_settlement_page_shows_the_ceiling_and_links_the_audit_upload(
    client, estate, personas, verified
):
    application = accepted(estate, personas, verified)
    client.force_login(personas.reviewer)
    page = client.get(url("application_settle", application.pk)).content.decode()
    assert "结算上限 100,000.00 元" in page and "质保金" in page
    assert url("application_audit_report", application.pk) in page
    assert url("application_supplementary", application.pk) not in page  # the convener's
    over = client.post(
        url("application_settle", application.pk),
        {
            "final_cost": "100000.01",
            "over_budget_reason": "增加泛水",
            "settled_on": timezone.localdate().isoformat(),
            "confirmed": "1",
        },
    )
    assert over.status_code == 400 and "补充表决" in over.content.decode()
    assert FundUse.objects.get().status == FundUse.Status.OPEN

    bad = client.post(
        url("application_audit_report", application.pk),
        {"audit_report": SimpleUploadedFile("x.pdf", b"MZ", content_type="application/pdf")},
    )
    assert bad.status_code == 400 and not SettlementAuditReport.objects.exists()
    good = client.post(
        url("application_audit_report", application.pk), {"audit_report": pdf("审价.pdf")}
    )
    assert good.status_code == 302 and SettlementAuditReport.objects.count() == 1


def test_the_committee_starts_the_supplementary_vote_from_the_application(
    client, estate, personas, verified
):
    application = accepted(estate, personas, verified)
    client.force_login(personas.committee)
    detail = client.get(url("application_detail", application.pk)).content.decode()
    assert url("application_supplementary", application.pk) in detail
    start = timezone.localtime() + timedelta(days=20)
    data = {
        "excess": "2000.00",
        "reason": "拆除后发现女儿墙泛水整体损坏",
        "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (start + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
    }
    bad = client.post(url("application_supplementary", application.pk), {**data, "excess": "两千"})
    assert bad.status_code == 400 and not SupplementaryVote.objects.exists()
    confirm = client.post(url("application_supplementary", application.pk), data)
    assert confirm.status_code == 200 and "102,000.00 元" in confirm.content.decode()
    assert not Assembly.objects.filter(supplementary_votes__isnull=False).exists()
    done = client.post(url("application_supplementary", application.pk), {**data, "confirmed": "1"})
    vote = SupplementaryVote.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "voting:manage_detail", args=[vote.assembly_id]
    )
    assert vote.excess_fen == 200_000 and vote.assembly.status == Assembly.Status.DRAFT


def test_the_retention_release_page_answers_409_inside_the_warranty(
    client, estate, personas, verified
):
    from funds.procedure import services

    application = accepted(estate, personas, verified)
    services.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=BUDGET
    )
    client.force_login(personas.reviewer)
    detail = client.get(url("application_detail", application.pk)).content.decode()
    assert "5,000.00 元" in detail and url("application_retention", application.pk) in detail
    refused = client.post(url("application_retention", application.pk))
    assert refused.status_code == 409 and "届满" in refused.content.decode()
    assert FundUse.objects.get().retention_released_at is None
