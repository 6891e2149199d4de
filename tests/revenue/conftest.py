"""A small register, ledger entries, an approved owners' decision and signing keys.

The register of area a1 is the voting tests' (tests.voting.conftest.build_register):
甲 89.50, 乙 100.00, 丙 120.25, 丁 75.00, 戊+己 110.00 and one developer unit
of 100.00 — six units, 594.75 m². Entries are dated in 2025, whose quarters
are all over, unless a test says otherwise.
"""

from __future__ import annotations

from datetime import date

import pytest

from revenue import services
from revenue.models import RevenueEntry
from tests.signing import publishing_fixture, signing_dir_fixture  # noqa: F401 - fixtures
from tests.voting.conftest import (
    build_register,
    close,
    make_assembly,
    open_assembly,
)
from voting import services as voting_services
from voting.models import Assembly

# --------------------------------------------------------------------------- data


@pytest.fixture
def register(district):
    return build_register(
        district.a1,
        [
            ("甲", ["89.50"]),
            ("乙", ["100.00"]),
            ("丙", ["120.25"]),
            ("丁", ["75.00"]),
            ("戊+己", ["110.00"]),
        ],
        developer=1,
    )


@pytest.fixture
def record(personas, district):
    """``record(amount_fen, category=…, on=…, direction=…)`` through the real service."""

    def make(
        amount_fen: int,
        *,
        category: str = "parking",
        direction: str | None = None,
        on: date = date(2025, 2, 10),
        area=None,
        actor=None,
        counterparty: str = "甲停车管理有限公司",
        memo: str = "",
    ) -> RevenueEntry:
        if direction is None:
            direction = "cost" if category in ("management", "repair", "other_cost") else "income"
        return services.revenue_entry_record(
            area=area if area is not None else district.a1,
            direction=direction,
            category=category,
            amount_fen=amount_fen,
            occurred_on=on,
            counterparty=counterparty,
            memo=memo,
            actor=actor or personas.committee,
        )

    return make


def approved_motion(register, personas, *, item: int = 9, title: str = "公共收益的使用"):
    """A motion of a whole-area assembly of a1 that every owner approved, result final.

    The vote runs through the voting services (cast, close, count); only the
    publication of its result notices is skipped, by recording the final
    status the last step leaves on the row (as tests.voting.conftest.mark_noticed does).
    """
    created = make_assembly(
        register.area, personas.committee, motions=({"title": title, "item": item},)
    )
    assembly = open_assembly(created, personas.committee)
    for name in ("甲", "乙", "丙", "丁", "戊"):
        voting_services.ballot_cast(
            assembly=assembly, choices={"m1": "approve"}, actor=register.user(name)
        )
    close(assembly)
    voting_services.assembly_count(assembly=assembly, actor=None)
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.FINAL)
    assembly.refresh_from_db()
    assert assembly.result["m1"]["outcome"] == "approved"
    return assembly.motions.get(code="m1")
