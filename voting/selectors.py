"""Reads of the voting app: lists, an owner's rights and receipts, live progress, the board lookup.

Permission checks stay with the callers (views and API, through
``accounts.permissions``), except where a read itself is restricted by the
rules: a ballot's voting right is read only through ``services.ballot_trace``.

Live progress (RULES.md §2–3): per motion, participation against the 2/3
lines and approval against the threshold, by heads and by area, computed by
the same ``voting.counting`` that decides the result, over the ballots cast
so far and the frozen roll. Areas are integer hundredths of m² (``*_cents``)
for drawing and two-decimal strings for showing; a percentage is given in
basis points (1/100 of a percent), never as a float.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from core.errors import DomainError
from estates.browse import DashboardFlag
from voting import counting
from voting.board_store import PUBLIC_STATUSES
from voting.models import (
    Assembly,
    Ballot,
    Candidate,
    Motion,
    Objection,
    RollSnapshot,
    VotingRight,
)
from voting.services.assemblies import assembly_scope_check, places_of
from voting.services.ballots import person_of
from voting.services.common import earliest_open_at


def assemblies_for(user, action: str = "assembly.view_progress") -> QuerySet:
    """Assemblies of the areas where ``user`` may take ``action``, newest first."""
    return (
        Assembly.objects.filter(area__in=permissions.areas_for(user, action))
        .select_related("area")
        .order_by("-opens_at", "-pk")
    )


def assembly_detail(pk: int) -> Assembly:
    """One assembly with what its pages show (raises Assembly.DoesNotExist)."""
    return (
        Assembly.objects.select_related(
            "area", "notice_publication", "preliminary_publication", "final_publication"
        )
        .prefetch_related(
            Prefetch(
                "motions",
                queryset=Motion.objects.order_by("position").prefetch_related(
                    Prefetch("candidates", queryset=Candidate.objects.order_by("position"))
                ),
            ),
            "attachments",
        )
        .get(pk=pk)
    )


def notice_earliest_open(now: datetime | None = None) -> datetime:
    """If the notice were published now, the first moment voting could open (core.periods)."""
    return earliest_open_at(now or timezone.now())


def rights_for(user, assembly: Assembly) -> list[VotingRight]:
    """The frozen-roll rights ``user``'s person holds in ``assembly``, each with ``.ballot``
    (the cast ballot or None). Empty before opening and for anyone not on the roll."""
    person = person_of(user)
    if person is None:
        return []
    rights = list(
        VotingRight.objects.filter(assembly=assembly, holder_rows__person=person).order_by(
            "position"
        )
    )
    ballots = {b.right_id: b for b in Ballot.objects.filter(right__in=rights)}
    for right in rights:
        right.ballot = ballots.get(right.pk)
    return rights


def ballots_of(user) -> QuerySet:
    """Ballots cast for the rights ``user``'s person holds, in any assembly (the owner's receipts)."""
    person = person_of(user)
    if person is None:
        return Ballot.objects.none()
    return (
        Ballot.objects.filter(right__holder_rows__person=person)
        .select_related("assembly", "assembly__area", "right")
        .order_by("-cast_at")
    )


def receipt(ballot: Ballot) -> dict:
    """What the owner keeps: the tracker to look up on the board and the ballot's hash."""
    return {
        "assembly": ballot.assembly_id,
        "seq": ballot.seq,
        "tracker": ballot.tracker,
        "hash": ballot.hash,
        "channel": ballot.channel,
        "cast_at": ballot.cast_at,
        "choices": ballot.choices,
    }


def unvoted_rights(assembly: Assembly) -> QuerySet:
    """Rights of the frozen roll without a ballot (for the committee's paper entry list)."""
    return (
        VotingRight.objects.filter(assembly=assembly)
        .exclude(Exists(Ballot.objects.filter(right=OuterRef("pk"))))
        .order_by("position")
    )


def right_by_unit(assembly: Assembly, unit_code: str) -> VotingRight | None:
    """The frozen right a unit belongs to (paper entry looks a sheet up by its unit)."""
    code = (unit_code or "").strip()
    for right in VotingRight.objects.filter(assembly=assembly).only("unit_codes", "position"):
        if code in right.unit_codes:
            return VotingRight.objects.get(pk=right.pk)
    return None


def board_lookup(assembly: Assembly, tracker: str, *, now: datetime | None = None) -> dict | None:
    """The public board entry with this tracker, once voting has closed (None otherwise)."""
    if assembly.current_status(now) not in PUBLIC_STATUSES:
        return None
    ballot = Ballot.objects.filter(
        assembly=assembly, tracker=(tracker or "").strip().lower()
    ).first()
    return ballot.board_entry() if ballot else None


def objections_of(assembly: Assembly) -> QuerySet:
    return (
        Objection.objects.filter(assembly=assembly)
        .select_related("motion")
        .order_by("filed_at", "pk")
    )


# --------------------------------------------------------------------------- progress


def _bps(part: int, whole: int) -> int:
    """``part / whole`` in basis points (1/100 of a percent), rounded down; 0 for an empty whole."""
    return 0 if whole <= 0 else part * 10000 // whole


def _line(value: int, total: int, line: int) -> dict:
    return {
        "value": value,
        "total": total,
        "line": line,
        "met": value >= line if total else False,
        "value_bps": _bps(value, total),
        "line_bps": _bps(line, total),
    }


