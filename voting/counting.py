"""Counting a vote: the tests of RULES.md §2 as pure functions.

No Django import and nothing outside the standard library: the public
verifier (``python -m voting.verifier``) re-counts a board with exactly this
code on a machine that has no Django (DESIGN.md "The public ballot board").

Arithmetic is integer only. Areas travel as ``Decimal`` or as decimal strings
("89.50") and are turned into integer hundredths of a square metre (cents of
m²) on the way in; every ratio of RULES §2 is compared cross-multiplied, so
"at least two thirds" is ``3·P ≥ 2·T`` and never a float division.

With T = totals of the scope (the frozen roll), P = those who took part in
the motion and A = those who approved it (Civil Code art. 278 para 2):

- quorum:   3·P.area ≥ 2·T.area and 3·P.heads ≥ 2·T.heads ("以上" includes the
  number, art. 1259);
- ordinary: 2·A.area > P.area and 2·A.heads > P.heads ("过半数" is strictly more
  than half) — items 1–5 and 9 of art. 278 para 1;
- special:  4·A.area ≥ 3·P.area and 4·A.heads ≥ 3·P.heads — items 6–8.

Decisions of ours (documented here because the law leaves them open):

- A ballot takes part in a motion when the motion appears in its ``choices``;
  a motion missing from a ballot means that ballot did not take part in it.
  Abstain (弃权) and invalid (无效) take part and never approve (RULES §2).
- An empty roll (T.heads == 0) decides nothing: quorum needs at least one
  participant. With T.heads > 0 this adds nothing to the 2/3 test.
- Elections (item 3) use approval ballots: a ballot's choice is the list of
  candidate ids it approves (at most ``seats``), or the string "abstain" or
  "invalid". A list longer than ``seats``, naming an unknown candidate, or
  naming one twice is a spoiled ballot for that motion: it takes part and
  approves nobody (counted under "invalid"). An empty list takes part and
  approves nobody (counted under "reject": it approved none of them).
  Under "approve" an election counts the ballots that approved at least one
  candidate; per-candidate approvals are under "candidates".
- An election whose motion met quorum has the outcome "elected", even when no
  candidate passes (then ``elected`` is empty); without quorum it is
  "no_quorum" and nobody passes.
- Seats go to passing candidates ranked by approving heads, then approving
  area (RULES §2). When the last seats fall inside a group tied on both,
  ``elected`` holds only the candidates certain of a seat, ``tie`` is true,
  ``tied`` lists the tied group and ``tied_seats`` the seats left for it: a
  tie is reported, never broken silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

ORDINARY = "ordinary"
SPECIAL = "special"
ELECTION = "election"
KINDS = (ORDINARY, SPECIAL, ELECTION)

APPROVE = "approve"
REJECT = "reject"
ABSTAIN = "abstain"
INVALID = "invalid"
CHOICES = (APPROVE, REJECT, ABSTAIN, INVALID)
# The strings an election ballot may carry instead of a list of candidates.
ELECTION_WORDS = (ABSTAIN, INVALID)

APPROVED = "approved"
REJECTED = "rejected"
NO_QUORUM = "no_quorum"
ELECTED = "elected"


def area_to_cents(value: Decimal | str) -> int:
    """Area in m² (``Decimal`` or decimal string, at most 2 places) → integer cents of m².

    Floats are refused outright: an area that went through a float may
    already be off by a cent, and a vote can turn on one cent.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | str):
        raise TypeError(f"area must be a Decimal or a decimal string, not {type(value).__name__}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"area {value!r} is not a decimal number") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"area {value!r} must be a finite number ≥ 0")
    cents = number.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"area {value!r} has more than two decimal places")
    return int(cents)


def cents_to_area(cents: int) -> str:
    """Integer cents of m² → the two-decimal string of the board ("2729.45")."""
    if isinstance(cents, bool) or not isinstance(cents, int) or cents < 0:
        raise ValueError(f"area cents must be an int ≥ 0, got {cents!r}")
    return f"{cents // 100}.{cents % 100:02d}"


