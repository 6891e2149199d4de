"""The voting roll: who counts, and how much (RULES.md §1). Pure: no Django import.

A *voting right* (表决权) is a group of units that votes as one: it has one head
and the summed exclusive area of its units. The rules are those of the Supreme
People's Court interpretation on 建筑物区分所有权 (SPC):

- **Area** (SPC art. 8): a unit counts with its registered area (不动产登记簿)
  if there is one, else its surveyed area (实测), else its contract area (合同).
- **Heads** (SPC art. 9): one unit is one head, except that all units of one
  buyer together are one head, and all units the developer has not sold, or
  has sold but not delivered, together are one head.

How we read art. 9 (a decision of ours, tested):

- "One buyer" is one *owner set*: the exact set of owner keys of a unit.
  Co-owners of a unit (e.g. spouses) share one voting right and cast one
  ballot. Units with the same owner set, however many, are one right.
- Owner sets are compared as sets, not per person: someone who owns unit X
  alone and unit Y jointly with a spouse belongs to two owner sets, {A} and
  {A, B}, hence to two voting rights. Merging them would let the spouse's
  share of Y ride on A's head, or the other way round; the register cannot
  tell us who decides for the joint unit, so the law's "同一买受人" is read as
  the identical buyer (set).
- The developer group (key ``"developer"``) holds every unit that is
  ``developer_held`` (not sold) or not ``delivered`` (sold, not handed over),
  whatever buyer names the register lists for it: until delivery the buyer
  has not yet taken possession (SPC art. 1 makes an unregistered buyer an
  owner only once they lawfully occupy the unit), so art. 9 counts the unit
  with the developer. One head, area = sum of those units.

The roll is computed over whatever units it is given: pass the units of a
scope (表决范围 / 列支范围, RULES.md §1) — see :func:`scope_filter` — and the
totals are over that scope only. A buyer with units in two buildings counts,
in a one-building scope, only the area inside it, and still one head.

The roll frozen when voting opens carries a SHA-256 digest of its canonical
listing (RULES.md §1) so later register edits can be detected; the digest
never depends on the order of the input.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property

__all__ = [
    "DEVELOPER_KEY",
    "Roll",
    "UnitRecord",
    "VotingRight",
    "area_basis",
    "build_roll",
    "canonical_json",
    "owner_set_key",
    "scope_filter",
]

DEVELOPER_KEY = "developer"
TWO_PLACES = Decimal("0.01")

# SPC art. 8: the order in which the three areas are tried.
_BASES = (
    ("registered", "registered_area"),
    ("surveyed", "surveyed_area"),
    ("contract", "contract_area"),
)


def _checked_area(code: str, name: str, value: object) -> Decimal | None:
    """Return ``value`` as a Decimal with exactly 2 places, or raise ValueError.

    Area is Decimal with 2 places, never float (DESIGN.md conventions); a value
    that would need rounding is refused rather than silently changed.
    """
    if value is None:
        return None
    if not isinstance(value, Decimal):
        raise TypeError(
            f"unit {code}: {name} must be a Decimal or None, not {type(value).__name__}"
        )
    if not value.is_finite() or value <= 0:
        raise ValueError(f"unit {code}: {name} must be greater than 0, got {value}")
    try:
        quantized = value.quantize(TWO_PLACES)
    except InvalidOperation as exc:
        raise ValueError(f"unit {code}: {name} {value} is out of range") from exc
    if quantized != value:
        raise ValueError(f"unit {code}: {name} {value} is not representable with 2 decimal places")
    return quantized


@dataclass(frozen=True)
class UnitRecord:
    """One unit (专有部分) as the roll sees it.

    ``owners`` are opaque, stable owner keys (in production the HMAC of the
    resident ID number); empty for a developer-held unit. ``building`` is the
    building the unit belongs to, used by :func:`scope_filter`; when not given
    it is the part of ``code`` before the first ``-`` (codes are
    ``楼栋-单元-房号``, see ``estates.register_csv``).

    Areas are validated on construction: each present area must be a
    Decimal > 0 representable with 2 places; they are stored with exactly 2.
    """

    code: str
    registered_area: Decimal | None = None
    surveyed_area: Decimal | None = None
    contract_area: Decimal | None = None
    owners: frozenset[str] = frozenset()
    delivered: bool = True
    developer_held: bool = False
    building: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise ValueError("a unit needs a non-empty code")
        for _basis, attr in _BASES:
            # Frozen: normalising the stored value needs object.__setattr__.
            object.__setattr__(self, attr, _checked_area(self.code, attr, getattr(self, attr)))
        if isinstance(self.owners, str):
            raise TypeError(f"unit {self.code}: owners must be a set of keys, not a string")
        owners = frozenset(self.owners)
        if any(not isinstance(key, str) or not key for key in owners):
            raise ValueError(f"unit {self.code}: owner keys must be non-empty strings")
        object.__setattr__(self, "owners", owners)
        if not self.building:
            object.__setattr__(self, "building", self.code.split("-", 1)[0])

    @property
    def in_developer_group(self) -> bool:
        """SPC art. 9: not sold, or sold and not delivered → the developer's one head."""
        return self.developer_held or not self.delivered


