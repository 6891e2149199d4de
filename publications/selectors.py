"""Reads: the public register, supersession chains, the log, and checking a file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.integrity import anchor_check

from . import logchain
from .anchors import anchor_text, anchors_read
from .models import Publication, PublicationLogEntry
from .signing import SignatureCheck, sha256_hex, signature_check

_SERIAL_RE = re.compile(r"\b([A-Z]{1,8}-\d{4}-\d{6})\b")


def publication_list(*, area_code: str = "", kind: str = "", query: str = "") -> QuerySet:
    """Public list, newest first; ``query`` matches serial, title, area name or period."""
    publications = Publication.objects.select_related(
        "area", "area__community", "area__community__street", "superseded_by"
    )
    if area_code:
        publications = publications.filter(area__code=area_code)
    if kind:
        publications = publications.filter(kind=kind)
    query = query.strip()
    if query:
        publications = publications.filter(
            Q(serial__icontains=query)
            | Q(title__icontains=query)
            | Q(area__name__icontains=query)
            | Q(area__estate_name__icontains=query)
            | Q(period__icontains=query)
        )
    return publications.order_by("-issued_at", "-serial")


def publication_get(serial: str) -> Publication | None:
    return (
        Publication.objects.select_related("area", "area__community__street", "superseded_by")
        .filter(serial=serial)
        .first()
    )


def supersession_chain(publication: Publication) -> list[Publication]:
    """Every version of a notice, oldest first: what it corrected and what corrected it."""
    chain = [publication]
    seen = {publication.pk}
    current = publication
    while True:
        try:
            earlier = current.supersedes
        except Publication.DoesNotExist:
            break
        if earlier.pk in seen:
            break
        chain.insert(0, earlier)
        seen.add(earlier.pk)
        current = earlier
    current = publication
    while current.superseded_by_id and current.superseded_by_id not in seen:
        current = Publication.objects.get(pk=current.superseded_by_id)
        chain.append(current)
        seen.add(current.pk)
    return chain


def latest_version(publication: Publication) -> Publication:
    return supersession_chain(publication)[-1]


def log_document() -> dict:
    """The whole publication log as published at /publications/log.json."""
    entries = [entry.as_record() for entry in PublicationLogEntry.objects.order_by("seq")]
    return {
        "format": logchain.FORMAT,
        "publisher": settings.GONGZHI_BUREAU_NAME,
        "hash": "sha256 of canonical JSON of the fields " + ",".join(logchain.FIELDS),
        "entries": entries,
        "head": entries[-1]["hash"] if entries else logchain.GENESIS,
    }


def log_verify() -> tuple[int, dict | None, str]:
    """Re-check the stored chain: (good entries, first bad entry or None, reason)."""
    return logchain.first_break(
        entry.as_record() for entry in PublicationLogEntry.objects.order_by("seq")
    )


# --------------------------------------------------------------------------- checking files


@dataclass(frozen=True)
class Verification:
    """What the verify page tells a member of the public about a file."""

    status: str  # current | superseded | altered | unknown
    message: str
    sha256: str
    publication: Publication | None = None
    latest: Publication | None = None
    claimed_serial: str = ""
    signature: SignatureCheck | None = None
    notes: list[str] = field(default_factory=list)
    # The chain heads the file carries, each checked against the database now
    # (publications.anchors): (what, head, None if it holds or why not).
    anchors: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def anchors_broken(self) -> bool:
        return any(reason is not None for _what, _head, reason in self.anchors)

    @property
    def authentic(self) -> bool:
        return self.status in {"current", "superseded"}


def _anchors_checked(data: bytes) -> list[tuple[str, str, str | None]]:
    """The anchors of a file whose signature covers it whole, each checked now."""
    try:
        anchors = anchors_read(data) or []
    except ValueError as exc:
        return [(_("防篡改锚点"), "", str(exc))]
    return [(anchor_text(a), str(a.get("head", "")), anchor_check(a)) for a in anchors]


def publication_verify_file(*, data: bytes, serial: str = "") -> Verification:
    """Check a file against the register (its SHA-256) and its signature.

    Authentic means: the exact bytes are in the register **and** the
    certification signature is intact, trusted and covers the whole file.
    The chain heads such a file carries are checked against the database as
    it is now (``anchors``; DESIGN.md "Trust anchors"), as
    ``audit_verify --anchors`` does.
    ``serial`` is the notice the person expects (from /verify/<serial>).
    """
    digest = sha256_hex(data)
    check = signature_check(data)
    registered = Publication.objects.select_related("superseded_by").filter(sha256=digest).first()
    notes: list[str] = []
    if registered is not None and serial and registered.serial != serial:
        notes.append(
            _("注意：该文件是公示 %(found)s，不是您正在查看的 %(serial)s。")
            % {"found": registered.serial, "serial": serial}
        )
    if registered is not None:
        anchors = _anchors_checked(data) if check.ok else []
        if any(reason is not None for _what, _head, reason in anchors):
            notes.append(
                _(
                    "警告：本文件签章时记录的哈希链末端与数据库现有记录不一致，"
                    "说明数据库中的记录在本公示发布后被改写，已记录的结果不可信。"
                    "请联系%(bureau)s。"
                )
                % {"bureau": settings.GONGZHI_BUREAU_NAME}
            )
        elif anchors:
            notes.append(_("本文件携带的防篡改锚点与数据库现有记录一致。"))
        if not check.ok:
            # The bytes are exactly what we published, so the register decides;
            # a failing signature here means our own trust setup needs attention.
            notes.append(
                _("但本次未能验证其电子签章（%(detail)s），请联系%(bureau)s。")
                % {"detail": check.detail.rstrip("。"), "bureau": settings.GONGZHI_BUREAU_NAME}
            )
        if registered.superseded_by_id is None:
            message = _(
                "真实有效，且为现行版本：该文件与登记的公示 %(serial)s《%(title)s》逐字节一致，"
                "电子签章有效。"
            ) % {"serial": registered.serial, "title": registered.title}
            return Verification(
                "current",
                message,
                digest,
                registered,
                registered,
                registered.serial,
                check,
                notes,
                anchors,
            )
        latest = latest_version(registered)
        message = _(
            "文件真实，但已被更正：该文件是公示 %(serial)s《%(title)s》，已被 %(new)s 更正取代，"
            "请以现行版本 %(latest)s《%(latest_title)s》为准。"
        ) % {
            "serial": registered.serial,
            "title": registered.title,
            "new": registered.superseded_by.serial,
            "latest": latest.serial,
            "latest_title": latest.title,
        }
        return Verification(
            "superseded",
            message,
            digest,
            registered,
            latest,
            registered.serial,
            check,
            notes,
            anchors,
        )

    claimed_serial = serial
    if not claimed_serial:
        match = _SERIAL_RE.search(check.reason or "")
        claimed_serial = match.group(1) if match else ""
    claimed = publication_get(claimed_serial) if claimed_serial else None
    if claimed is not None:
        message = _(
            "文件已被改动或不完整：它对应公示 %(serial)s《%(title)s》，但与登记的文件不一致"
            "（%(detail)s）。请以本平台发布的原件为准。"
        ) % {"serial": claimed.serial, "title": claimed.title, "detail": check.detail.rstrip("。")}
        return Verification(
            "altered",
            message,
            digest,
            claimed,
            latest_version(claimed),
            claimed.serial,
            check,
            notes,
        )
    # The detail is a sentence of its own ("文件中没有电子签章。"): its full stop goes, so
    # the bracket closes the sentence once ("…（文件中没有电子签章）。", not "。）。").
    message = _("无法确认：该文件不是本平台登记的公示，或已被改动（%(detail)s）。") % {
        "detail": check.detail.rstrip("。")
    }
    return Verification("unknown", message, digest, None, None, claimed_serial, check, notes)
