"""The audit chain's canonical form and hash. Pure: no Django import.

An event's hash is SHA-256 over the canonical JSON (UTF-8, keys sorted, no
whitespace) of its recorded fields, including ``prev``, the previous event's
hash (64 zeros for the first). Changing any field of any stored event, or
removing or reordering events, breaks the chain from that event on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "at",
    "actor",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "before_digest",
    "after_digest",
    "summary",
    "prev",
)


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(obj: Any) -> str:
    """SHA-256 hex of any JSON-able value in canonical form (used for before/after states)."""
    return hashlib.sha256(canonical(obj)).hexdigest()


def event_hash(event: Mapping[str, Any]) -> str:
    return digest({key: event[key] for key in FIELDS})


def first_break(events: Iterable[Mapping[str, Any]]) -> tuple[int, Mapping[str, Any] | None, str]:
    """Walk events in seq order. Return (count of intact events, first bad event or None, reason).

    Seqs must run 1, 2, 3 … without gaps: a removed event is then named even
    when the rows around it were re-linked, and a run that starts anywhere
    but 1 (the head of the chain cut off) is caught at its first event.
    """
    prev = GENESIS
    count = 0
    for event in events:
        if event["seq"] != count + 1:
            return count, event, f"seq {event['seq']} where {count + 1} was expected"
        if event["prev"] != prev:
            return count, event, "prev does not match the previous event's hash"
        if event_hash(event) != event["hash"]:
            return count, event, "hash does not match the event's contents"
        prev = event["hash"]
        count += 1
    return count, None, ""