@dataclass(frozen=True)
class Totals:
    """Heads and area (in cents of m²) of a group of voting rights."""

    heads: int = 0
    area_cents: int = 0

    @classmethod
    def of(cls, *, heads: int, area: Decimal | str) -> Totals:
        return cls(heads=heads, area_cents=area_to_cents(area))

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.heads + other.heads, self.area_cents + other.area_cents)

    def as_dict(self) -> dict:
        return {"heads": self.heads, "area": cents_to_area(self.area_cents)}


def quorum_met(total: Totals, participating: Totals) -> bool:
    """3·P ≥ 2·T by area and by heads (Civil Code art. 278 para 2; art. 1259)."""
    if participating.heads == 0:
        # An empty roll decides nothing (see the module docstring).
        return False
    return (
        3 * participating.area_cents >= 2 * total.area_cents
        and 3 * participating.heads >= 2 * total.heads
    )


def ordinary_passes(participating: Totals, approving: Totals) -> bool:
    """2·A > P by area and by heads: strictly more than half (过半数, art. 278 para 2)."""
    return (
        2 * approving.area_cents > participating.area_cents
        and 2 * approving.heads > participating.heads
    )


def special_passes(participating: Totals, approving: Totals) -> bool:
    """4·A ≥ 3·P by area and by heads: three quarters or more (art. 278 para 2; art. 1259)."""
    return (
        4 * approving.area_cents >= 3 * participating.area_cents
        and 4 * approving.heads >= 3 * participating.heads
    )


def _min_quorum(total: int) -> int:
    # Smallest P with 3·P ≥ 2·T, i.e. ceil(2T/3).
    return (2 * total + 2) // 3


def _min_ordinary(participating: int) -> int:
    # Smallest A with 2·A > P, i.e. floor(P/2) + 1.
    return participating // 2 + 1


def _min_special(participating: int) -> int:
    # Smallest A with 4·A ≥ 3·P, i.e. ceil(3P/4).
    return (3 * participating + 3) // 4


def _thresholds(total: Totals, participating: Totals, kind: str) -> dict:
    """The smallest numbers that meet quorum and approval, so a notice can show them."""
    minimum = _min_special if kind == SPECIAL else _min_ordinary
    return {
        "quorum": {
            "heads": _min_quorum(total.heads),
            "area": cents_to_area(_min_quorum(total.area_cents)),
        },
        "approval": {
            "heads": minimum(participating.heads),
            "area": cents_to_area(minimum(participating.area_cents)),
        },
    }


def _ballot_weight(ballot: Mapping) -> Totals:
    heads = ballot["heads"]
    if isinstance(heads, bool) or not isinstance(heads, int) or heads < 1:
        raise ValueError(f"ballot heads must be a positive int, got {heads!r}")
    return Totals(heads, area_to_cents(ballot["area"]))


def _election_approvals(
    choice: object, candidates: tuple[str, ...], seats: int
) -> tuple[str, ...] | str:
    """The candidates an election ballot approves, or the bucket it falls in when none.

    Returns a tuple of candidate ids (valid, non-empty list), or one of
    "reject" (valid empty list), "abstain", "invalid".
    """
    if isinstance(choice, str):
        if choice in ELECTION_WORDS:
            return choice
        raise ValueError(f"election choice {choice!r} is neither a list nor abstain/invalid")
    if not isinstance(choice, list | tuple):
        raise ValueError(f"election choice must be a list of candidate ids, got {choice!r}")
    if (
        len(choice) > seats
        or not all(isinstance(c, str) and c in candidates for c in choice)
        or len(set(choice)) != len(choice)
    ):
        # A spoiled ballot for this motion: it took part, it approves nobody.
        return INVALID
    if not choice:
        return REJECT
    return tuple(choice)


