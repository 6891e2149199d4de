"""The scope rule, pure (voting.scoperule; RULES.md §1 "Scope").

The estate: building 1栋 with two stairs (1单元: 101, 102; 2单元: 201, 202),
building 2栋 with one stair (1单元: 101), building 9栋 with the developer's
unsold unit (1单元: 901). Six units in all.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.scoperule import (
    AREA_WIDE_PARTS,
    FUND_ITEMS,
    WHOLE_AREA_ITEMS,
    WORKS_ITEMS,
    Place,
    ScopeBreach,
    motion_check,
    scope_units,
)

PLACES = [
    Place("1栋-1单元-101", "1栋", "1单元"),
    Place("1栋-1单元-102", "1栋", "1单元"),
    Place("1栋-2单元-201", "1栋", "2单元"),
    Place("1栋-2单元-202", "1栋", "2单元"),
    Place("2栋-1单元-101", "2栋", "1单元"),
    Place("9栋-1单元-901", "9栋", "1单元"),
]
ALL = {p.code for p in PLACES}
STAIR_1_1 = ["1栋-1单元-101", "1栋-1单元-102"]


def breach(fn, *args, **kwargs):
    with pytest.raises(ScopeBreach) as caught:
        fn(*args, **kwargs)
    return caught.value.breach


# --------------------------------------------------------------------------- scope shape


def test_no_lists_is_the_whole_area():
    assert scope_units(PLACES) is None


def test_a_building_is_its_units():
    assert scope_units(PLACES, ["1栋"]) == set(STAIR_1_1) | {"1栋-2单元-201", "1栋-2单元-202"}


def test_a_whole_stair_given_as_its_units_is_accepted():
    assert scope_units(PLACES, [], STAIR_1_1) == set(STAIR_1_1)


def test_one_unit_short_of_a_stair_is_hand_picked():
    found = breach(scope_units, PLACES, [], ["1栋-1单元-101"])
    assert (found.code, found.field, found.names) == ("hand_picked", "scope", ("1栋1单元",))


def test_the_developers_unsold_unit_alone_is_its_whole_building():
    # 9栋 holds only 901: that unit is a whole stair and a whole building, so the shape passes;
    # what it may decide is the motion rule's business (test_whole_area_items_refused_…).
    assert scope_units(PLACES, [], ["9栋-1单元-901"]) == {"9栋-1单元-901"}


def test_hand_picked_units_beside_a_building_are_refused_naming_each_stair():
    found = breach(scope_units, PLACES, ["2栋"], ["1栋-1单元-102", "1栋-2单元-201"])
    assert found.names == ("1栋1单元", "1栋2单元")


def test_units_of_a_listed_building_are_not_hand_picked():
    assert scope_units(PLACES, ["1栋"], ["1栋-1单元-101"]) == scope_units(PLACES, ["1栋"])


def test_every_building_is_the_whole_area():
    assert scope_units(PLACES, ["1栋", "2栋", "9栋"]) is None


def test_every_unit_listed_is_the_whole_area():
    assert scope_units(PLACES, [], sorted(ALL)) is None


def test_all_but_one_stair_is_partial():
    assert scope_units(PLACES, ["1栋", "2栋"]) == ALL - {"9栋-1单元-901"}


def test_unknown_names_are_refused_not_dropped():
    found = breach(scope_units, PLACES, ["7栋"], ["1栋-1单元-999"])
    assert (found.code, found.names) == ("unknown", ("7栋", "1栋-1单元-999"))


@settings(max_examples=150, deadline=None)
@given(
    buildings=st.sets(st.sampled_from(["1栋", "2栋", "9栋"])),
    codes=st.sets(st.sampled_from(sorted(ALL))),
)
def test_a_scope_is_accepted_exactly_when_it_is_a_union_of_whole_stairs(buildings, codes):
    stairs = {}
    for p in PLACES:
        stairs.setdefault((p.building, p.stair), set()).add(p.code)
    covered = {p.code for p in PLACES if p.building in buildings or p.code in codes}
    whole_stairs = all(members <= covered for members in stairs.values() if members & set(codes))
    if not whole_stairs:
        assert breach(scope_units, PLACES, buildings, codes).code == "hand_picked"
        return
    result = scope_units(PLACES, buildings, codes)
    if not buildings and not codes or covered == ALL:
        assert result is None
    else:
        assert result == covered


# --------------------------------------------------------------------------- items 1–4, 9


@pytest.mark.parametrize("item", sorted(WHOLE_AREA_ITEMS))
def test_whole_area_items_pass_in_the_whole_area(item):
    motion_check(PLACES, item=item)
    motion_check(PLACES, item=item, scope_buildings=["1栋", "2栋", "9栋"])


@pytest.mark.parametrize("item", sorted(WHOLE_AREA_ITEMS))
@pytest.mark.parametrize(
    "scope",
    [(["1栋"], []), ([], ["9栋-1单元-901"]), (["1栋", "2栋"], [])],
    ids=["one-building", "developer-unit", "all-but-one-building"],
)
def test_whole_area_items_refused_in_a_partial_scope(item, scope):
    found = breach(
        motion_check, PLACES, item=item, scope_buildings=scope[0], scope_unit_codes=scope[1]
    )
    assert (found.code, found.field, found.item) == ("whole_area_item", "item", item)


@pytest.mark.parametrize("item", sorted(WHOLE_AREA_ITEMS))
def test_whole_area_items_take_no_parts(item):
    found = breach(motion_check, PLACES, item=item, motion_buildings=["1栋"])
    assert found.code == "no_parts_for_item"


def test_an_item_outside_art_278_is_refused():
    assert breach(motion_check, PLACES, item=10).code == "bad_item"


# --------------------------------------------------------------------------- items 5–6


@pytest.mark.parametrize("item", sorted(FUND_ITEMS))
def test_fund_motion_with_the_scope_as_its_列支范围_passes(item):
    motion_check(PLACES, item=item, scope_buildings=["1栋"], motion_buildings=["1栋"])
    # The same units written differently (stairs by their units) are the same 列支范围.
    motion_check(
        PLACES,
        item=item,
        scope_buildings=["1栋"],
        motion_unit_codes=[p.code for p in PLACES if p.building == "1栋"],
    )
    motion_check(PLACES, item=item)


@pytest.mark.parametrize("item", sorted(FUND_ITEMS))
def test_fund_motion_with_a_smaller_列支范围_is_refused(item):
    found = breach(
        motion_check, PLACES, item=item, scope_buildings=["1栋"], motion_unit_codes=STAIR_1_1
    )
    assert (found.code, found.field, found.item) == ("fund_scope_differs", "motion_scope", item)


@pytest.mark.parametrize("item", sorted(FUND_ITEMS))
def test_fund_motion_with_a_larger_列支范围_is_refused(item):
    found = breach(
        motion_check, PLACES, item=item, scope_buildings=["1栋"], motion_buildings=["1栋", "2栋"]
    )
    assert found.code == "fund_scope_differs"


@pytest.mark.parametrize("item", sorted(FUND_ITEMS))
def test_fund_motion_area_wide_needs_the_whole_area(item):
    found = breach(motion_check, PLACES, item=item, scope_buildings=["1栋"])
    assert (found.code, found.item) == ("fund_area_wide", item)


def test_a_partial_列支范围_in_a_whole_area_assembly_is_refused():
    # RULES.md §2: fund use is voted over its 列支范围, not by owners who bear none of it.
    found = breach(motion_check, PLACES, item=5, motion_buildings=["1栋"])
    assert found.code == "fund_scope_differs"


def test_a_hand_picked_列支范围_is_refused():
    found = breach(
        motion_check,
        PLACES,
        item=5,
        scope_unit_codes=STAIR_1_1,
        motion_unit_codes=["1栋-1单元-101"],
    )
    assert (found.code, found.field) == ("hand_picked", "motion_scope")


def test_fund_motions_take_no_common_parts():
    found = breach(motion_check, PLACES, item=6, common_parts=["roads"])
    assert found.code == "no_parts_for_item"


# --------------------------------------------------------------------------- items 7–8


@pytest.mark.parametrize("item", sorted(WORKS_ITEMS))
def test_works_on_parts_shared_inside_the_scope_pass(item):
    motion_check(PLACES, item=item, scope_buildings=["1栋"], motion_buildings=["1栋"])
    motion_check(PLACES, item=item, scope_buildings=["1栋"], motion_unit_codes=STAIR_1_1)
    motion_check(PLACES, item=item, scope_buildings=["1栋", "2栋"], motion_buildings=["2栋"])


@pytest.mark.parametrize("item", sorted(WORKS_ITEMS))
def test_works_on_parts_shared_outside_the_scope_are_refused(item):
    found = breach(
        motion_check, PLACES, item=item, scope_unit_codes=STAIR_1_1, motion_buildings=["1栋"]
    )
    assert (found.code, found.field, found.item, found.names) == (
        "parts_outside",
        "motion_scope",
        item,
        ("1栋2单元",),
    )


@pytest.mark.parametrize("item", sorted(WORKS_ITEMS))
@pytest.mark.parametrize("part", sorted(AREA_WIDE_PARTS))
def test_area_wide_common_parts_need_the_whole_area(item, part):
    found = breach(
        motion_check,
        PLACES,
        item=item,
        scope_buildings=["1栋", "2栋"],
        motion_buildings=["1栋"],
        common_parts=[part],
    )
    assert (found.code, found.field, found.names) == (
        "area_wide_parts",
        "common_parts",
        (AREA_WIDE_PARTS[part],),
    )
    motion_check(PLACES, item=item, common_parts=[part])


@pytest.mark.parametrize("item", sorted(WORKS_ITEMS))
def test_works_naming_nothing_in_a_partial_scope_are_refused(item):
    found = breach(motion_check, PLACES, item=item, scope_buildings=["1栋"])
    assert found.code == "parts_not_named"


def test_works_naming_every_building_in_a_partial_scope_are_refused():
    found = breach(
        motion_check,
        PLACES,
        item=7,
        scope_buildings=["1栋", "2栋"],
        motion_buildings=["1栋", "2栋", "9栋"],
    )
    assert (found.code, found.names) == ("parts_outside", ("9栋1单元",))


def test_an_unknown_common_part_is_refused():
    assert breach(motion_check, PLACES, item=8, common_parts=["pool"]).code == "unknown_part"


# --------------------------------------------------------------------------- every combination


@pytest.mark.parametrize(
    "scope,item",
    list(itertools.product([None, "1栋", "9栋", "1栋+2栋"], range(1, 10))),
)
def test_every_item_against_every_scope_follows_the_table(scope, item):
    """Each item with its natural parts (its scope's own buildings) against each scope."""
    buildings = [] if scope is None else scope.split("+")
    allowed = scope is None or item in FUND_ITEMS | WORKS_ITEMS
    kwargs = {"motion_buildings": buildings} if item not in WHOLE_AREA_ITEMS else {}
    if allowed:
        motion_check(PLACES, item=item, scope_buildings=buildings, **kwargs)
    else:
        assert (
            breach(motion_check, PLACES, item=item, scope_buildings=buildings, **kwargs).code
            == "whole_area_item"
        )


def test_a_whole_area_item_in_a_partial_scope_is_refused_for_its_item_first():
    # The item is the real problem: naming parts does not make an election a building's business.
    found = breach(motion_check, PLACES, item=3, scope_buildings=["1栋"], motion_buildings=["1栋"])
    assert (found.code, found.field) == ("whole_area_item", "item")