def area_basis(unit: UnitRecord) -> tuple[str, Decimal]:
    """The area a unit counts with and its basis, SPC art. 8 (RULES.md §1).

    Registered area if present, else surveyed, else contract. Returns
    ``("registered" | "surveyed" | "contract", area)``; ValueError if the unit
    has none of the three.
    """
    for basis, attr in _BASES:
        value = getattr(unit, attr)
        if value is not None:
            return basis, value
    raise ValueError(f"unit {unit.code} has no registered, surveyed or contract area")


def canonical_json(value: object) -> bytes:
    """Canonical JSON (DESIGN.md): UTF-8, keys sorted, separators ``,`` ``:``, no escapes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def owner_set_key(owners: Iterable[str]) -> str:
    """The stable key of an owner set: SHA-256 hex of the canonical JSON list of sorted keys.

    JSON (not a joined string) so that no two different sets can produce the
    same bytes, whatever characters the keys contain. Never equals
    :data:`DEVELOPER_KEY`.
    """
    return hashlib.sha256(canonical_json(sorted(set(owners)))).hexdigest()


def _area_str(area: Decimal) -> str:
    return str(area.quantize(TWO_PLACES))


@dataclass(frozen=True)
class VotingRight:
    """One voting right (表决权): one head, the summed area of its units."""

    key: str
    heads: int
    area: Decimal
    unit_codes: tuple[str, ...]
    is_developer: bool = False

    def __post_init__(self) -> None:
        # SPC art. 9: whatever a right groups, it is exactly one head.
        if self.heads != 1:
            raise ValueError(f"a voting right is exactly 1 head, got {self.heads}")
        if not self.unit_codes:
            raise ValueError("a voting right needs at least one unit")

    def listing(self) -> dict:
        """This right's entry in the canonical listing the roll digest is taken over."""
        return {
            "key": self.key,
            "heads": self.heads,
            "area": _area_str(self.area),
            "units": list(self.unit_codes),
        }


