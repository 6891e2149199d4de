"""The public ballot board, format "gongzhi-board/1" (DESIGN.md "The public ballot board").

Standard library only, like ``voting.counting``: anyone can re-count a vote
with ``python -m voting.verifier`` without Django and without trusting us.
(The database adapter is ``voting.board_store``.)

A board is one JSON object::

    {"format": "gongzhi-board/1",
     "assembly": {"id", "title", "opens_at", "closes_at"},
     "roll": {"rights", "heads", "area", "digest"},
     "motions": [{"id", "title", "kind", "seats", "options"}],
     "ballots": [{"seq", "tracker", "heads", "area", "channel", "choices", "prev", "hash"}],
     "head": "<hash of the last ballot, or 64 zeros>",
     "result": {motion id: {"outcome", ...}}}

Two kinds of fault, kept apart because they mean different things:

- **malformed** (``BoardMalformed``): the file is not a board we can read —
  not UTF-8 JSON, a float, a duplicate key, a missing or extra key, a wrong
  type, an area that is not a two-decimal string, a choice the motion does not
  allow. Nothing can be checked; the verifier exits 2.
- **invalid** (``integrity_errors``, and the result comparison in the
  verifier): a well-formed board whose content does not hold together — a
  hash, ``prev`` or ``head`` that does not follow the chain, seqs that skip
  or repeat (a ballot removed or moved), a tracker used twice, ballots
  weighing more than the roll. The verifier exits 1 and names the ballot.

Exact key sets are required for the board, roll, motions and ballots (only
``assembly`` may carry more descriptive keys): an extra key on a ballot could
carry who voted what, which the public board must never show (RULES §3).

Election choices only need to be lists of strings here; a list naming an
unknown candidate, a candidate twice or more than ``seats`` candidates is a
spoiled ballot that ``voting.counting`` counts as invalid — the board
records it as cast.
"""

# One piece because the independent verifier is published as three files (``verifier.py``,
# ``boardformat.py``, ``counting.py``; docs/publications.md) and a reader checks the whole
# format in this one file.

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from voting import counting

FORMAT = "gongzhi-board/1"
GENESIS = "0" * 64
CHANNELS = ("online", "paper", "proxy")

BOARD_KEYS = frozenset({"format", "assembly", "roll", "motions", "ballots", "head", "result"})
ASSEMBLY_KEYS = frozenset({"id", "title", "opens_at", "closes_at"})
ROLL_KEYS = frozenset({"rights", "heads", "area", "digest"})
MOTION_KEYS = frozenset({"id", "title", "kind", "seats", "options"})
BALLOT_KEYS = frozenset({"seq", "tracker", "heads", "area", "channel", "choices", "prev", "hash"})

