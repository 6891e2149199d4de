"""Emergency settlement past the estimate and the cap (issue #14 §2; RULES.md §5).

Settlement above the approved estimate needs the approver (not the reviewer
who settles), two distinct approvers strictly above
``GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN``; above the whitelist item's cap
(water pipes: 30,000.00 元) only through a supplementary owners' vote of the
列支范围, by at most the excess it approved (the normal procedure's fallback).

The excess-approval tests use the emergency estate (a1: 101, 102, 201, each
sub-ledger 5,000.00 元); the supplementary vote needs owners who can vote, so
it runs on the funds estate (``tests.funds.app_helpers``: 1栋 with four
registered owners, each sub-ledger 30,000.00 元).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError, PermissionDeniedError
from emergency import services
from emergency.models import EmergencyApplication
from funds.models import SettlementExcessApproval
from tests.factories import UserFactory, grant
from tests.funds.app_helpers import ALL_APPROVE, build_estate, finalise_without_pdf
from tests.voting.conftest import mark_noticed, shift
from voting import services as voting

from .conftest import file_application, pdf, review

pytestmark = pytest.mark.django_db
Status = EmergencyApplication.Status
CAP = 30_000_00  # water pipes (PIPES), the seeded whitelist


def approve(application, personas, verified):
    review(application, personas.reviewer)
    return services.application_approve(application=application, actor=verified(personas.approver))


def accept(application, personas):
    services.application_works_done(application=application, actor=personas.committee)
    return services.application_accept(
        application=application, actor=personas.committee, note="验收合格", evidence=[pdf("a.pdf")]
    )


def settle(application, personas, cost_fen, **kw):
    return services.application_settle(
        application=application,
        actor=personas.reviewer,
        final_cost_fen=cost_fen,
        settled_on=timezone.localdate(),
        evidence=[pdf("invoice.pdf")],
        over_budget_reason=kw.pop("over_budget_reason", "开挖后发现两处破损"),
        **kw,
    )


def excess_approve(application, actor, cost):
    return services.application_excess_approve(application=application, cost_fen=cost, actor=actor)


@pytest.fixture
def accepted_8000(funded, personas, verified):
    application = approve(
        file_application(personas.committee, funded.a1, estimate_fen=8_000_00), personas, verified
    )
    return accept(application, personas)


def test_at_the_estimate_no_approval_is_needed(accepted_8000, personas):
    assert settle(accepted_8000, personas, 8_000_00).status == Status.SETTLED
    assert not SettlementExcessApproval.objects.exists()


def test_above_the_estimate_the_reviewer_alone_cannot_settle(accepted_8000, personas, verified):
    with pytest.raises(DomainError) as refused:
        settle(accepted_8000, personas, 8_000_01)
    assert refused.value.code == "excess_approval_required"
    with pytest.raises(PermissionDeniedError):  # the reviewer cannot consent either
        excess_approve(accepted_8000, personas.reviewer, 8_000_01)
    # A consent for another amount does not cover this one.
    excess_approve(accepted_8000, verified(personas.approver), 8_000_02)
    with pytest.raises(DomainError) as refused:
        settle(accepted_8000, personas, 8_000_01)
    assert refused.value.code == "excess_approval_required"
    excess_approve(accepted_8000, verified(personas.approver), 8_000_01)
    assert settle(accepted_8000, personas, 8_000_01).status == Status.SETTLED


def test_a_consent_at_or_below_the_estimate_is_refused(accepted_8000, personas, verified):
    with pytest.raises(DomainError) as refused:
        excess_approve(accepted_8000, verified(personas.approver), 8_000_00)
    assert refused.value.code == "not_over_estimate"


@pytest.mark.parametrize(
    ("threshold", "needed"), [(8_000_01, 1), (8_000_00, 2)], ids=["at-threshold", "above"]
)
def test_two_approvers_strictly_above_the_threshold(
    accepted_8000, personas, verified, settings, threshold, needed
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = threshold
    first = verified(personas.approver)
    excess_approve(accepted_8000, first, 8_000_01)
    with pytest.raises(DomainError) as refused:  # the same approver twice is one
        excess_approve(accepted_8000, first, 8_000_01)
    assert refused.value.code == "already_approved"
    if needed == 2:
        with pytest.raises(DomainError) as refused:
            settle(accepted_8000, personas, 8_000_01)
        assert refused.value.code == "excess_approval_required"
        second = UserFactory(username="approver2")
        from accounts.models import Role

        grant(second, Role.BUREAU_APPROVER)
        excess_approve(accepted_8000, verified(second), 8_000_01)
    assert settle(accepted_8000, personas, 8_000_01).status == Status.SETTLED


def test_above_the_cap_refused_even_with_approvers(funded, personas, verified):
    application = approve(
        file_application(personas.committee, funded.a1, estimate_fen=CAP), personas, verified
    )
    accept(application, personas)
    with pytest.raises(DomainError) as refused:
        excess_approve(application, verified(personas.approver), CAP + 1)
    assert refused.value.code == "over_cap"
    with pytest.raises(DomainError) as refused:
        settle(application, personas, CAP + 1)
    assert refused.value.code == "over_cap"
    assert EmergencyApplication.objects.get(pk=application.pk).status == Status.ACCEPTED


def test_above_the_cap_only_through_a_supplementary_owners_vote(district, personas, verified):
    estate = build_estate(district)
    application = approve(
        file_application(
            personas.committee, estate.area, estimate_fen=CAP, scope_buildings=["1栋"]
        ),
        personas,
        verified,
    )
    accept(application, personas)
    excess = 1_000_00
    now = timezone.now()
    vote = services.application_supplementary_vote_create(
        application=application,
        excess_fen=excess,
        reason="主管破损长度超出预估，需加换 12 米。",
        opens_at=now + timedelta(days=20),
        closes_at=now + timedelta(days=30),
        actor=personas.committee,
    )
    assert vote.assembly.scope_buildings == ["1栋"] and vote.motion.item == 5
    assert "31,000.00 元" in vote.motion.description  # cap + excess
    with pytest.raises(DomainError) as refused:  # before the vote
        settle(application, personas, CAP + excess)
    assert refused.value.code == "over_cap"

    assembly = mark_noticed(vote.assembly)
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=1))
    voting.assembly_open(assembly=assembly, actor=personas.committee)
    for name, choice in ALL_APPROVE.items():
        voting.ballot_cast(
            assembly=assembly, choices={vote.motion.code: choice}, actor=estate.register.user(name)
        )
    shift(assembly, opens=-timedelta(days=2), closes=-timedelta(minutes=1))
    finalise_without_pdf(voting.assembly_count(assembly=assembly, actor=personas.committee))

    approver = verified(personas.approver)
    with pytest.raises(DomainError) as refused:  # one fen above the approved excess
        excess_approve(application, approver, CAP + excess + 1)
    assert refused.value.code == "over_cap"
    with pytest.raises(DomainError) as refused:  # above the estimate: still the approver
        settle(application, personas, CAP + excess)
    assert refused.value.code == "excess_approval_required"
    excess_approve(application, approver, CAP + excess)
    settled = settle(application, personas, CAP + excess)
    assert settled.status == Status.SETTLED and settled.fund_use.final_cost_fen == 31_000_00


def test_the_approver_consents_on_the_page_and_bad_input_changes_nothing(
    client, accepted_8000, personas, login_with_totp
):
    from django.urls import reverse

    page = reverse("emergency:excess_approve", args=[accepted_8000.pk])
    login_with_totp(client, personas.approver)
    detail = client.get(reverse("emergency:detail", args=[accepted_8000.pk])).content.decode()
    assert page in detail
    bad = client.post(page, {"final_cost": "八千"})
    assert bad.status_code == 400 and not SettlementExcessApproval.objects.exists()
    over_cap = client.post(page, {"final_cost": "30000.01"})
    assert over_cap.status_code == 400 and "费用上限" in over_cap.content.decode()
    done = client.post(page, {"final_cost": "8000.01", "note": "开挖后发现两处破损"})
    assert done.status_code == 302
    approval = SettlementExcessApproval.objects.get()
    assert approval.cost_fen == 8_000_01 and approval.approver == personas.approver
    client.force_login(personas.reviewer)
    assert client.get(page).status_code == 403


def test_the_settle_page_asks_for_the_audit_report_above_the_threshold(
    client, accepted_8000, personas, settings
):
    from django.urls import reverse

    from funds.models import SettlementAuditReport

    settings.GONGZHI_FUND_AUDIT_ABOVE_FEN = 7_999_99  # 8,000.00 is one fen above
    url = reverse("emergency:settle", args=[accepted_8000.pk])
    client.force_login(personas.reviewer)
    data = {
        "final_cost": "8000.00",
        "settled_on": str(timezone.localdate()),
        "step": "confirm",
    }
    refused = client.post(url, {**data, "files": [pdf("invoice.pdf")]})
    assert refused.status_code == 400 and "审价报告" in refused.content.decode()
    assert EmergencyApplication.objects.get(pk=accepted_8000.pk).status == Status.ACCEPTED
    done = client.post(
        url, {**data, "files": [pdf("invoice.pdf")], "audit_report": pdf("audit.pdf")}
    )
    assert done.status_code == 302
    settled = EmergencyApplication.objects.get(pk=accepted_8000.pk)
    assert settled.status == Status.SETTLED
    assert SettlementAuditReport.objects.get().fund_use_id == settled.fund_use_id
    assert settled.fund_use.retention_fen == 400_00  # 5 % of 8,000.00


def test_the_convener_starts_the_supplementary_vote_from_the_application_page(
    client, district, personas, verified
):
    from django.urls import reverse

    from funds.models import SupplementaryVote

    estate = build_estate(district)
    application = approve(
        file_application(
            personas.committee, estate.area, estimate_fen=CAP, scope_buildings=["1栋"]
        ),
        personas,
        verified,
    )
    accept(application, personas)
    url = reverse("emergency:supplementary", args=[application.pk])
    client.force_login(personas.committee)
    detail = client.get(reverse("emergency:detail", args=[application.pk])).content.decode()
    assert url in detail  # the button is on the application page

    start = timezone.localtime() + timedelta(days=20)
    form = {
        "excess": "1000.00",
        "reason": "主管破损长度超出预估，需加换 12 米。",
        "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),  # before it opens
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert SupplementaryVote.objects.count() == 0
    refused = client.post(url, {**form, "excess": "-1"})
    assert refused.status_code == 400
    assert SupplementaryVote.objects.count() == 0

    form["closes_at"] = (start + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    done = client.post(url, form)
    assert done.status_code == 302
    vote = SupplementaryVote.objects.get()
    assert vote.excess_fen == 1_000_00
    assert vote.assembly.scope_buildings == ["1栋"] and vote.motion.item == 5
    assert "31,000.00 元" in vote.motion.description  # the item's cap + the excess

    # The reviewer (no assembly.call) is refused; nothing more is created.
    client.force_login(personas.reviewer)
    assert client.get(url).status_code == 403
    assert SupplementaryVote.objects.count() == 1
