"""A fund application's 列支范围 and its vote follow the scope rule (RULES.md §1 "Scope").

Estate (tests/funds/app_helpers.py): 1栋 1单元 holds the four owners' units
101–104, 9栋 1单元 only the developer's 901. A 列支范围 is whole buildings or
whole unit stairs; the vote's assembly has exactly that scope and its item-5
(and item-6 top-up) motions carry it as their 列支范围.
"""

from __future__ import annotations

import pytest

from core.errors import DomainError
from funds.models import FundApplication, RepairType
from funds.procedure import services
from voting.models import Assembly

from .app_helpers import estate_fixture, propose, put_to_vote  # noqa: F401

STAIR = [f"1栋-1单元-{n}" for n in range(101, 105)]


def create(estate, actor, **scope):
    return services.application_create(
        area=estate.area,
        title="1栋单元门禁维修",
        repair_type=RepairType.OTHER,
        actor=actor,
        items=[("门禁", "1 套", 100_000)],
        **scope,
    )


def test_a_hand_picked_列支范围_is_refused_when_the_application_is_written(estate, personas):
    with pytest.raises(DomainError) as caught:
        create(estate, personas.property_staff, scope_unit_codes=STAIR[:3])
    assert caught.value.code == "scope_hand_picked"
    assert "1栋1单元" in caught.value.fields["scope_unit_codes"]
    assert not FundApplication.objects.exists()


def test_a_whole_stair_列支范围_is_accepted(estate, personas):
    application = create(estate, personas.property_staff, scope_unit_codes=STAIR)
    assert application.scope_unit_codes == STAIR


def test_an_update_to_a_hand_picked_列支范围_is_refused(estate, personas):
    application = create(estate, personas.property_staff, scope_buildings=["1栋"])
    with pytest.raises(DomainError) as caught:
        services.application_update(
            application=application,
            actor=personas.property_staff,
            scope_buildings=[],
            scope_unit_codes=STAIR[:1],
        )
    assert caught.value.code == "scope_hand_picked"
    application.refresh_from_db()
    assert (application.scope_buildings, application.scope_unit_codes) == (["1栋"], [])


def test_the_vote_carries_the_列支范围_on_its_fund_motions(estate, personas):
    application = put_to_vote(
        propose(estate, personas.property_staff), personas.committee, include_topup=True
    )
    assembly = Assembly.objects.get(pk=application.assembly_id)
    motions = {m.item: m for m in assembly.motions.all()}
    assert sorted(motions) == [5, 6]
    for motion in motions.values():
        assert (motion.scope_buildings, motion.scope_unit_codes) == (
            assembly.scope_buildings,
            assembly.scope_unit_codes,
        )
