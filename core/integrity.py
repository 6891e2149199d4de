"""The integrity-check registry (DESIGN.md "Trust anchors").

``manage.py audit_verify`` proves more than the audit chain's own hashes: that
every ballot and every ledger transaction is still what the audit event written
when it was made says it was, and that the chains still hold the heads printed
in signed publications. Those checks need the domain apps' models, and the
audit app sits below the domains: it must not import them. So each domain
registers its checks here, in its ``AppConfig.ready``, and ``audit_verify``
runs whatever is registered:

- **records** (``register_records``): a function that compares every stored row
  of one kind with the audit event written when it was made and returns a
  ``RecordsReport`` (how many were checked, and the first mismatch in words);
- **anchor chains** (``register_anchor_chain``): for one chain name (e.g.
  ``gongzhi-audit/1``), a function that says whether the chain, as stored now,
  still has the head an anchor records (None) or how it differs (a reason);
- **documents** (``register_documents``): where the anchors come from — the
  signed publications held in the system, and a reader for a signed file held
  outside it (``audit_verify --anchors DIR``). A document's anchors are read
  from the signed file itself, after its signature and its SHA-256 against the
  publication log were checked, never from a database column.

Pure Python: nothing here imports Django or a domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

ANCHORS_FORMAT = "gongzhi-anchors/1"


@dataclass(frozen=True)
class RecordsReport:
    """What a records checker found: ``checked`` rows, and the first mismatch (None: all match)."""

    name: str
    checked: int
    mismatch: str | None = None

    @property
    def ok(self) -> bool:
        return self.mismatch is None


@dataclass(frozen=True)
class Document:
    """A signed document and the anchors read from it.

    ``problem`` is set when the document cannot be trusted as an anchor (a
    broken signature, a SHA-256 the publication log does not list): that is a
    failure of its own. ``anchors`` is None for a document issued before
    anchors were printed (nothing to check, nothing wrong).
    """

    label: str
    anchors: list[Mapping[str, Any]] | None = None
    problem: str | None = None


@dataclass(frozen=True)
class AnchorReport:
    documents: int = 0
    anchors: int = 0
    failure: str | None = None  # the first document or anchor that does not hold, in words
    unanchored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None


RecordsChecker = Callable[[], RecordsReport]
AnchorChecker = Callable[[Mapping[str, Any]], "str | None"]
StoredDocuments = Callable[[], Iterable[Document]]
DocumentReader = Callable[[bytes, str], Document]

_records: dict[str, RecordsChecker] = {}
_chains: dict[str, AnchorChecker] = {}
_stored: list[StoredDocuments] = []
_readers: list[DocumentReader] = []


def register_records(name: str, checker: RecordsChecker) -> None:
    """Register (or replace, when an app is reloaded) the records check called ``name``."""
    _records[name] = checker


def register_anchor_chain(chain: str, checker: AnchorChecker) -> None:
    _chains[chain] = checker


def register_documents(*, stored: StoredDocuments, reader: DocumentReader) -> None:
    if stored not in _stored:
        _stored.append(stored)
    if reader not in _readers:
        _readers.append(reader)


def records_verify() -> Iterator[RecordsReport]:
    """Run every registered records check, in the order they were registered."""
    for checker in list(_records.values()):
        yield checker()


def anchor_check(anchor: Mapping[str, Any]) -> str | None:
    """None if the chain an anchor names still has the recorded head; otherwise why not."""
    chain = anchor.get("chain") if isinstance(anchor, Mapping) else None
    checker = _chains.get(chain) if isinstance(chain, str) else None
    if checker is None:
        return f"unknown chain {chain!r}"
    return checker(anchor)


def anchor_label(anchor: Mapping[str, Any]) -> str:
    """An anchor in words: the chain, where in it, and the recorded head."""
    parts = [str(anchor.get("chain"))]
    for key in ("assembly", "seq", "count"):
        if key in anchor:
            parts.append(f"{key} {anchor[key]}")
    return " ".join(parts) + f" head {anchor.get('head')}"


def documents_verify(documents: Iterable[Document]) -> AnchorReport:
    """Check every anchor of every document; stop at the first that does not hold."""
    count = anchors = 0
    unanchored: list[str] = []
    for document in documents:
        count += 1
        if document.problem is not None:
            return AnchorReport(count, anchors, f"{document.label}: {document.problem}", unanchored)
        if document.anchors is None:
            unanchored.append(document.label)
            continue
        for anchor in document.anchors:
            anchors += 1
            reason = anchor_check(anchor)
            if reason is not None:
                failure = f"{document.label}: anchor {anchor_label(anchor)}: {reason}"
                return AnchorReport(count, anchors, failure, unanchored)
    return AnchorReport(count, anchors, None, unanchored)


def stored_documents() -> Iterator[Document]:
    """The signed documents the system holds, from every registered source."""
    for source in list(_stored):
        yield from source()


def document_read(data: bytes, label: str) -> Document:
    """Read a signed file held outside the system with the registered reader."""
    if not _readers:
        return Document(label=label, problem="no reader for signed documents is installed")
    return _readers[0](data, label)