def count_motion(motion: Mapping, ballots: Iterable[Mapping], totals: Totals) -> dict:
    """Count one motion over ``ballots`` against the roll ``totals``.

    ``motion`` is a board motion (``id``, ``kind``, ``seats``, ``options``);
    each ballot has ``heads``, ``area`` (Decimal or two-decimal string) and
    ``choices`` (motion id → choice). Returns the result dict of the board
    (DESIGN.md), areas as two-decimal strings.
    """
    kind = motion["kind"]
    if kind not in KINDS:
        raise ValueError(f"motion {motion.get('id')!r}: unknown kind {kind!r}")
    motion_id = motion["id"]
    election = kind == ELECTION
    if election:
        seats = motion["seats"]
        if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
            raise ValueError(f"motion {motion_id!r}: seats must be a positive int")
        candidates = tuple(motion["options"])
        per_candidate = dict.fromkeys(candidates, Totals())

    buckets = dict.fromkeys(CHOICES, Totals())
    participating = Totals()
    for ballot in ballots:
        choices = ballot["choices"]
        if motion_id not in choices:
            continue  # did not take part in this motion (RULES §2)
        weight = _ballot_weight(ballot)
        choice = choices[motion_id]
        participating += weight
        if election:
            approvals = _election_approvals(choice, candidates, seats)
            if isinstance(approvals, str):
                buckets[approvals] += weight
            else:
                buckets[APPROVE] += weight
                for candidate in approvals:
                    per_candidate[candidate] += weight
        else:
            if choice not in CHOICES:
                raise ValueError(f"motion {motion_id!r}: unknown choice {choice!r}")
            buckets[choice] += weight

    quorum = quorum_met(totals, participating)
    result = {
        "kind": kind,
        "quorum": quorum,
        "total": totals.as_dict(),
        "participating": participating.as_dict(),
        **{choice: buckets[choice].as_dict() for choice in CHOICES},
        "thresholds": _thresholds(totals, participating, kind),
    }
    if not election:
        passes = special_passes if kind == SPECIAL else ordinary_passes
        if not quorum:
            result["outcome"] = NO_QUORUM
        elif passes(participating, buckets[APPROVE]):
            result["outcome"] = APPROVED
        else:
            result["outcome"] = REJECTED
        return result

    # Elections: each candidate needs the ordinary majority of this motion's
    # participants on their own (RULES §2, item 3), and the motion needs quorum.
    passing = {c: quorum and ordinary_passes(participating, per_candidate[c]) for c in candidates}
    elected, tied, tied_seats = fill_seats(
        {c: per_candidate[c] for c in candidates if passing[c]}, seats
    )
    result.update(
        {
            "outcome": ELECTED if quorum else NO_QUORUM,
            "seats": seats,
            "elected": elected,
            "tie": bool(tied),
            "tied": tied,
            "tied_seats": tied_seats,
            "candidates": {
                c: {**per_candidate[c].as_dict(), "passes": passing[c]} for c in candidates
            },
        }
    )
    return result


def fill_seats(passing: Mapping[str, Totals], seats: int) -> tuple[list[str], list[str], int]:
    """Give ``seats`` to passing candidates ranked by approving heads, then area.

    Returns (elected, tied, tied_seats): the candidates certain of a seat
    (sorted), the group tied for the last seats (sorted; empty when there is
    no tie) and how many seats that group competes for. A tie is never
    broken here (RULES §2): deciding it is for the owners' rules.
    """
    groups: dict[tuple[int, int], list[str]] = {}
    for candidate, approving in passing.items():
        groups.setdefault((approving.heads, approving.area_cents), []).append(candidate)
    elected: list[str] = []
    remaining = seats
    for key in sorted(groups, reverse=True):
        if remaining == 0:
            break
        group = groups[key]
        if len(group) <= remaining:
            elected.extend(group)
            remaining -= len(group)
        else:
            return sorted(elected), sorted(group), remaining
    return sorted(elected), [], 0


def roll_totals(roll: Mapping) -> Totals:
    """T of a board's ``roll`` ({"heads": int, "area": "…"})."""
    return Totals.of(heads=roll["heads"], area=roll["area"])


def count_board(board: Mapping) -> dict:
    """Count every motion of a board over its roll totals: motion id → result."""
    totals = roll_totals(board["roll"])
    ballots = board["ballots"]
    return {motion["id"]: count_motion(motion, ballots, totals) for motion in board["motions"]}