@dataclass(frozen=True)
class Roll:
    """The voting rights of a scope and their totals.

    ``rights`` are in the order of their first (smallest) unit code, which is
    unique per right, so the order never depends on the input order.
    ``unit_areas`` holds, per unit code (sorted), the basis and the area the
    unit counted with — what a snapshot stores beside the rights (RULES.md §1:
    keep which basis was used).
    """

    rights: tuple[VotingRight, ...]
    unit_areas: tuple[tuple[str, str, Decimal], ...] = field(default=())

    @cached_property
    def totals(self) -> dict:
        return {
            "rights": len(self.rights),
            "heads": sum(right.heads for right in self.rights),
            "area": sum((right.area for right in self.rights), Decimal("0.00")).quantize(
                TWO_PLACES
            ),
            "units": sum(len(right.unit_codes) for right in self.rights),
        }

    @cached_property
    def digest(self) -> str:
        """SHA-256 hex of the canonical JSON list of the rights' listings, sorted by key."""
        listing = [right.listing() for right in sorted(self.rights, key=lambda r: r.key)]
        return hashlib.sha256(canonical_json(listing)).hexdigest()

    def as_json(self) -> dict:
        """The roll as it appears on the public board (DESIGN.md "gongzhi-board/1")."""
        totals = self.totals
        return {
            "rights": totals["rights"],
            "heads": totals["heads"],
            "area": _area_str(totals["area"]),
            "units": totals["units"],
            "digest": self.digest,
        }

    @cached_property
    def _right_by_unit(self) -> dict[str, VotingRight]:
        return {code: right for right in self.rights for code in right.unit_codes}

    def right_of(self, unit_code: str) -> VotingRight:
        """The voting right a unit belongs to; KeyError if the unit is not in this roll."""
        return self._right_by_unit[unit_code]


def build_roll(units: Iterable[UnitRecord]) -> Roll:
    """Group units into voting rights (SPC arts. 8–9, RULES.md §1); see the module docstring.

    Raises ValueError for a duplicate unit code, a unit without any area, or
    an owned, delivered unit with no owner (it would have no one to vote).
    """
    seen: set[str] = set()
    groups: dict[str, list[tuple[str, Decimal]]] = {}
    developer_keys: set[str] = set()
    unit_areas: list[tuple[str, str, Decimal]] = []
    for unit in units:
        if unit.code in seen:
            raise ValueError(f"duplicate unit code: {unit.code}")
        seen.add(unit.code)
        basis, area = area_basis(unit)
        unit_areas.append((unit.code, basis, area))
        if unit.in_developer_group:
            # SPC art. 9: buyer names on a sold-but-undelivered unit are ignored.
            key = DEVELOPER_KEY
            developer_keys.add(key)
        elif unit.owners:
            key = owner_set_key(unit.owners)
        else:
            raise ValueError(f"unit {unit.code} is owned and delivered but lists no owner")
        groups.setdefault(key, []).append((unit.code, area))

    rights = [
        VotingRight(
            key=key,
            heads=1,
            area=sum((area for _code, area in members), Decimal("0.00")).quantize(TWO_PLACES),
            unit_codes=tuple(sorted(code for code, _area in members)),
            is_developer=key in developer_keys,
        )
        for key, members in groups.items()
    ]
    rights.sort(key=lambda right: right.unit_codes[0])
    unit_areas.sort(key=lambda item: item[0])
    return Roll(rights=tuple(rights), unit_areas=tuple(unit_areas))


def scope_filter(
    units: Iterable[UnitRecord],
    buildings: Iterable[str] | None = None,
    unit_codes: Iterable[str] | None = None,
) -> list[UnitRecord]:
    """The units of a scope (表决范围 / 列支范围, RULES.md §1), in input order.

    With neither argument: every unit (the whole management area). Otherwise
    a unit is in scope if its building is in ``buildings`` **or** its code is
    in ``unit_codes`` (a 列支范围 may be "building 3 and the shop 5栋-1单元-101";
    a unit stair is given as its unit codes). A building or unit code that
    matches no unit raises ValueError: a typo must not silently shrink the
    scope, and with it the quorum.
    """
    all_units = list(units)
    if buildings is None and unit_codes is None:
        return all_units
    wanted_buildings = set(buildings or ())
    wanted_codes = set(unit_codes or ())
    missing_buildings = wanted_buildings - {unit.building for unit in all_units}
    if missing_buildings:
        raise ValueError(f"no unit in building(s): {', '.join(sorted(missing_buildings))}")
    missing_codes = wanted_codes - {unit.code for unit in all_units}
    if missing_codes:
        raise ValueError(f"unknown unit code(s): {', '.join(sorted(missing_codes))}")
    return [
        unit for unit in all_units if unit.building in wanted_buildings or unit.code in wanted_codes
    ]
