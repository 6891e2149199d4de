"""Two approvers on the cumulative amount on the emergency path too (RULES.md §4, §5).

An emergency application is approved by one bureau approver whatever its
estimate; its instructions pass through ``funds.procedure.services.payments``, where the
cumulative amount is checked at every instruction. Threshold 6,000.00 元; a
12,000.00-元 repair prepaid in full: 6,000.00 instructed with one approver,
one fen more needs a second approver's countersignature.
"""

from __future__ import annotations

import pytest

from core.errors import DomainError
from funds.models import PaymentInstruction
from funds.procedure import services as funds_services
from tests.factories import UserFactory, grant

from .conftest import file_application
from .test_money import approve, instruct


@pytest.fixture(autouse=True)
def _no_retention(settings):
    # These tests instruct the whole budget; the 质保金 held back from it is
    # tested in tests/funds/test_settlement_ceiling*.py (RULES.md §4 "use").
    settings.GONGZHI_FUND_RETENTION_PCT = 0


pytestmark = pytest.mark.django_db
THRESHOLD = 600_000


@pytest.fixture
def prepaid(funded, personas, verified, settings):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = THRESHOLD
    application = file_application(
        personas.committee, funded.a1, estimate_fen=1_200_000, prepayment_fen=1_200_000
    )
    return approve(application, personas, verified)


def test_one_approver_instructs_up_to_the_threshold(prepaid, personas, verified):
    instruct(prepaid, personas, verified, THRESHOLD, key="k1")
    assert PaymentInstruction.objects.get().amount_fen == 600_000


def test_one_fen_over_needs_a_second_approver(prepaid, personas, verified):
    from accounts.models import Role

    instruct(prepaid, personas, verified, THRESHOLD, key="k1")
    with pytest.raises(DomainError) as refused:
        instruct(prepaid, personas, verified, 1, key="k2")
    assert refused.value.code == "second_approver_needed"
    assert PaymentInstruction.objects.count() == 1

    # The reviewer of the application cannot be its second approver, even holding the role.
    grant(personas.reviewer, Role.BUREAU_APPROVER)
    with pytest.raises(DomainError) as refused:
        funds_services.fund_use_countersign(
            fund_use=prepaid.fund_use, actor=verified(personas.reviewer)
        )
    assert refused.value.code == "maker_checker"

    second = UserFactory(username="approver2")
    grant(second, Role.BUREAU_APPROVER)
    funds_services.fund_use_countersign(fund_use=prepaid.fund_use, actor=verified(second))
    instruct(prepaid, personas, verified, 1, key="k2")
    assert sorted(PaymentInstruction.objects.values_list("amount_fen", flat=True)) == [1, 600_000]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_prepayments_at_once_cannot_pass_the_threshold_on_one_approval(
    funded, personas, verified, settings, seeded_whitelist
):
    from tests.parallel import in_threads

    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = THRESHOLD
    application = approve(
        file_application(
            personas.committee, funded.a1, estimate_fen=1_200_000, prepayment_fen=1_200_000
        ),
        personas,
        verified,
    )

    def send(key):
        return lambda: instruct(application, personas, verified, THRESHOLD, key=key).amount_fen

    results = in_threads([send("k1"), send("k2")])
    assert sorted(map(str, results)) == ["600000", "second_approver_needed"]
    assert list(PaymentInstruction.objects.values_list("amount_fen", flat=True)) == [600_000]


def test_a_deemed_approval_is_no_approver(funded, personas, verified, settings):
    """A deemed approval (no review in time) is no person: past the threshold two people
    must countersign before more money is instructed."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Role
    from emergency import services
    from emergency.models import EmergencyApplication

    settings.GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE = True
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = THRESHOLD
    application = file_application(
        personas.committee, funded.a1, estimate_fen=1_200_000, prepayment_fen=1_200_000
    )
    EmergencyApplication.objects.filter(pk=application.pk).update(
        review_due_at=timezone.now() - timedelta(minutes=5)
    )
    services.application_works_start(application=application, actor=personas.committee)
    application.refresh_from_db()
    assert application.deemed_approved
    instruct(application, personas, verified, THRESHOLD, key="k1")
    signers = []
    for name in ("approver2", "approver3"):
        with pytest.raises(DomainError) as refused:
            instruct(application, personas, verified, 1, key="k2")
        assert refused.value.code == "second_approver_needed"
        signer = UserFactory(username=name)
        grant(signer, Role.BUREAU_APPROVER)
        funds_services.fund_use_countersign(fund_use=application.fund_use, actor=verified(signer))
        signers.append(signer)
    instruct(application, personas, verified, 1, key="k2")
    assert PaymentInstruction.objects.count() == 2
