"""The publication log's canonical form and hash. Pure: no Django import.

The log is published as JSON (``/publications/log.json``, format
``gongzhi-publication-log/1``) so that anyone can re-check it without us:
an entry's ``hash`` is the SHA-256 hex of the canonical JSON (UTF-8, keys
sorted, separators ``,`` and ``:``) of the entry's fields below, which include
``prev``, the previous entry's hash (64 zeros for the first). Removing,
reordering or rewriting any entry breaks the chain from that entry on
(RULES.md §7: an append-only, hash-chained publication log).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

FORMAT = "gongzhi-publication-log/1"
GENESIS = "0" * 64
FIELDS = (
    "seq",
    "at",
    "serial",
    "kind",
    "area",
    "period",
    "title",
    "sha256",
    "supersedes",
    "prev",
)


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical({key: entry[key] for key in FIELDS})).hexdigest()


def first_break(entries: Iterable[Mapping[str, Any]]) -> tuple[int, Mapping[str, Any] | None, str]:
    """Walk entries in order. Return (count of good entries, first bad entry or None, reason)."""
    prev = GENESIS
    count = 0
    for entry in entries:
        if entry.get("seq") != count + 1:
            return count, entry, "seq is not the next number"
        if entry.get("prev") != prev:
            return count, entry, "prev does not match the previous entry's hash"
        if entry_hash(entry) != entry.get("hash"):
            return count, entry, "hash does not match the entry's contents"
        prev = entry["hash"]
        count += 1
    return count, None, ""
