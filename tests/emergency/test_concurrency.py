"""Racing requests on one application or one whitelist (PostgreSQL: real row locks, real connections).

Each thread has its own database connection, so these are parallel
transactions racing for the same rows; exactly one of them may win.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Role, User
from emergency import services
from emergency.models import EmergencyApplication, WhitelistVersion
from funds.models import Transaction
from tests.factories import UserFactory, grant
from tests.parallel import in_threads

from .conftest import file_application, pdf, review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def verified_user(user: User) -> User:
    fresh = User.objects.get(pk=user.pk)
    fresh.is_verified = lambda: True
    return fresh


def test_two_approvers_approving_at_once_approve_once(estate, personas, seeded_whitelist):
    application = file_application(personas.committee, estate.a1)
    review(application, personas.reviewer)
    second = UserFactory(username="approver2")
    grant(second, Role.BUREAU_APPROVER)
    approvers = [verified_user(personas.approver), verified_user(second)]

    results = in_threads(
        [
            lambda a=a: services.application_approve(application=application, actor=a)
            for a in approvers
        ]
    )

    winners = [r for r in results if isinstance(r, EmergencyApplication)]
    assert len(winners) == 1, results
    assert [r for r in results if not isinstance(r, EmergencyApplication)] == ["bad_transition"]
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="emergency.approve").count() == 1


def test_two_admins_editing_the_same_version_publish_one_new_version(personas, seeded_whitelist):
    second = UserFactory(username="admin2")
    grant(second, Role.BUREAU_ADMIN)
    admins = [verified_user(personas.admin), verified_user(second)]
    item = {
        "code": "E10",
        "name": "化粪池满溢",
        "facility": "water_drainage",
        "evidence": ["photo", "budget"],
        "cap_fen": 20_000_00,
    }

    results = in_threads(
        [
            lambda a=a, n=n: services.whitelist_item_save(
                actor=a, note=f"新增{n}", item={**item, "name": f"化粪池满溢{n}"}, based_on=1
            )
            for n, a in enumerate(admins)
        ]
    )

    assert sorted(r if isinstance(r, str) else "published" for r in results) == [
        "published",
        "stale",
    ], results
    assert list(WhitelistVersion.objects.values_list("number", flat=True).order_by("number")) == [
        1,
        2,
    ]


def test_a_double_submitted_settlement_posts_once(estate, personas, seeded_whitelist, funded):
    application = file_application(personas.committee, estate.a1)
    review(application, personas.reviewer)
    services.application_approve(application=application, actor=verified_user(personas.approver))
    services.application_works_done(application=application, actor=personas.committee)
    services.application_accept(
        application=application, actor=personas.committee, note="合格", evidence=[pdf("a.pdf")]
    )
    posted = Transaction.objects.count()

    results = in_threads(
        [
            lambda: services.application_settle(
                application=application,
                actor=personas.reviewer,
                final_cost_fen=10_000_00,
                settled_on=timezone.localdate(),
                evidence=[pdf("invoice.pdf")],
            )
            for _ in range(2)
        ]
    )

    assert sum(isinstance(r, EmergencyApplication) for r in results) == 1, results
    assert "not_accepted" in results
    assert Transaction.objects.count() == posted + 1  # one settlement posting, not two


def test_a_bank_confirmation_racing_a_settlement_never_deadlocks(
    estate, personas, seeded_whitelist, funded
):
    # Both lock the FundUse first, then the application (emergency.services.money):
    # whichever comes second waits, and each ends in a result or a DomainError.
    application = file_application(
        personas.committee, estate.a1, estimate_fen=20_000_00, prepayment_fen=4_000_00
    )
    review(application, personas.reviewer)
    approver = verified_user(personas.approver)
    services.application_approve(application=application, actor=approver)
    instruction = services.application_payment_instruct(
        application=application,
        actor=approver,
        amount_fen=4_000_00,
        payee_name="施工单位",
        payee_bank="工商银行",
        payee_account="6222000011112222",
        key="k",
    )
    services.application_works_done(application=application, actor=personas.committee)
    services.application_accept(
        application=application, actor=personas.committee, note="合格", evidence=[pdf("a.pdf")]
    )

    results = in_threads(
        [
            lambda: services.application_payment_confirm(
                application=application,
                instruction=instruction,
                actor=personas.reviewer,
                bank_reference="B1",
                paid_on=timezone.localdate(),
            ),
            lambda: services.application_settle(
                application=application,
                actor=personas.reviewer,
                final_cost_fen=10_000_00,
                settled_on=timezone.localdate(),
                evidence=[pdf("invoice.pdf")],
            ),
        ]
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results[1] in ("payment_pending",) or isinstance(results[1], EmergencyApplication)


def test_two_reviewers_recording_the_same_claim_at_once_record_one(
    estate, personas, seeded_whitelist
):
    # RULES.md §5: one recovery claim per party owed; the application's row lock serialises.
    application = file_application(personas.committee, estate.a1)
    services.application_review_start(application=application, actor=personas.reviewer)
    second = UserFactory(username="reviewer2")
    grant(second, Role.BUREAU_REVIEWER)
    claim = services.ClaimInput(
        against="builder", party_name="宿州某建筑工程有限公司", amount_fen=1
    )

    results = in_threads(
        [
            lambda a=a: services.recovery_claim_open(application=application, actor=a, claim=claim)
            for a in (personas.reviewer, second) * 3
        ]
    )

    from emergency.models import RecoveryClaim

    assert sum(isinstance(r, RecoveryClaim) for r in results) == 1, results
    assert sorted(r for r in results if isinstance(r, str)) == ["claim_exists"] * 5
    assert RecoveryClaim.objects.filter(application=application).count() == 1


def test_parallel_recoveries_of_one_claim_record_one(estate, personas, seeded_whitelist):
    application = file_application(personas.committee, estate.a1)
    services.application_review_start(application=application, actor=personas.reviewer)
    claim = services.recovery_claim_open(
        application=application,
        actor=personas.reviewer,
        claim=services.ClaimInput(against="builder", party_name="某公司", amount_fen=12_000_00),
    )
    services.recovery_claim_claim(claim=claim, actor=personas.reviewer, note="已发函。")

    results = in_threads(
        [
            lambda: services.recovery_claim_recover(
                claim=claim, actor=personas.reviewer, recovered_fen=12_000_00, note="到账。"
            )
            for _ in range(6)
        ]
    )

    assert sum(not isinstance(r, str) for r in results) == 1, results
    assert sorted(r for r in results if isinstance(r, str)) == ["bad_transition"] * 5
