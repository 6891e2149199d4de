"""Which matters a partial scope may decide (RULES.md §1 "Scope"). Pure: no Django import.

A scope (表决范围) is the whole management area (业主大会) or a 列支范围 within
it. The rules (RULES.md §1; the Civil Code does not spell them out, so the
partial-scope limits are our policy, written down there):

- A partial scope is made of whole buildings (楼栋) or whole unit stairs
  (单元): its unit codes, outside the buildings it names, must cover every
  unit of each stair they touch. Hand-picked units are refused — a scope of
  "the developer's unsold unit" or "the units that will vote yes" would let
  a few owners decide for everyone who shares the same parts.
- A scope that covers every unit of the area *is* the whole area, however it
  is written (all buildings listed, or every unit code).
- Civil Code art. 278 para 1 items 1–4 (rules of procedure, management
  statute, the committee, the property company) and item 9 (other major
  matters) are the whole area's business: a partial scope may not carry them.
- Items 5–6 (using and raising the maintenance fund, Order 165 arts. 20–22):
  the motion's 列支范围 equals the assembly's scope — the owners who bear the
  cost are the owners who vote (RULES.md §2: "voted over the 列支范围"). A fund
  raised area-wide has the whole area as its 列支范围, hence needs the whole
  area.
- Items 7–8 (rebuilding or altering buildings and facilities; changing the
  use of common parts or running business on them): the motion names the
  buildings or unit stairs whose common parts it concerns, or area-wide
  common parts (roads, green space, clubhouse, garage common parts); every
  unit sharing them must be in the scope, so an area-wide part needs the
  whole area and a motion naming nothing needs the whole area.

A refusal is a :class:`ScopeBreach` carrying a :class:`Breach`: a stable
``code``, the input ``field`` it concerns, the art. 278 ``item`` and the
offending ``names``; the service turns it into a person's message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "AREA_WIDE_PARTS",
    "FUND_ITEMS",
    "WHOLE_AREA_ITEMS",
    "WORKS_ITEMS",
    "Breach",
    "Place",
    "ScopeBreach",
    "motion_check",
    "scope_units",
]

# Civil Code art. 278 para 1: the items only the whole area decides (RULES.md §1).
WHOLE_AREA_ITEMS = frozenset({1, 2, 3, 4, 9})
# Items 5 (use) and 6 (raise) of the fund: voted over their 列支范围.
FUND_ITEMS = frozenset({5, 6})
# Items 7 (rebuild/alter) and 8 (change use of common parts): voted by all who share the parts.
WORKS_ITEMS = frozenset({7, 8})

# Common parts shared by every unit of the area (RULES.md §1): naming one needs the whole area.
AREA_WIDE_PARTS: dict[str, str] = {
    "roads": "小区道路",
    "green": "绿地",
    "clubhouse": "会所",
    "garage": "车库共有部分",
}


@dataclass(frozen=True)
class Place:
    """Where a unit is: its code, its building and its unit stair (单元) in that building."""

    code: str
    building: str
    stair: str


@dataclass(frozen=True)
class Breach:
    """Why a scope or a motion breaks the rule (module docstring)."""

    code: str
    field: str
    item: int | None = None
    names: tuple[str, ...] = ()


class ScopeBreach(ValueError):
    def __init__(self, breach: Breach):
        super().__init__(f"{breach.code} ({breach.field}): {', '.join(breach.names)}")
        self.breach = breach


def _stair_label(building: str, stair: str) -> str:
    return f"{building}{stair}"


def scope_units(
    places: Iterable[Place],
    buildings: Iterable[str] = (),
    unit_codes: Iterable[str] = (),
    *,
    field: str = "scope",
) -> frozenset[str] | None:
    """The unit codes of a scope, or ``None`` when it is the whole area.

    Both lists empty, or lists that cover every unit of the area, are the
    whole area. Raises :class:`ScopeBreach` for a building or unit code that
    names no unit (``unknown``: a typo must not shrink the scope) and for unit
    codes that do not make up whole stairs (``hand_picked``, naming each stair
    that is only partly listed).
    """
    everything = list(places)
    wanted_buildings = set(buildings)
    wanted_codes = set(unit_codes)
    if not wanted_buildings and not wanted_codes:
        return None
    known_buildings = {p.building for p in everything}
    known_codes = {p.code for p in everything}
    unknown = sorted(wanted_buildings - known_buildings) + sorted(wanted_codes - known_codes)
    if unknown:
        raise ScopeBreach(Breach("unknown", field, names=tuple(unknown)))
    in_scope = frozenset(
        p.code for p in everything if p.building in wanted_buildings or p.code in wanted_codes
    )
    stairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for place in everything:
        stairs[(place.building, place.stair)].append(place.code)
    touched = {(p.building, p.stair) for p in everything if p.code in wanted_codes}
    partial = sorted(
        _stair_label(*stair)
        for stair in touched
        if not all(code in in_scope for code in stairs[stair])
    )
    if partial:
        raise ScopeBreach(Breach("hand_picked", field, names=tuple(partial)))
    if in_scope == known_codes:
        return None
    return in_scope


def motion_check(
    places: Iterable[Place],
    *,
    item: int,
    scope_buildings: Iterable[str] = (),
    scope_unit_codes: Iterable[str] = (),
    motion_buildings: Iterable[str] = (),
    motion_unit_codes: Iterable[str] = (),
    common_parts: Iterable[str] = (),
) -> None:
    """Raise :class:`ScopeBreach` unless a motion of art. 278 ``item`` may be put to the scope.

    ``scope_*``: the assembly's scope. ``motion_*``: for items 5–6 the
    motion's 列支范围 (both empty = the whole area); for items 7–8 the
    buildings and unit stairs whose common parts the motion concerns.
    ``common_parts``: keys of :data:`AREA_WIDE_PARTS` (items 7–8 only).
    Items 1–4 and 9 take neither. The module docstring has the rules.
    """
    everything = list(places)
    motion_buildings, motion_unit_codes = list(motion_buildings), list(motion_unit_codes)
    common_parts = list(common_parts)
    if item not in WHOLE_AREA_ITEMS | FUND_ITEMS | WORKS_ITEMS:
        raise ScopeBreach(Breach("bad_item", "item", item=item))
    scope = scope_units(everything, scope_buildings, scope_unit_codes, field="scope")
    unknown_parts = sorted(set(common_parts) - set(AREA_WIDE_PARTS))
    if unknown_parts:
        raise ScopeBreach(Breach("unknown_part", "common_parts", item, tuple(unknown_parts)))
    if item in WHOLE_AREA_ITEMS:
        if scope is not None:
            raise ScopeBreach(Breach("whole_area_item", "item", item))
        if motion_buildings or motion_unit_codes or common_parts:
            # A rule of procedure or an election has no 列支范围 and no parts.
            raise ScopeBreach(Breach("no_parts_for_item", "motion_scope", item))
        return
    named = scope_units(everything, motion_buildings, motion_unit_codes, field="motion_scope")
    if item in FUND_ITEMS:
        if common_parts:
            raise ScopeBreach(Breach("no_parts_for_item", "common_parts", item))
        if named != scope:
            # RULES.md §1: for items 5–6 the motion's 列支范围 equals the assembly's scope.
            code = "fund_area_wide" if named is None else "fund_scope_differs"
            raise ScopeBreach(Breach(code, "motion_scope", item))
        return
    # Items 7–8: every unit sharing the named parts is in the scope.
    if scope is None:
        return
    if common_parts:
        names = tuple(AREA_WIDE_PARTS[key] for key in sorted(common_parts))
        raise ScopeBreach(Breach("area_wide_parts", "common_parts", item, names))
    if not (motion_buildings or motion_unit_codes):
        raise ScopeBreach(Breach("parts_not_named", "motion_scope", item))
    outside = (named if named is not None else {p.code for p in everything}) - scope
    if outside:
        stairs = sorted(
            {_stair_label(p.building, p.stair) for p in everything if p.code in outside}
        )
        raise ScopeBreach(Breach("parts_outside", "motion_scope", item, tuple(stairs)))
