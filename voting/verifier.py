"""Re-count a public ballot board without trusting us: ``python -m voting.verifier BOARD.json``.

Standard library only (with ``voting.counting`` and ``voting.boardformat``,
themselves standard library only): it runs where Django is not installed
(DESIGN.md "The public ballot board").

It checks the hash chain, recounts every motion over the roll totals
(RULES.md §2), and compares the board's stored ``result`` with the recount:
the stored result matches when every key present in it, recursively, equals
the recount's value; a motion missing from it, or one that is not on the
board, is a mismatch. It prints the recount as JSON on stdout::

    {"valid": true, "head": "<computed head>", "motions": {id: {...}}, "errors": []}

Exit status: 0 the board is intact and its result matches; 1 it is not
(every error names its ballot seq or motion id, and is also written to
stderr); 2 the file cannot be read or is not a well-formed board (message on
stderr, nothing on stdout). ``--quiet`` prints nothing on stdout; errors
still go to stderr. ``-`` reads the board from standard input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from voting import boardformat, counting

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_MALFORMED = 2

# Keys DESIGN.md requires in a stored per-motion result.
REQUIRED_RESULT_KEYS = {
    counting.ORDINARY: ("outcome",),
    counting.SPECIAL: ("outcome",),
    counting.ELECTION: ("outcome", "elected", "tie"),
}


@dataclass
class Report:
    head: str
    motions: dict
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "head": self.head,
            "motions": self.motions,
            "errors": self.errors,
        }


def _same(stored: object, recount: object) -> bool:
    """JSON equality that does not let ``true`` equal ``1`` (Python's ``True == 1``)."""
    if isinstance(stored, list):
        return (
            isinstance(recount, list)
            and len(stored) == len(recount)
            and all(_same(a, b) for a, b in zip(stored, recount, strict=True))
        )
    if isinstance(stored, dict):
        return (
            isinstance(recount, dict)
            and stored.keys() == recount.keys()
            and all(_same(stored[k], recount[k]) for k in stored)
        )
    # Comparing types keeps bool apart from int (and 1 apart from "1").
    return type(stored) is type(recount) and stored == recount


def _compare(stored: Mapping, recount: Mapping, path: str) -> list[str]:
    """Every key present in ``stored`` must equal the recount's (recursively for objects)."""
    differences = []
    for key, value in stored.items():
        where = f"{path}.{key}"
        if key not in recount:
            differences.append(f"{where} is not part of the recount")
        elif isinstance(value, dict) and isinstance(recount[key], dict):
            differences.extend(_compare(value, recount[key], where))
        elif not _same(value, recount[key]):
            differences.append(
                f"{where} is {json.dumps(value, ensure_ascii=False)}, "
                f"the recount gives {json.dumps(recount[key], ensure_ascii=False)}"
            )
    return differences


def result_errors(board: Mapping, recount: Mapping) -> list[str]:
    """Differences between the board's stored ``result`` and ``recount``, one per motion fault."""
    errors = []
    stored = board["result"]
    for motion in board["motions"]:
        motion_id = motion["id"]
        name = f"motion {motion_id}"
        if motion_id not in stored:
            errors.append(f"{name}: missing from the stored result")
            continue
        entry = stored[motion_id]
        for key in REQUIRED_RESULT_KEYS[motion["kind"]]:
            if key not in entry:
                errors.append(f"{name}: the stored result lacks {key!r}")
        errors.extend(f"{name}: {d}" for d in _compare(entry, recount[motion_id], "result"))
    known = {motion["id"] for motion in board["motions"]}
    errors.extend(
        f"motion {motion_id}: in the stored result but not a motion of the board"
        for motion_id in stored
        if motion_id not in known
    )
    return errors


def verify_board(board: Mapping) -> Report:
    """Verify a well-formed board (see ``boardformat.validate_board``)."""
    recount = counting.count_board(board)
    ballots = board["ballots"]
    head = boardformat.ballot_hash(ballots[-1]) if ballots else boardformat.GENESIS
    errors = boardformat.integrity_errors(board) + result_errors(board, recount)
    return Report(head=head, motions=recount, errors=errors)


def verify_bytes(data: bytes) -> Report:
    """Parse and verify; raises ``boardformat.BoardMalformed``."""
    return verify_board(boardformat.parse_board(data))


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m voting.verifier",
        description="Check a gongzhi-board/1 ballot board: hash chain, recount, stored result.",
        epilog="Exit status: 0 intact and matching, 1 not (errors name the ballot or motion), "
        "2 unreadable or malformed.",
    )
    parser.add_argument("board", help="path of the board JSON file, or - for standard input")
    parser.add_argument("--quiet", action="store_true", help="print nothing on stdout")
    args = parser.parse_args(argv)

    try:
        data = _read(args.board)
    except OSError as exc:
        print(f"{args.board}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_MALFORMED
    try:
        report = verify_bytes(data)
    except boardformat.BoardMalformed as exc:
        print(f"{args.board}: not a well-formed {boardformat.FORMAT} board:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return EXIT_MALFORMED
    except (ValueError, TypeError, KeyError) as exc:
        # Validation should leave nothing for the count to trip on; if it
        # ever does, say so with status 2 — a traceback's status 1 would read
        # as "this board was tampered with".
        print(f"{args.board}: cannot be checked: {exc!r}", file=sys.stderr)
        return EXIT_MALFORMED

    if not args.quiet:
        # ASCII escapes keep the output valid JSON on any terminal encoding.
        print(json.dumps(report.as_dict(), indent=1, sort_keys=True))
    for error in report.errors:
        print(error, file=sys.stderr)
    return EXIT_OK if report.valid else EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
