"""The settlement's limits under parallel tries (PostgreSQL; issue #14 §2, STYLE.md §17).

After settlement at 100,000.00 元 with 50,000.00 paid, 45,000.00 may still be
instructed (the 5,000.00 质保金 is held): ten parallel instructions of 10,000.00
each get exactly four through. Two releases of the 质保金 at once release it once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from funds.models import PaymentInstruction
from funds.procedure import services
from tests.parallel import in_threads

from .app_helpers import (
    BUDGET,
    RETENTION,
    accepted,
    check_ledger,
    estate_fixture,  # noqa: F401
    instruct,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_instructions_never_pay_out_the_retention(estate, personas, verified):
    application = accepted(estate, personas, verified, amount=BUDGET // 2)
    settled = services.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=BUDGET
    )
    approver = verified(personas.approver)

    def pay(n):
        return lambda: instruct(settled.fund_use, approver, amount=1_000_000, key=f"P-{n}").key

    results = in_threads([pay(n) for n in range(10)])
    assert sorted(r for r in results if r == "over_budget") == ["over_budget"] * 6
    live = PaymentInstruction.objects.filter(status__in=PaymentInstruction.LIVE)
    total = sum(p.amount_fen for p in live)
    assert total == BUDGET // 2 + 4 * 1_000_000 <= BUDGET - RETENTION
    check_ledger()


def test_two_retention_releases_at_once_release_once(estate, personas, verified):
    application = accepted(estate, personas, verified)
    today = timezone.localdate()
    settled = services.application_settle(
        application=application,
        actor=personas.reviewer,
        final_cost_fen=BUDGET,
        settled_on=today - timedelta(days=2),
        warranty_ends_on=today - timedelta(days=1),
    )

    def release():
        return lambda: (
            services.retention_release(
                fund_use=settled.fund_use, actor=personas.reviewer
            ).retention_held_fen
        )

    results = in_threads([release(), release()])
    assert sorted(map(str, results)) == ["0", "already_released"]
    assert AuditEvent.objects.filter(action="fund_use.retention_release").count() == 1
