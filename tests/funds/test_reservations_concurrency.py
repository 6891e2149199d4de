"""Two uses over the same building instruct at once on PostgreSQL: one balance, reserved once.

RULES.md §4 (issue #14 §2): payment instructions reserve (冻结) each unit's share on its
sub-ledger under row locks, so parallel instructions of two uses cannot both count the
same money. 901 holds 500.00 元; each use instructs 1,450.00 元, 901's share of which is
299.12 元 — both together would need 598.24 元.
"""

from __future__ import annotations

import pytest

from funds.integrity import ledger_check
from funds.models import PaymentInstruction
from funds.procedure.services import reservations
from tests.parallel import in_threads

from .app_helpers import approved, build_estate, instruct

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEV = "9栋-1单元-901"


def test_two_uses_over_one_building_cannot_reserve_the_same_balance(district, personas, verified):
    estate = build_estate(district, developer_deposit=50_000)
    first = approved(estate, personas, verified).fund_use
    second = approved(estate, personas, verified).fund_use
    approver = verified(personas.approver)

    def pay(fund_use, key):
        return lambda: instruct(fund_use, approver, amount=145_000, key=key).key

    results = in_threads([pay(first, "A-1"), pay(second, "B-1")])
    assert sorted(map(str, results)) in (["A-1", "not_reserved"], ["B-1", "not_reserved"])
    assert PaymentInstruction.objects.count() == 1
    unit_id = estate.unit(DEV).pk
    held = [reservations.reserved_for(f).get(unit_id, 0) for f in (first, second)]
    assert sorted(held) == [0, 29_912]
    ledger_check()


def test_sixteen_parallel_instructions_of_two_uses_never_reserve_more_than_the_balance(
    district, personas, verified
):
    estate = build_estate(district, developer_deposit=50_000)
    uses = [approved(estate, personas, verified).fund_use for _ in range(2)]
    approver = verified(personas.approver)
    # 20,000 fen per instruction. A use that instructed n of them holds 901's share of
    # n × 20,000 (6: 247.55 元, 7: 288.81, 8: 330.06, 5: 206.29, 4: 165.03 …); whatever the
    # order, 500.00 元 bears 12 instructions in all (6 + 6, 7 + 5, 8 + 4, …) and no 13th.
    works = [
        (lambda f=uses[i % 2], k=f"K-{i}": instruct(f, approver, amount=20_000, key=k).key)
        for i in range(16)
    ]
    results = in_threads(works)
    accepted = [r for r in results if isinstance(r, str) and r.startswith("K-")]
    assert all(r == "not_reserved" or r in accepted for r in results), results
    unit_id = estate.unit(DEV).pk
    total = sum(reservations.reserved_for(f).get(unit_id, 0) for f in uses)
    assert total <= 50_000
    assert len(accepted) == 12
    ledger_check()
