"""Recovery claims (追偿) of emergency repairs paid inside warranty (RULES.md §5, last paragraph):
recorded against the developer or the builder, tracked open → claimed → recovered / abandoned
with reasons, audited, visible to the bureau."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from emergency import services
from emergency.models import EmergencyApplication, RecoveryClaim

from .conftest import PIPES_CAP_FEN, file_application, review
from .test_api import api as api  # noqa: F401 - the fixture
from .test_pages import login

BUILDER = services.ClaimInput(
    against="builder", party_name="宿州某建筑工程有限公司", amount_fen=12_000_00
)


@pytest.fixture
def under_review(filed, personas):
    services.application_review_start(application=filed, actor=personas.reviewer)
    return filed


@pytest.fixture
def claim(under_review, personas):
    return services.recovery_claim_open(
        application=under_review, actor=personas.reviewer, claim=BUILDER
    )


def audit_actions(claim) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="emergency.recoveryclaim", object_id=str(claim.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_a_claim_runs_open_claimed_recovered_with_reasons_and_is_audited(claim, personas):
    assert (claim.status, claim.amount_fen, claim.recorded_by) == (
        "open",
        12_000_00,
        personas.reviewer,
    )
    claimed = services.recovery_claim_claim(
        claim=claim,
        actor=personas.reviewer,
        note="2026-12-01 宿住建函〔2026〕12号发函。",
        amount_fen=11_500_00,  # restated to the settled cost
    )
    assert (claimed.status, claimed.amount_fen) == ("claimed", 11_500_00)
    recovered = services.recovery_claim_recover(
        claim=claimed, actor=personas.reviewer, recovered_fen=11_500_00, note="2026-12-20 到账。"
    )
    assert (recovered.status, recovered.recovered_fen, recovered.resolved_by) == (
        "recovered",
        11_500_00,
        personas.reviewer,
    )
    assert recovered.resolution_note == "2026-12-20 到账。"
    assert audit_actions(claim) == [
        "emergency.recovery_open",
        "emergency.recovery_claimed",
        "emergency.recovery_recovered",
    ]
    last = AuditEvent.objects.filter(action="emergency.recovery_recovered").get()
    assert last.actor == personas.reviewer
    assert {k: last.summary[k] for k in ("from", "to", "amount_fen", "recovered_fen")} == {
        "from": "claimed",
        "to": "recovered",
        "amount_fen": 11_500_00,
        "recovered_fen": 11_500_00,
    }


def test_recovered_is_at_most_the_amount_claimed_to_the_fen(claim, personas):
    services.recovery_claim_claim(claim=claim, actor=personas.reviewer, note="已发函。")
    for bad in (12_000_01, 0, -1):
        with pytest.raises(DomainError) as caught:
            services.recovery_claim_recover(
                claim=claim, actor=personas.reviewer, recovered_fen=bad, note="到账。"
            )
        assert caught.value.code == "bad_amount"
    assert RecoveryClaim.objects.get(pk=claim.pk).status == "claimed"
    done = services.recovery_claim_recover(
        claim=claim, actor=personas.reviewer, recovered_fen=12_000_00, note="全额到账。"
    )
    assert done.recovered_fen == 12_000_00


def test_the_amount_is_positive_and_within_the_items_cap_to_the_fen(under_review, personas):
    for bad in (PIPES_CAP_FEN + 1, 0):
        with pytest.raises(DomainError) as caught:
            services.recovery_claim_open(
                application=under_review,
                actor=personas.reviewer,
                claim=services.ClaimInput("builder", "某公司", bad),
            )
        assert caught.value.code == "bad_amount"
    assert not RecoveryClaim.objects.exists()
    at_cap = services.recovery_claim_open(
        application=under_review,
        actor=personas.reviewer,
        claim=services.ClaimInput("builder", "某公司", PIPES_CAP_FEN),
    )
    assert at_cap.amount_fen == 30_000_00


def test_every_step_needs_its_reason(claim, personas, verified):
    with pytest.raises(DomainError):
        services.recovery_claim_claim(claim=claim, actor=personas.reviewer, note="  ")
    with pytest.raises(DomainError):
        services.recovery_claim_abandon(claim=claim, actor=verified(personas.approver), reason="")
    assert RecoveryClaim.objects.get(pk=claim.pk).status == "open"


def test_only_an_approver_abandons_a_claim_and_it_stays_abandoned(claim, personas, verified):
    with pytest.raises(PermissionDeniedError):
        services.recovery_claim_abandon(claim=claim, actor=personas.reviewer, reason="算了。")
    abandoned = services.recovery_claim_abandon(
        claim=claim,
        actor=verified(personas.approver),
        reason="施工单位已破产清算，无财产可供执行。",
    )
    assert (abandoned.status, abandoned.resolved_by) == ("abandoned", personas.approver)
    with pytest.raises(DomainError) as caught:
        services.recovery_claim_claim(claim=claim, actor=personas.reviewer, note="再次发函。")
    assert caught.value.code == "bad_transition"
    with pytest.raises(DomainError):
        services.recovery_claim_recover(
            claim=claim, actor=personas.reviewer, recovered_fen=1, note="到账。"
        )


def test_one_claim_per_party_and_application(claim, under_review, personas):
    with pytest.raises(DomainError) as caught:
        services.recovery_claim_open(
            application=under_review, actor=personas.reviewer, claim=BUILDER
        )
    assert caught.value.code == "claim_exists"
    other = services.recovery_claim_open(
        application=under_review,
        actor=personas.reviewer,
        claim=services.ClaimInput("developer", "宿州某置业有限公司", 12_000_00),
    )
    assert other.against == "developer"


def test_no_claim_before_review_or_after_a_refusal(filed, personas):
    with pytest.raises(DomainError) as early:
        services.recovery_claim_open(application=filed, actor=personas.reviewer, claim=BUILDER)
    assert early.value.code == "not_open"
    services.application_refuse(application=filed, actor=personas.reviewer, reason="不属紧急情形。")
    with pytest.raises(DomainError) as late:
        services.recovery_claim_open(application=filed, actor=personas.reviewer, claim=BUILDER)
    assert late.value.code == "not_open"


@pytest.mark.parametrize("persona", ["committee", "property_staff", "street_officer", "outsider"])
def test_only_the_bureau_records_claims(under_review, personas, persona):
    with pytest.raises(PermissionDeniedError):
        services.recovery_claim_open(
            application=under_review, actor=getattr(personas, persona), claim=BUILDER
        )


def test_the_database_refuses_a_recovered_amount_above_the_claim(claim):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE emergency_recoveryclaim SET status = 'recovered', recovered_fen = %s"
            " WHERE id = %s",
            [12_000_01, claim.pk],
        )


# --------------------------------------------------------------------------- seen by the bureau


def test_the_bureau_sees_every_claim_on_its_list_and_the_application(
    client, claim, personas, estate
):
    page = login(client, personas.reviewer).get(reverse("emergency:recovery_claims"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "宿州某建筑工程有限公司" in text and "12,000.00" in text and "待追偿" in text
    detail = client.get(reverse("emergency:detail", args=[claim.application_id])).content.decode()
    assert "宿州某建筑工程有限公司" in detail and "登记主张" in detail


def test_the_claim_list_keeps_to_the_readers_scope(client, claim, personas):
    page = login(client, personas.other_street_officer).get(reverse("emergency:recovery_claims"))
    assert page.status_code == 200
    assert "宿州某建筑工程有限公司" not in page.content.decode()
    response = login(client, personas.outsider).get(reverse("emergency:recovery_claims"))
    assert response.status_code == 403


def test_claim_steps_through_the_pages(client, claim, personas, login_with_totp):
    login(client, personas.reviewer)
    url = reverse("emergency:recovery_move", args=[claim.pk, "claimed"])
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "已发函。", "amount": "11500.00"}).status_code == 302
    url = reverse("emergency:recovery_move", args=[claim.pk, "recovered"])
    response = client.post(url, {"note": "到账。", "amount": "11500.01"})
    assert response.status_code == 400
    assert "不超过追偿金额" in response.content.decode()
    assert client.post(url, {"note": "到账。", "amount": "11500.00"}).status_code == 302
    done = RecoveryClaim.objects.get(pk=claim.pk)
    assert (done.status, done.amount_fen, done.recovered_fen) == ("recovered", 11_500_00, 11_500_00)
    abandon = reverse("emergency:recovery_move", args=[claim.pk, "abandoned"])
    assert client.get(abandon).status_code == 403  # the reviewer does not abandon


def test_the_api_shows_the_claims_of_an_application(api, claim):
    body = (
        api.as_("reviewer")
        .get(reverse("emergency-application-detail", args=[claim.application_id]))
        .json()
    )
    assert [
        (c["against"], c["party_name"], c["amount_fen"], c["status"])
        for c in body["recovery_claims"]
    ] == [("builder", "宿州某建筑工程有限公司", 12_000_00, "open")]


def test_a_claim_recorded_with_the_checklist_is_tracked_like_any_other(estate, personas, verified):
    application = file_application(personas.committee, estate.a1)
    review(
        application,
        personas.reviewer,
        exclusions={"excl_developer": True},
        exclusion_note="渗漏系施工质量缺陷。",
        recovery=BUILDER,
    )
    approved = services.application_approve(
        application=application, actor=verified(personas.approver)
    )
    assert approved.status == EmergencyApplication.Status.APPROVED
    assert approved.recovery_claims.get().status == "open"
