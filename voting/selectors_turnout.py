"""Reads of the convener's turnout help (issue #16; the maths is ``voting.turnout``).

Everything is over the **frozen roll** (RULES.md §1): the rights, their units
and the areas they counted with (``RollSnapshot.unit_areas``), and whether
each right has a ballot. Where a unit stands (building, 单元) is read from the
register by its code — the one thing the snapshot does not store, and not a
thing a sale or an area correction changes.

RULES.md §3: the convener may know whether a right voted, never how. Nothing
here reads a ballot's choices: only which rights have a ballot. Callers check
that the user is the convener (``assembly.call``) before calling.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from estates.models import Unit
from voting import counting, turnout
from voting.models import Assembly, Ballot, RollSnapshot, VotingRight, VotingRightHolder


def _rows(assembly: Assembly, snapshot: RollSnapshot) -> list[dict]:
    areas = {code: counting.area_to_cents(area) for code, _basis, area in snapshot.unit_areas}
    places = {
        code: (building, stair)
        for code, building, stair in Unit.objects.filter(
            area_id=assembly.area_id, code__in=list(areas)
        ).values_list("code", "building__name", "stair")
    }
    voted = set(Ballot.objects.filter(assembly=assembly).values_list("right_id", flat=True))
    names: dict[int, list[str]] = {}
    for right_id, name in (
        VotingRightHolder.objects.filter(right__assembly=assembly)
        .order_by("right_id", "person__name", "person_id")
        .values_list("right_id", "person__name")
    ):
        names.setdefault(right_id, []).append(name)
    rows = []
    for right in VotingRight.objects.filter(assembly=assembly).order_by("position"):
        units = tuple(
            (*places.get(code, ("", "")), areas.get(code, 0)) for code in right.unit_codes
        )
        rows.append(
            {
                "pk": right.pk,
                "position": right.position,
                "unit_codes": list(right.unit_codes),
                "heads": right.heads,
                "area": counting.area_to_cents(right.area),
                "is_developer": right.is_developer,
                "voted": right.pk in voted,
                "owners": [turnout.mask_name(n) for n in names.get(right.pk, [])],
                "units": units,
            }
        )
    return rows


def turnout_help(assembly: Assembly, *, now: datetime | None = None) -> dict | None:
    """Turnout by building and stair, the rights not voted yet, and the projection of both
    ⅔ lines; None before the roll is frozen."""
    snapshot = RollSnapshot.objects.filter(assembly=assembly).first()
    if snapshot is None:
        return None
    now = now or timezone.now()
    rows = _rows(assembly, snapshot)
    rights = [turnout.RightUnits(r["heads"], r["voted"], r["units"]) for r in rows]
    total = snapshot.totals()
    cast_heads = sum(r["heads"] for r in rows if r["voted"])
    cast_area = sum(r["area"] for r in rows if r["voted"])
    # The pace runs from the moment voting opened, not from when the roll happened to freeze.
    start = assembly.opens_at
    end = min(now, assembly.closes_at)
    return {
        "snapshot": snapshot,
        "total": total,
        "cast": {"heads": cast_heads, "area": cast_area, "ballots": sum(r["voted"] for r in rows)},
        "buildings": turnout.group_turnout(rights, by_stair=False),
        "stairs": turnout.group_turnout(rights, by_stair=True),
        "unvoted": [r for r in rows if not r["voted"]],
        "projection": {
            "heads": turnout.project(
                cast=cast_heads,
                total=total.heads,
                opened_at=start,
                now=end,
                closes_at=assembly.closes_at,
            ),
            "area": turnout.project(
                cast=cast_area,
                total=total.area_cents,
                opened_at=start,
                now=end,
                closes_at=assembly.closes_at,
            ),
        },
        "pace": turnout.per_day(sum(r["voted"] for r in rows), opened_at=start, now=end),
    }


def reminder_recipients(assembly: Assembly) -> tuple[int, list[int]]:
    """(rights of the frozen roll without a ballot, the persons a reminder goes to).

    Our decision (docs/committee.md): every holder of a right not yet voted who
    has a phone in the register — co-owners all get it, bound to a login or not
    (the register's phone is how the notice reached them too); one text per
    person and round (``TextSend`` rows are per person), however many such
    rights the person holds. The developer's right has no holders and gets no
    text: its representative is asked in person.
    """
    unvoted = VotingRight.objects.filter(assembly=assembly).exclude(
        pk__in=Ballot.objects.filter(assembly=assembly).values("right_id")
    )
    people = (
        VotingRightHolder.objects.filter(right__in=unvoted)
        .exclude(person__phone="")
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
    )
    return unvoted.count(), list(people)
