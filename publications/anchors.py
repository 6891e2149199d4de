"""Anchors outside the database, carried by every signed notice (DESIGN.md "Trust anchors").

A hash chain inside the database proves nothing to someone who can rewrite
the database. So every notice carries, in its signed content, the heads of
the chains as they were when it was made:

- ``gongzhi-audit/1``: the audit chain's last committed event (seq, hash);
- ``gongzhi-publication-log/1``: the publication log's last entry (seq, hash);
- and whatever the issuer adds (a vote result: ``gongzhi-board/1``, the
  assembly's ballot count and ballot-chain head).

They are printed on the notice for a person and embedded as a PDF/A-3
associated file ``gongzhi-anchors.json`` (``{"format": "gongzhi-anchors/1",
"anchors": [...]}``) for a program. The certification signature covers
both. ``manage.py audit_verify`` reads them back from the signed file — after
checking its signature and its SHA-256 against the publication log, never
from a database column — and checks that each chain still has the anchored
head (``core.integrity``). Anyone who kept a copy of a notice can run the
same check with ``audit_verify --anchors DIR``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from audit.selectors import CHAIN as AUDIT_CHAIN
from audit.selectors import audit_anchor
from core.integrity import ANCHORS_FORMAT, Document

from . import logchain
from .models import PublicationLogEntry, PublicationLogHead
from .signing import sha256_hex, signature_check

ANCHOR_FILE = "gongzhi-anchors.json"
LOG_CHAIN = logchain.FORMAT


def log_anchor() -> dict[str, Any]:
    """The publication log's last committed entry, as an anchor. A plain read, no lock."""
    head = PublicationLogHead.objects.filter(pk=1).values_list("count", "last_hash").first()
    count, last_hash = head if head is not None else (0, logchain.GENESIS)
    return {"chain": LOG_CHAIN, "seq": count, "head": last_hash}


def log_anchor_check(anchor: Mapping[str, Any]) -> str | None:
    seq, head = anchor.get("seq"), anchor.get("head")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0 or not isinstance(head, str):
        return "malformed anchor"
    if seq == 0:
        return None if head == logchain.GENESIS else "the empty log's head is 64 zeros"
    stored = PublicationLogEntry.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if stored is None:
        return f"the publication log has no entry #{seq}"
    if stored != head:
        return f"publication log entry #{seq} now hashes to {stored}"
    return None


def anchors_current(extra: list[Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The anchors a notice made now carries: the audit chain, the log, then ``extra``."""
    return [audit_anchor(), log_anchor(), *(dict(a) for a in extra or [])]


def anchors_document(anchors: list[Mapping[str, Any]]) -> bytes:
    """The embedded file's bytes: canonical JSON."""
    return json.dumps(
        {"format": ANCHORS_FORMAT, "anchors": list(anchors)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def anchor_text(anchor: Mapping[str, Any]) -> str:
    """How an anchor reads on the printed notice (the hash follows it)."""
    chain = anchor.get("chain")
    if chain == LOG_CHAIN:
        return f"公示日志 {chain} 第 {anchor['seq']} 条"
    if chain == AUDIT_CHAIN:
        return f"审计链 {chain} 第 {anchor['seq']} 条"
    if "assembly" in anchor:
        return f"会议 {anchor['assembly']} 选票链 {chain} 共 {anchor['count']} 张选票，末端"
    return str(chain)


def _resolved(value):
    return value.get_object() if hasattr(value, "get_object") else value


def anchors_read(data: bytes) -> list[dict[str, Any]] | None:
    """The anchors embedded in a PDF, or None if it has none. Raises ValueError if unreadable.

    Call only on a file whose signature was checked to cover the whole file:
    then what is read here is what was signed.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        names = _resolved(reader.root.get("/Names"))
        embedded = _resolved(names.get("/EmbeddedFiles")) if names is not None else None
        pairs = list(_resolved(embedded.get("/Names")) or []) if embedded is not None else []
    except Exception as exc:  # noqa: BLE001 - any file from anyone
        raise ValueError(f"cannot read the embedded files: {exc}") from exc
    for name, spec in zip(pairs[::2], pairs[1::2], strict=False):
        if str(name) != ANCHOR_FILE:
            continue
        try:
            stream = _resolved(_resolved(_resolved(spec)["/EF"])["/F"])
            document = json.loads(stream.data)
        except Exception as exc:  # noqa: BLE001 - any file from anyone
            raise ValueError(f"{ANCHOR_FILE} cannot be read: {exc}") from exc
        if (
            not isinstance(document, dict)
            or document.get("format") != ANCHORS_FORMAT
            or not isinstance(document.get("anchors"), list)
            or not all(isinstance(a, dict) for a in document["anchors"])
        ):
            raise ValueError(f"{ANCHOR_FILE} is not a {ANCHORS_FORMAT} document")
        return document["anchors"]
    return None


def _document(data: bytes, label: str, *, logged_sha256: str | None) -> Document:
    digest = sha256_hex(data)
    if logged_sha256 is None:
        entry = PublicationLogEntry.objects.filter(sha256=digest).only("serial").first()
        if entry is None:
            return Document(label, problem=f"SHA-256 {digest} is not in the publication log")
        label = f"{label} ({entry.serial})"
    elif digest != logged_sha256:
        return Document(label, problem=f"SHA-256 {digest} is not the logged {logged_sha256}")
    check = signature_check(data)
    if not check.ok:
        return Document(label, problem=f"signature not valid: {check.detail}")
    try:
        anchors = anchors_read(data)
    except ValueError as exc:
        return Document(label, problem=str(exc))
    return Document(label, anchors=anchors)


def document_read(data: bytes, label: str) -> Document:
    """A signed file held outside the system (``audit_verify --anchors DIR``, ``/verify``):
    its SHA-256 must be in the publication log and its signature valid."""
    return _document(data, label, logged_sha256=None)


def stored_documents() -> Iterator[Document]:
    """Every logged publication's stored file, in log order, with the anchors read from it."""
    from .models import Publication

    entries = PublicationLogEntry.objects.order_by("seq").values_list("serial", "sha256")
    for serial, logged in entries.iterator(chunk_size=200):
        publication = Publication.objects.filter(serial=serial).first()
        label = f"publication {serial}"
        if publication is None or not publication.file:
            yield Document(label, problem="the log lists it but no publication is stored")
            continue
        try:
            with publication.file.open("rb") as handle:
                data = handle.read()
        except OSError as exc:
            yield Document(label, problem=f"its file cannot be read: {exc}")
            continue
        yield _document(data, label, logged_sha256=logged)
