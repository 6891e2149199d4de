"""The scope rule under a race (PostgreSQL: real row locks, real connections; RULES.md §1).

A whole-area draft gets a motion to fire the property company (item 4)
while, at the same moment, its scope is narrowed to the developer's
building 9栋. Whatever order the two transactions take, the assembly
never reaches its notice breaking the rule: either the motion is refused
(the narrower scope came first), or the notice is (the motion came first).
"""

from __future__ import annotations

import pytest

from core.errors import DomainError
from tests.parallel import in_threads
from voting import services
from voting.models import Assembly, Motion

from .conftest import make_assembly

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_a_motion_and_a_narrower_scope_in_parallel_never_pass_the_notice(
    register, personas, attempt
):
    draft = make_assembly(register.area, personas.committee, motions=())

    results = in_threads(
        [
            lambda: (
                services.motion_add(
                    assembly=draft, actor=personas.committee, title="解聘物业服务企业", item=4
                ).code
            ),
            lambda: (
                services.assembly_update(
                    assembly=draft, actor=personas.committee, scope_buildings=["9栋"]
                ).scope_buildings
            ),
        ]
    )

    assert results[1] == ["9栋"]
    assert results[0] in ("m1", "scope_whole_area_item")
    assert Assembly.objects.get(pk=draft.pk).scope_buildings == ["9栋"]
    if results[0] == "m1":
        with pytest.raises(DomainError) as caught:
            services.assembly_notice(assembly=draft, actor=personas.committee)
        assert caught.value.code == "scope_whole_area_item"
        assert Assembly.objects.get(pk=draft.pk).status == "draft"
    else:
        assert not Motion.objects.filter(assembly=draft).exists()
