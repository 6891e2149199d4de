"""Turnout help for the convener: turnout by building and unit-stair, and a projection.

Pure: standard library only (like ``voting.counting``), integers throughout —
heads as ints, areas as hundredths of m², time as whole seconds — so every
figure is tested exactly.

**Per building / per stair** (RULES.md §1 "Heads", SPC art. 9). A group's
figures are those of the roll the group would have if it were the scope on
its own: its heads are the voting rights with at least one unit in it (a
buyer with units in two buildings is one head in each, as a vote over either
building alone would count them), its area the areas of its own units. So
the groups' heads may add up to more than the whole roll's; each group is
right for a door-to-door round in that group. A right that has voted counts
as voted in every group it has units in. The ⅔ line of a group is the
smallest number meeting 3·P ≥ 2·T (``voting.counting``), and "还差" is how
many more heads / how much more area that needs.

**Projection** (the convener's "when would we get there"): the pace is what
was cast since voting opened divided by the time elapsed; at that pace a line
is reached when the missing part has been cast. Computed per line (heads, area)
in whole seconds, rounded up: reached at ``now + ceil(missing × elapsed / cast)``.
No pace (nothing cast yet, or no time elapsed) or a moment past the close is
"cannot be reached before the close at the current pace".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

REACHED = "reached"
ON_PACE = "on_pace"
NOT_BEFORE_CLOSE = "not_before_close"


def two_thirds_line(total: int) -> int:
    """Smallest P with 3·P ≥ 2·T (``voting.counting._min_quorum``; Civil Code art. 278)."""
    return (2 * total + 2) // 3


@dataclass(frozen=True)
class RightUnits:
    """One voting right of the frozen roll: its heads, whether it voted, and its units as
    (building, stair, area in hundredths of m²)."""

    heads: int
    voted: bool
    units: tuple[tuple[str, str, int], ...]


@dataclass
class Group:
    """Turnout of one building or stair against its own ⅔ lines."""

    key: tuple[str, ...]
    heads: int = 0
    area: int = 0
    voted_heads: int = 0
    voted_area: int = 0
    rights: int = 0
    rights_voted: int = 0
    _seen: set = field(default_factory=set, repr=False)

    @property
    def line_heads(self) -> int:
        return two_thirds_line(self.heads)

    @property
    def line_area(self) -> int:
        return two_thirds_line(self.area)

    @property
    def need_heads(self) -> int:
        return max(0, self.line_heads - self.voted_heads)

    @property
    def need_area(self) -> int:
        return max(0, self.line_area - self.voted_area)

    @property
    def met(self) -> bool:
        return self.heads > 0 and self.need_heads == 0 and self.need_area == 0


def natural_key(text: str) -> tuple:
    # "2栋" before "10栋": digits compare as numbers.
    parts: list = []
    number = ""
    for char in text:
        if char.isdigit():
            number += char
            continue
        if number:
            parts.append((0, int(number), ""))
            number = ""
        parts.append((1, 0, char))
    if number:
        parts.append((0, int(number), ""))
    return tuple(parts)


def group_turnout(rights: Iterable[RightUnits], *, by_stair: bool) -> list[Group]:
    """Turnout per building (``by_stair`` False) or per (building, stair), naturally sorted."""
    groups: dict[tuple[str, ...], Group] = {}
    for index, right in enumerate(rights):
        for building, stair, area in right.units:
            key = (building, stair) if by_stair else (building,)
            group = groups.setdefault(key, Group(key=key))
            group.area += area
            if right.voted:
                group.voted_area += area
            if index not in group._seen:
                group._seen.add(index)
                group.rights += 1
                group.heads += right.heads
                if right.voted:
                    group.rights_voted += 1
                    group.voted_heads += right.heads
    return [groups[key] for key in sorted(groups, key=lambda k: tuple(natural_key(p) for p in k))]


@dataclass(frozen=True)
class Projection:
    state: str  # REACHED, ON_PACE, NOT_BEFORE_CLOSE
    at: datetime | None = None  # when ON_PACE
    line: int = 0
    missing: int = 0


def project(
    *, cast: int, total: int, opened_at: datetime, now: datetime, closes_at: datetime
) -> Projection:
    """When ``cast`` of ``total`` reaches the ⅔ line at the pace since ``opened_at`` (module
    docstring). ``cast`` and ``total`` in one unit: heads, or hundredths of m²."""
    line = two_thirds_line(total)
    if total > 0 and cast >= line:
        return Projection(REACHED, line=line)
    missing = line - cast
    elapsed = (now - opened_at) // timedelta(seconds=1)
    if cast <= 0 or elapsed <= 0 or total <= 0:
        return Projection(NOT_BEFORE_CLOSE, line=line, missing=missing)
    seconds = -(-missing * elapsed // cast)  # ceiling
    at = now + timedelta(seconds=seconds)
    if at > closes_at:
        return Projection(NOT_BEFORE_CLOSE, line=line, missing=missing)
    return Projection(ON_PACE, at=at, line=line, missing=missing)


def per_day(cast: int, *, opened_at: datetime, now: datetime) -> tuple[int, int]:
    """The pace as a whole and hundredths per day, rounded down: 30 ballots in 4 days → (7, 50)."""
    elapsed = (now - opened_at) // timedelta(seconds=1)
    if elapsed <= 0:
        return (0, 0)
    hundredths = cast * 86400 * 100 // elapsed
    return (hundredths // 100, hundredths % 100)


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the first character only (DESIGN.md "Personal data")."""
    name = (name or "").strip()
    if not name:
        return "*"
    return name[0] + "*" * max(1, len(name) - 1)
