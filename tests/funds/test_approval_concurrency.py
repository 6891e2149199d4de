"""Two approvers on the cumulative amount hold under parallel requests (PostgreSQL).

The use was approved by one approver at a threshold of 100,000.00 元 (its
budget), 60,000.00 paid, settled at 100,000.01. Two instructions at once,
20,000.00 and 20,000.01: each alone keeps the cumulative total at or under
80,000.01, together they reach 100,000.01 — one fen over. Both read the
cumulative amount under the use's row lock, so exactly one is issued and the
other needs a second approver. The same approver countersigning twice at
once is one countersignature, and still not a second approver.
"""

from __future__ import annotations

import pytest

from funds.models import FundUseCountersign, PaymentInstruction
from funds.procedure import services

from .app_helpers import (
    BUDGET,
    estate_fixture,  # noqa: F401
    instruct,
    second_approver_fixture,  # noqa: F401
)
from .test_approval_authority import FIRST, _settled_one_fen_over
from .test_concurrency import in_threads


@pytest.fixture(autouse=True)
def _no_retention(settings):
    # These tests instruct the whole budget; the 质保金 held back from it is
    # tested in tests/funds/test_settlement_ceiling*.py (RULES.md §4 "use").
    settings.GONGZHI_FUND_RETENTION_PCT = 0


pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_instructions_at_once_cannot_pass_the_threshold_on_one_approval(
    estate, personas, verified, settings
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET
    application = _settled_one_fen_over(estate, personas, verified)
    approver = verified(personas.approver)

    def send(amount, key):
        return lambda: instruct(application.fund_use, approver, amount=amount, key=key).amount_fen

    results = in_threads([send(2_000_000, "PAY-A"), send(2_000_001, "PAY-B")])
    issued = [r for r in results if isinstance(r, int)]
    assert len(issued) == 1, results
    assert [r for r in results if not isinstance(r, int)] == ["second_approver_needed"]
    total = sum(PaymentInstruction.objects.values_list("amount_fen", flat=True))
    assert total == FIRST + issued[0] <= BUDGET


def test_one_approver_countersigning_twice_at_once_is_still_one_approver(
    estate, personas, verified, settings, second_approver
):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = BUDGET
    application = _settled_one_fen_over(estate, personas, verified)
    fund_use = application.fund_use
    approver = verified(personas.approver)

    def sign(actor):
        return lambda: services.fund_use_countersign(fund_use=fund_use, actor=actor).pk

    # The approver who approved it, twice at once: neither is a second approval.
    results = in_threads([sign(approver), sign(approver)])
    assert results == ["already_approved", "already_approved"]
    assert FundUseCountersign.objects.count() == 0
    # A second approver, twice at once: one countersignature.
    other = verified(second_approver)
    results = in_threads([sign(other), sign(other)])
    assert sorted(map(type, results), key=str) == [int, str]
    assert "already_approved" in results
    assert FundUseCountersign.objects.count() == 1
    rest = instruct(fund_use, approver, amount=BUDGET + 1 - FIRST, key="PAY-2")
    assert rest.amount_fen == 4_000_001