_AREA = re.compile(r"(?:0|[1-9][0-9]*)\.[0-9]{2}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class BoardMalformed(ValueError):
    """The document is not a readable gongzhi-board/1 board; ``errors`` says where."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def canonical_json(obj: object) -> bytes:
    """UTF-8, keys sorted, separators "," and ":", no whitespace (DESIGN.md)."""
    return json.dumps(
        obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def ballot_hash(ballot: Mapping) -> str:
    """SHA-256 hex of the canonical JSON of the ballot without its "hash" key (it includes "prev")."""
    return hashlib.sha256(
        canonical_json({key: value for key, value in ballot.items() if key != "hash"})
    ).hexdigest()


def chain_ballots(ballots: Iterable[Mapping]) -> list[dict]:
    """Number and chain ballots in the order given: returns copies with seq, prev and hash.

    Each input ballot has tracker, heads, area, channel and choices; a
    ``seq`` already present must be its position (1-based), and ``prev`` or
    ``hash`` must not be present (they are what this function computes).
    """
    chained: list[dict] = []
    prev = GENESIS
    for position, ballot in enumerate(ballots, start=1):
        if "prev" in ballot or "hash" in ballot:
            raise ValueError(f"ballot {position}: prev and hash are computed, do not pass them")
        if ballot.get("seq", position) != position:
            raise ValueError(f"ballot {position}: seq {ballot['seq']!r} is not its position")
        linked = {**ballot, "seq": position, "prev": prev}
        linked["hash"] = prev = ballot_hash(linked)
        chained.append(linked)
    return chained


def chain_head(ballots: list[Mapping]) -> str:
    """The head of a chain: the last ballot's hash, or 64 zeros when there is none."""
    return ballots[-1]["hash"] if ballots else GENESIS


def build_board(
    *,
    assembly: Mapping,
    roll: Mapping,
    motions: list[Mapping],
    ballots: Iterable[Mapping],
) -> dict:
    """A complete board: ballots chained in the order given, head, and the recounted result.

    ``ballots`` come without seq/prev/hash (see ``chain_ballots``). The board
    is validated before it is returned, so a builder can never publish a
    board the verifier would call malformed.
    """
    chained = chain_ballots(ballots)
    board = {
        "format": FORMAT,
        "assembly": dict(assembly),
        "roll": dict(roll),
        "motions": [dict(motion) for motion in motions],
        "ballots": chained,
        "head": chain_head(chained),
        "result": {},
    }
    validate_board(board)
    board["result"] = counting.count_board(board)
    return board


# --- reading ----------------------------------------------------------------


def _reject_float(text: str) -> object:
    raise ValueError(f"number {text} is not an integer (areas are written as strings)")


def _reject_constant(text: str) -> object:
    raise ValueError(f"{text} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    # A repeated key would let two readers see two different ballots.
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"key {key!r} appears twice in one object")
        obj[key] = value
    return obj


def parse_board(data: bytes | str) -> dict:
    """Strict JSON → a validated board dict; raises ``BoardMalformed``."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        doc = json.loads(
            text,
            parse_float=_reject_float,
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except UnicodeDecodeError as exc:
        raise BoardMalformed([f"not UTF-8: {exc}"]) from None
    except (ValueError, RecursionError) as exc:
        raise BoardMalformed([f"not valid JSON: {exc}"]) from None
    validate_board(doc)
    return doc


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """Collects every structural error with the path where it is."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def obj(self, value: object, path: str, keys: frozenset[str], *, extra: bool = False) -> bool:
        if not isinstance(value, dict):
            self.error(path, "must be an object")
            return False
        missing = sorted(keys - value.keys())
        unknown = sorted(value.keys() - keys)
        if missing:
            self.error(path, f"missing key(s) {', '.join(missing)}")
        if unknown and not extra:
            self.error(path, f"unknown key(s) {', '.join(unknown)}")
        return not missing and (extra or not unknown)

    def text(self, value: object, path: str) -> bool:
        if not isinstance(value, str) or not value.strip():
            self.error(path, "must be a non-empty string")
            return False
        return True

    def count(self, value: object, path: str, *, minimum: int) -> bool:
        if not _is_int(value) or value < minimum:
            self.error(path, f"must be an integer ≥ {minimum}")
            return False
        return True

    def area(self, value: object, path: str) -> bool:
        if not isinstance(value, str) or not _AREA.fullmatch(value):
            self.error(path, f"must be an area string with exactly two decimals, got {value!r}")
            return False
        return True

    def hex64(self, value: object, path: str) -> bool:
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            self.error(path, "must be 64 lowercase hex digits")
            return False
        return True

    def timestamp(self, value: object, path: str) -> None:
        if not self.text(value, path):
            return
        try:
            datetime.fromisoformat(value)
        except ValueError:
            self.error(path, f"must be an ISO-8601 date-time, got {value!r}")


def _check_motion(check: _Checker, motion: object, path: str) -> tuple[str, str, frozenset] | None:
    """Checks one motion; returns (id, kind, allowed string choices and candidates) when sound."""
    if not check.obj(motion, path, MOTION_KEYS):
        return None
    ok = check.text(motion["id"], f"{path}.id") & check.text(motion["title"], f"{path}.title")
    kind, seats, options = motion["kind"], motion["seats"], motion["options"]
    if kind not in counting.KINDS:
        check.error(f"{path}.kind", f"must be one of {', '.join(counting.KINDS)}")
        return None
    if not isinstance(options, list) or not all(isinstance(o, str) and o for o in options):
        check.error(f"{path}.options", "must be a list of non-empty strings")
        return None
    if len(set(options)) != len(options):
        check.error(f"{path}.options", "lists an option twice")
        ok = False
    if kind == counting.ELECTION:
        ok &= check.count(seats, f"{path}.seats", minimum=1)
        if not options:
            check.error(f"{path}.options", "an election needs at least one candidate")
            ok = False
        if set(options) & set(counting.ELECTION_WORDS):
            check.error(f"{path}.options", "a candidate id may not be 'abstain' or 'invalid'")
            ok = False
    else:
        if seats is not None:
            check.error(f"{path}.seats", "must be null for a motion that is not an election")
            ok = False
        if not set(options) <= set(counting.CHOICES) or counting.APPROVE not in options:
            check.error(
                f"{path}.options",
                "must include approve and use only approve/reject/abstain/invalid",
            )
            ok = False
    return (motion["id"], kind, frozenset(options)) if ok else None


def _check_choice(
    check: _Checker, choice: object, path: str, kind: str, options: frozenset
) -> None:
    if kind == counting.ELECTION:
        if isinstance(choice, str):
            if choice not in counting.ELECTION_WORDS:
                check.error(
                    path, "an election choice is a list of candidate ids, abstain or invalid"
                )
        elif not isinstance(choice, list) or not all(isinstance(c, str) for c in choice):
            check.error(path, "an election choice is a list of candidate ids, abstain or invalid")
    # "invalid" is always allowed: a spoiled paper ballot is recorded as such (RULES §2).
    elif not isinstance(choice, str) or choice not in options | {counting.INVALID}:
        check.error(path, f"must be one of {', '.join(sorted(options | {counting.INVALID}))}")


def validate_board(doc: object) -> None:
    """Raise ``BoardMalformed`` listing every structural fault of ``doc`` (see module docstring)."""
    check = _Checker()
    # Missing keys stop here; unknown ones are reported with everything else.
    if not check.obj(doc, "board", BOARD_KEYS) and (
        not isinstance(doc, dict) or not doc.keys() >= BOARD_KEYS
    ):
        raise BoardMalformed(check.errors)
    if doc["format"] != FORMAT:
        check.error("format", f"must be {FORMAT!r}, got {doc['format']!r}")

    assembly = doc["assembly"]
    if check.obj(assembly, "assembly", ASSEMBLY_KEYS, extra=True):
        check.text(assembly["id"], "assembly.id")
        check.text(assembly["title"], "assembly.title")
        check.timestamp(assembly["opens_at"], "assembly.opens_at")
        check.timestamp(assembly["closes_at"], "assembly.closes_at")

    roll = doc["roll"]
    if check.obj(roll, "roll", ROLL_KEYS):
        check.count(roll["rights"], "roll.rights", minimum=0)
        check.count(roll["heads"], "roll.heads", minimum=0)
        check.area(roll["area"], "roll.area")
        check.hex64(roll["digest"], "roll.digest")

    check.hex64(doc["head"], "head")

    motions: dict[str, tuple[str, frozenset]] = {}
    motions_ok = isinstance(doc["motions"], list)
    if not motions_ok:
        check.error("motions", "must be a list")
    else:
        for index, motion in enumerate(doc["motions"]):
            sound = _check_motion(check, motion, f"motions[{index}]")
            if sound is None:
                motions_ok = False
                continue
            motion_id, kind, options = sound
            if motion_id in motions:
                check.error(f"motions[{index}].id", f"motion id {motion_id!r} is used twice")
            motions[motion_id] = (kind, options)

    if not isinstance(doc["ballots"], list):
        check.error("ballots", "must be a list")
    else:
        for index, ballot in enumerate(doc["ballots"]):
            seq = ballot.get("seq") if isinstance(ballot, dict) else None
            path = f"ballots[{index}]" + (f" (seq {seq})" if _is_int(seq) else "")
            if not check.obj(ballot, path, BALLOT_KEYS):
                continue
            check.count(ballot["seq"], f"{path}.seq", minimum=1)
            check.text(ballot["tracker"], f"{path}.tracker")
            check.count(ballot["heads"], f"{path}.heads", minimum=1)
            check.area(ballot["area"], f"{path}.area")
            if ballot["channel"] not in CHANNELS:
                check.error(f"{path}.channel", f"must be one of {', '.join(CHANNELS)}")
            check.hex64(ballot["prev"], f"{path}.prev")
            check.hex64(ballot["hash"], f"{path}.hash")
            choices = ballot["choices"]
            if not isinstance(choices, dict):
                check.error(f"{path}.choices", "must be an object")
            elif motions_ok:
                for motion_id, choice in choices.items():
                    if motion_id not in motions:
                        check.error(f"{path}.choices", f"{motion_id!r} is not a motion id")
                        continue
                    kind, options = motions[motion_id]
                    _check_choice(check, choice, f"{path}.choices.{motion_id}", kind, options)

    result = doc["result"]
    if not isinstance(result, dict):
        check.error("result", "must be an object")
    else:
        for motion_id, entry in result.items():
            if not isinstance(entry, dict):
                check.error(f"result.{motion_id}", "must be an object")

    if check.errors:
        raise BoardMalformed(check.errors)


# --- integrity ----------------------------------------------------------------


def integrity_errors(board: Mapping) -> list[str]:
    """Chain and consistency faults of a well-formed board; each names its ballot (or roll/head).

    A ballot's ``prev`` must be the stored hash of the ballot before it (64
    zeros for the first), its ``hash`` must be the hash of its content, and
    ``head`` the hash of the last ballot's content. So an edited ballot is
    reported at itself, and a re-hashed edited ballot at the next one.
    """
    errors: list[str] = []
    ballots = board["ballots"]
    prev = GENESIS
    computed = GENESIS
    trackers: dict[str, int] = {}
    weight = counting.Totals()
    for position, ballot in enumerate(ballots, start=1):
        seq = ballot["seq"]
        name = f"ballot {seq}"
        if seq != position:
            errors.append(
                f"{name}: is at position {position}; seqs must run 1..n without gaps "
                "(a ballot is missing, repeated or out of order)"
            )
        if ballot["prev"] != prev:
            errors.append(
                f"{name}: prev {ballot['prev']} does not link to the ballot before ({prev})"
            )
        computed = ballot_hash(ballot)
        if ballot["hash"] != computed:
            errors.append(f"{name}: hash {ballot['hash']} does not match its content ({computed})")
        prev = ballot["hash"]
        tracker = ballot["tracker"]
        if tracker in trackers:
            errors.append(f"{name}: tracker {tracker!r} is also on ballot {trackers[tracker]}")
        trackers.setdefault(tracker, seq)
        weight += counting.Totals(ballot["heads"], counting.area_to_cents(ballot["area"]))
    if board["head"] != computed:
        errors.append(f"head: {board['head']} is not the hash of the last ballot ({computed})")

    # One ballot per voting right (RULES §3): the ballots cannot outweigh the roll.
    roll = board["roll"]
    total = counting.roll_totals(roll)
    if len(ballots) > roll["rights"]:
        errors.append(f"roll: {len(ballots)} ballots but only {roll['rights']} voting rights")
    if weight.heads > total.heads:
        errors.append(f"roll: ballots carry {weight.heads} heads, the roll only {total.heads}")
    if weight.area_cents > total.area_cents:
        errors.append(
            f"roll: ballots carry {counting.cents_to_area(weight.area_cents)} m², "
            f"the roll only {roll['area']} m²"
        )
    return errors