def motion_progress(motion: Motion, count: dict) -> dict:
    """Bars of one motion: participation vs. the 2/3 line, approval vs. its threshold.

    ``count`` is ``voting.counting.count_motion``'s result. The approval
    line is the smallest approving number that passes (ordinary: more than
    half, special: three quarters) of those taking part so far.
    """
    total = count["total"]
    participating = count["participating"]
    approving = count[counting.APPROVE]
    lines = count["thresholds"]
    cents = counting.area_to_cents
    return {
        "motion": motion,
        "count": count,
        "participation": {
            "heads": _line(participating["heads"], total["heads"], lines["quorum"]["heads"]),
            "area": _line(
                cents(participating["area"]), cents(total["area"]), cents(lines["quorum"]["area"])
            ),
            "met": count["quorum"],
        },
        "approval": {
            "heads": _line(approving["heads"], participating["heads"], lines["approval"]["heads"]),
            "area": _line(
                cents(approving["area"]),
                cents(participating["area"]),
                cents(lines["approval"]["area"]),
            ),
        },
        "outcome": count["outcome"],
    }


def weighed_ballots(assembly: Assembly) -> tuple[list[dict], int]:
    """The cast ballots with identical choices weighed together, and how many were cast.

    Counting is a sum of weights per answer (``voting.counting``), so the
    ballots that answered alike can be added up first: a few hundred groups
    instead of tens of thousands of ballots, with the same result to the cent
    and the head (tested against the board's per-ballot count). Choices are
    read as JSON text and grouped on it, so only one ballot per group is
    decoded; areas are summed as ``Decimal`` in Python — never in the
    database, where SQLite would add them as binary floats.
    """
    groups: dict[str, list] = {}
    cast = 0
    rows = (
        Ballot.objects.filter(assembly=assembly)
        .annotate(choices_text=Cast("choices", TextField()))
        .values_list("heads", "area", "choices_text")
    )
    for heads, area, text in rows.iterator(chunk_size=5000):
        cast += 1
        group = groups.get(text)
        if group is None:
            groups[text] = [heads, area]
        else:
            group[0] += heads
            group[1] += area
    weighed = [
        {"heads": heads, "area": area, "choices": json.loads(text)}
        for text, (heads, area) in groups.items()
    ]
    return weighed, cast


def assembly_progress(assembly: Assembly, *, now: datetime | None = None) -> dict | None:
    """Live count of an opened assembly (module docstring); None before its roll is frozen."""
    snapshot = RollSnapshot.objects.filter(assembly=assembly).first()
    if snapshot is None:
        return None
    totals = snapshot.totals()
    ballots, cast_count = weighed_ballots(assembly)
    motions = list(assembly.motions.prefetch_related("candidates").order_by("position"))
    rows = []
    for motion in motions:
        board_motion = {
            "id": motion.code,
            "kind": motion.kind,
            "seats": motion.seats,
            "options": motion.options(),
        }
        rows.append(motion_progress(motion, counting.count_motion(board_motion, ballots, totals)))
    cast = counting.Totals()
    for ballot in ballots:
        cast += counting.Totals(ballot["heads"], counting.area_to_cents(ballot["area"]))
    return {
        "status": assembly.current_status(now),
        "rights": snapshot.rights,
        "ballots": cast_count,
        "total": totals.as_dict(),
        "cast": cast.as_dict(),
        "cast_bps": {
            "heads": _bps(cast.heads, totals.heads),
            "area": _bps(cast.area_cents, totals.area_cents),
        },
        "digest": snapshot.digest,
        "motions": rows,
    }


# --------------------------------------------------------------------------- scope rule


# An assembly past its notice (cancelled ones aside): what owners were or are asked to decide.
NOTICED_ON = (
    Assembly.Status.NOTICED,
    Assembly.Status.OPEN,
    Assembly.Status.CLOSED,
    Assembly.Status.PRELIMINARY,
    Assembly.Status.FINAL,
)


@dataclass(frozen=True)
class ScopeBreach:
    assembly: Assembly
    reason: str


def scope_breaches(areas) -> list[ScopeBreach]:
    """Noticed, open, closed or decided assemblies of ``areas`` that break the scope rule.

    RULES.md §1 "Scope": the rule is refused when a motion is added and at
    notice (``services.assemblies``), but assemblies noticed before it — or a
    register edit since — may break it: a partial scope of hand-picked units,
    a committee elected or a property company fired by one building. They
    are flagged to the bureau (the district dashboard), never changed here:
    what was noticed and voted stays as it was.
    """
    found: list[ScopeBreach] = []
    places: dict[int, list] = {}
    assemblies = (
        Assembly.objects.filter(area__in=areas, status__in=NOTICED_ON)
        .select_related("area")
        .prefetch_related("motions")
        .order_by("area__code", "opens_at", "pk")
    )
    for assembly in assemblies:
        if assembly.area_id not in places:
            places[assembly.area_id] = places_of(assembly.area)
        try:
            assembly_scope_check(assembly, places=places[assembly.area_id])
        except DomainError as error:
            found.append(ScopeBreach(assembly=assembly, reason=error.message))
    return found


def scope_breach_flags(areas) -> list:
    """``scope_breaches`` as rows of the district dashboard (registered in ``voting.apps``)."""

    return [
        DashboardFlag(
            area=breach.assembly.area,
            title=_("业主大会会议“%(title)s”（%(status)s）不符合表决范围规则")
            % {
                "title": breach.assembly.title,
                "status": breach.assembly.current_status_label(),
            },
            reason=breach.reason,
            url=reverse("voting:progress", kwargs={"pk": breach.assembly.pk}),
        )
        for breach in scope_breaches(areas)
    ]
