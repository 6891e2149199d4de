"""The public ballot board of an assembly, read from the database (DESIGN.md "gongzhi-board/1").

The database adapter of the board: ``voting.boardformat`` (pure, no Django)
defines the format and chains the ballots; this module only reads the rows and hands them over. Two checks make sure
what is published is what was cast:

- every ballot's hash recomputed by ``boardformat.build_board`` must equal
  the hash stored when it was cast, and the head must equal the chain head
  kept on the assembly row — a row edited in the database since is refused
  (``BoardMismatch``) instead of being published with a fresh, matching hash;
- every ballot must still match the audit event written when it was cast
  (``voting.integrity``): a ballot edited and its whole chain re-hashed,
  head included, passes the first check but not this one;
- the board is built only once voting has closed (by the clock): a board of an
  open vote would show a running count and help nobody verify anything.

The board never shows who voted (RULES.md §3): each ballot is seq, tracker,
weight, channel and choices. ``assembly`` carries, beside the required keys,
descriptive ones a reader needs to make sense of the ids (area, scope, the
names behind candidate codes, the notice's serial).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

from voting import boardformat, counting
from voting.integrity import ballots_mismatch, board_mismatch_alarm
from voting.models import Assembly, Ballot, Motion, RollSnapshot

PUBLIC_STATUSES = (Assembly.Status.CLOSED, Assembly.Status.PRELIMINARY, Assembly.Status.FINAL)


class BoardNotReady(Exception):
    """The assembly has not closed (or never opened): there is no board to show yet."""


class BoardMismatch(Exception):
    """A stored ballot no longer hashes to what was recorded when it was cast.

    Never shown as a 500: the board, result and tracker pages answer
    "公示板校验失败" (``voting.integrity.board_mismatch_message``), and the
    failure is recorded and the bureau alerted (``board_mismatch_alarm``).
    """


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).isoformat()


def board_assembly(assembly: Assembly, motions: list[Motion]) -> dict:
    return {
        "id": str(assembly.pk),
        "title": assembly.title,
        "opens_at": _iso(assembly.opens_at),
        "closes_at": _iso(assembly.closes_at),
        "area": assembly.area.name,
        "area_code": assembly.area.code,
        "scope": assembly.scope_text(),
        "notice": assembly.notice_publication.serial if assembly.notice_publication_id else "",
        "candidates": {
            motion.code: {c.code: c.name for c in motion.candidates.all()}
            for motion in motions
            if motion.is_election
        },
    }


def board_roll(snapshot: RollSnapshot) -> dict:
    return {
        "rights": snapshot.rights,
        "heads": snapshot.heads,
        "area": counting.cents_to_area(counting.area_to_cents(snapshot.area)),
        "digest": snapshot.digest,
    }


def board_motion(motion: Motion) -> dict:
    return {
        "id": motion.code,
        "title": motion.title,
        "kind": motion.kind,
        "seats": motion.seats,
        "options": motion.options(),
    }


def _ballots(assembly: Assembly) -> Iterator[Ballot]:
    return (
        Ballot.objects.filter(assembly=assembly)
        .order_by("seq")
        .only("seq", "tracker", "heads", "area", "channel", "choices", "prev", "hash")
        .iterator(chunk_size=2000)
    )


def board_build(assembly: Assembly, *, now: datetime | None = None) -> dict:
    """The gongzhi-board/1 dict of a closed assembly (module docstring)."""
    assembly = Assembly.objects.select_related("area", "notice_publication").get(pk=assembly.pk)
    if assembly.current_status(now) not in PUBLIC_STATUSES:
        raise BoardNotReady(f"assembly {assembly.pk} has not closed")
    snapshot = RollSnapshot.objects.filter(assembly=assembly).first()
    if snapshot is None:
        raise BoardNotReady(f"assembly {assembly.pk} never opened: it has no roll")
    motions = list(assembly.motions.prefetch_related("candidates").order_by("position"))
    stored: list[tuple[int, str, str]] = []
    entries: list[dict] = []
    for ballot in _ballots(assembly):
        entry = ballot.board_entry()
        stored.append((entry.pop("seq"), entry.pop("prev"), entry.pop("hash")))
        entries.append(entry)
    try:
        board = boardformat.build_board(
            assembly=board_assembly(assembly, motions),
            roll=board_roll(snapshot),
            motions=[board_motion(motion) for motion in motions],
            ballots=entries,
        )
    except (boardformat.BoardMalformed, ValueError, TypeError, ArithmeticError) as exc:
        # The service never stores a ballot a board cannot hold (a weight of
        # nought, a choice the motion does not offer): such a row was written
        # behind its back.
        raise BoardMismatch(f"the stored ballots do not form a valid board: {exc}") from exc
    for ballot, (seq, prev, digest) in zip(board["ballots"], stored, strict=True):
        if (ballot["seq"], ballot["prev"], ballot["hash"]) != (seq, prev, digest):
            raise BoardMismatch(
                f"ballot {seq}: stored seq/prev/hash do not match its content "
                f"(recomputed seq {ballot['seq']}, hash {ballot['hash']})"
            )
    if board["head"] != assembly.chain_head:
        raise BoardMismatch(
            f"head {board['head']} is not the chain head recorded on the assembly "
            f"({assembly.chain_head})"
        )
    mismatch = ballots_mismatch(assembly)
    if mismatch is not None:
        raise BoardMismatch(mismatch)
    return board


def board_verified(assembly: Assembly, *, now: datetime | None = None) -> dict:
    """``board_build`` for the pages: a board that fails its checks is recorded and the
    bureau alerted (``voting.integrity.board_mismatch_alarm``) before ``BoardMismatch``
    reaches the page, which answers "公示板校验失败"."""
    try:
        return board_build(assembly, now=now)
    except BoardMismatch as exc:
        board_mismatch_alarm(assembly, str(exc))
        raise


def board_bytes(board: dict) -> bytes:
    """The board as published: canonical JSON (UTF-8, sorted keys, no whitespace)."""
    return boardformat.canonical_json(board)
