"""Issuing publications: render, sign, register, log (RULES.md §7).

``publication_issue`` is the one way any app publishes a notice. It allocates
the next serial under a per-year counter lock, renders the template to
PDF/A-3b with that serial, its QR code and the seal position, signs it,
stores the file, appends to the hash-chained publication log and records an
audit event — all in one transaction, so a refused rendering (missing glyph,
no Chinese font, signing not set up) stores nothing and uses no serial.

Rendering happens while the year's counter row is locked. That serialises
issuing within a year — a few notices a day, seconds each — and is what keeps
serials gapless: a missing number would look like a deleted notice.

Every notice carries, in its signed content, the heads of the audit chain and
of the publication log as last committed before it was rendered, and any
chain head the issuer adds (``publications.anchors``; DESIGN.md "Trust
anchors"): printed on the page and embedded as ``gongzhi-anchors.json``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import cn_date

from . import logchain
from .anchors import ANCHOR_FILE, anchor_text, anchors_current, anchors_document
from .models import Kind, Publication, PublicationLogEntry, PublicationLogHead, SerialCounter
from .rendering import render_pdf, require_cjk_fonts
from .seal import SealFontError, seal_check
from .signing import SigningConfig, current_signer, sha256_hex, sign_pdf

PDF_LANGUAGE = "zh-hans"  # a notice is an official Chinese document, whatever the UI language


def content_digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def verify_url(serial: str) -> str:
    """The public verification page a notice's QR code points to."""
    return settings.GONGZHI_PUBLIC_BASE_URL + reverse("publications:verify", args=[serial])


def _qr_data_uri(url: str) -> str:
    import segno

    # Error correction M survives a fold or a smudge on a printed notice.
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)


def _area_header(area) -> str:
    district = settings.GONGZHI_DISTRICT_NAME
    if area is None:
        return district
    community = area.community
    return f"{district} · {community.street.name}{community.name} · {area.name}"


# --------------------------------------------------------------------------- serials


def _serial_reserve(*, prefix: str, year: int) -> tuple[SerialCounter, int]:
    """Lock the year's counter row and return it with the next number (not yet written)."""
    counter, _created = SerialCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    return counter, counter.last + 1


def _serial_commit(counter: SerialCounter, number: int) -> None:
    # Compare-and-set: on PostgreSQL the row lock already guarantees it; on
    # SQLite (no row locks) a concurrent issuer is refused instead of duplicated.
    updated = SerialCounter.objects.filter(pk=counter.pk, last=number - 1).update(last=number)
    if updated != 1:
        raise Conflict("serial_busy", _("另一份公示正在签发，请稍后重试。"))


def format_serial(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


# --------------------------------------------------------------------------- log


def _log_append(*, publication: Publication, supersedes: Publication | None) -> PublicationLogEntry:
    # One head row, locked: the chain has exactly one next link.
    head = PublicationLogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        PublicationLogHead.objects.get_or_create(
            pk=1, defaults={"last_hash": logchain.GENESIS, "count": 0}
        )
        head = PublicationLogHead.objects.select_for_update().get(pk=1)
    entry = PublicationLogEntry(
        seq=head.count + 1,
        publication=publication,
        at=publication.issued_at,
        serial=publication.serial,
        kind=publication.kind,
        area=publication.area.code if publication.area_id else "",
        period=publication.period,
        title=publication.title,
        sha256=publication.sha256,
        supersedes=supersedes.serial if supersedes else "",
        prev=head.last_hash,
    )
    entry.hash = ""
    entry.hash = logchain.entry_hash(entry.as_record())
    entry.save(force_insert=True)
    PublicationLogHead.objects.filter(pk=1).update(last_hash=entry.hash, count=entry.seq)
    return entry


# --------------------------------------------------------------------------- issue


def _check_supersedes(old: Publication, *, kind: str, area) -> None:
    if old.superseded_by_id is not None:
        raise Conflict(
            "already_superseded",
            _("公示 %(serial)s 已被更正过，请更正其现行版本。") % {"serial": old.serial},
        )
    if old.kind != kind or old.area_id != (area.pk if area is not None else None):
        raise Conflict(
            "supersede_mismatch",
            _("更正公示必须与原公示 %(serial)s 的类别和物业管理区域相同。")
            % {"serial": old.serial},
        )


@contextmanager
def issued_file_guard(publication: Publication) -> Iterator[Publication]:
    """Wrap the caller's own step after ``publication_issue`` (in the same transaction):
    if it fails, the whole issue rolls back and the signed file must not outlive its row."""
    try:
        yield publication
    except BaseException:
        publication.file.storage.delete(publication.file.name)
        raise


def publication_issue(
    *,
    kind: str,
    area,
    period: str,
    template: str,
    context: dict[str, Any],
    actor,
    title: str | None = None,
    supersedes: Publication | None = None,
    data_digest: str | None = None,
    anchors: list[dict[str, Any]] | None = None,
) -> Publication:
    """Render, sign, register and log one notice; return the new ``Publication``.

    ``template`` extends ``publications/pdf/base.html``; it receives ``context``
    plus ``pub`` (serial, title, dates, QR code …). ``area`` is a
    ``ManagementArea`` or None for a district-wide notice. ``supersedes``
    makes this a correction of a current notice of the same kind and area:
    both stay public, the old one marked superseded. ``actor`` None means the
    system (management commands, jobs); a user needs ``publication.issue``.
    ``data_digest`` identifies the data shown (default: a digest of the
    context), so a caller can tell whether a re-issue would change anything.
    ``anchors`` are chain heads the notice carries beside the audit chain's and
    the publication log's (``publications.anchors``; a vote result adds its
    ballot chain).
    """
    period, title, kind_label = _request_check(
        kind=kind, area=area, period=period, title=title, context=context
    )
    if actor is not None:
        permissions.require(actor, "publication.issue", area)
    if supersedes is not None:
        _check_supersedes(supersedes, kind=kind, area=area)
    # Fail before taking any lock when the machine cannot produce a notice at all.
    config = _machine_check()

    prefix = settings.GONGZHI_SERIAL_PREFIX
    issued_at = timezone.now()
    year = timezone.localtime(issued_at).year
    if data_digest is None:
        data_digest = content_digest({"kind": kind, "period": period, "title": title, **context})

    # The chain heads are read before any lock is taken and without locking the
    # heads: rendering and signing take seconds, and every writer of the audit
    # chain would wait on its head row meanwhile (DESIGN.md "Trust anchors").
    carried = anchors_current(anchors)

    with transaction.atomic():
        counter, number = _serial_reserve(prefix=prefix, year=year)
        serial = format_serial(prefix, year, number)
        old = None
        if supersedes is not None:
            old = Publication.objects.select_for_update().get(pk=supersedes.pk)
            _check_supersedes(old, kind=kind, area=area)
        pub = _page_facts(
            serial=serial, title=title, kind=kind, kind_label=kind_label, period=period,
            issued_at=issued_at, config=config, area=area, carried=carried, old=old,
        )  # fmt: skip
        rendered, signed, signer_fingerprint = _render_and_sign(
            template=template, context={**context, "pub": pub}, carried=carried, config=config
        )
        _serial_commit(counter, number)
        publication = _publication_new(
            pub=pub, area=area, signed=signed, rendered=rendered, signer=signer_fingerprint,
            data_digest=data_digest, actor=actor,
        )  # fmt: skip
        try:
            _record(publication=publication, old=old, actor=actor)
        except BaseException:
            # The row did not make it: do not leave its file behind.
            publication.file.storage.delete(publication.file.name)
            raise
    return publication


def _request_check(*, kind: str, area, period: str, title: str | None, context) -> tuple:
    """The request's own content: a known kind, a period, a title (given or made)."""
    if kind not in Kind.values:
        raise DomainError("bad_kind", _("未知的公示类别：%(kind)s。") % {"kind": kind})
    period = (period or "").strip()
    if not period or len(period) > 50:
        raise DomainError(
            "bad_period", _("请填写公示期间（不超过 50 字）。"), fields={"period": _("必填。")}
        )
    with translation.override(PDF_LANGUAGE):
        kind_label = str(Kind(kind).label)
        title = (title or str(context.get("title") or "")).strip()
        if not title:
            title = f"{area.name}{kind_label}" if area is not None else kind_label
    if len(title) > 200:
        raise DomainError(
            "bad_title", _("公示标题不能超过 200 字。"), fields={"title": _("太长。")}
        )
    return period, title, kind_label


def _machine_check() -> SigningConfig:
    """Whether this machine can produce a notice at all: fonts, signer, seal."""
    require_cjk_fonts()
    config = SigningConfig.from_settings()
    current_signer(config)
    try:
        seal_check(config.bureau_name)
    except SealFontError as exc:
        raise DomainError(
            "seal_font",
            _("无法绘制电子印章：机构名称“%(name)s”中有中文字体没有的字。")
            % {"name": config.bureau_name},
        ) from exc
    return config


def _page_facts(
    *, serial, title, kind, kind_label, period, issued_at, config, area, carried, old
) -> dict[str, Any]:
    """What every notice's page shows about itself (the template's ``pub``)."""
    url = verify_url(serial)
    return {
        "serial": serial,
        "title": title,
        "kind": kind,
        "kind_label": kind_label,
        "period": period,
        "issued_at": issued_at,
        "issued_date": cn_date(issued_at),
        "bureau": config.bureau_name,
        "district": config.district_name,
        "area": area,
        "header": _area_header(area),
        "verify_url": url,
        "qr": _qr_data_uri(url),
        "anchors": [{"label": anchor_text(a), "head": a["head"]} for a in carried],
        "supersedes": (
            {"serial": old.serial, "title": old.title, "issued_date": cn_date(old.issued_at)}
            if old
            else None
        ),
    }


def _record(*, publication: Publication, old: Publication | None, actor) -> None:
    """Store the row, mark the superseded one, append to the log, write the audit events."""
    serial, kind, area = publication.serial, publication.kind, publication.area
    publication.save(force_insert=True)
    if old is not None:
        # The one change a published row ever takes (RULES.md §7).
        marked = Publication.objects.filter(pk=old.pk, superseded_by__isnull=True).update(
            superseded_by=publication
        )
        if marked != 1:
            raise Conflict("already_superseded", _("原公示已被更正过。"))
    _log_append(publication=publication, supersedes=old)
    audit_record(
        actor=actor,
        action="publication.issue",
        obj=publication,
        after={"serial": serial, "sha256": publication.sha256, "kind": kind},
        summary={
            "serial": serial,
            "title": publication.title,
            "kind": kind,
            "area": area.code if area is not None else "",
            "sha256": publication.sha256,
            "supersedes": old.serial if old else "",
        },
    )
    if old is not None:
        audit_record(
            actor=actor,
            action="publication.supersede",
            obj=old,
            before={"serial": old.serial, "superseded_by": None},
            after={"serial": old.serial, "superseded_by": serial},
            summary={"serial": old.serial, "superseded_by": serial},
        )


def _render_and_sign(*, template: str, context: dict[str, Any], carried, config) -> tuple:
    """The notice as PDF/A, then signed: (rendered, signed bytes, signer fingerprint)."""
    with translation.override(PDF_LANGUAGE):
        rendered = render_pdf(
            template=template,
            context=context,
            attachments={ANCHOR_FILE: anchors_document(carried)},
        )
    signed, signer_fingerprint = sign_pdf(
        rendered.data,
        page=rendered.seal_page,
        box=rendered.seal_box,
        reason=f"{config.bureau_name}公示 {context['pub']['serial']}",
        location=config.district_name,
        config=config,
    )
    return rendered, signed, signer_fingerprint


def _file_attach(publication: Publication, signed: bytes) -> None:
    # A file already at this serial's name can only be left by an issue that rolled back
    # (serials are committed with their row): replace it rather than save beside it.
    filename = f"{publication.serial}.pdf"
    publication.file.storage.delete(publication.file.field.generate_filename(publication, filename))
    publication.file.save(filename, ContentFile(signed), save=False)


def _publication_new(*, pub, area, signed, rendered, signer, data_digest, actor) -> Publication:
    """The register row of a signed notice, its file stored (the row is saved by ``_record``)."""
    publication = Publication(
        serial=pub["serial"],
        kind=pub["kind"],
        area=area,
        period=pub["period"],
        title=pub["title"],
        sha256=sha256_hex(signed),
        size=len(signed),
        pages=rendered.pages,
        signer_fingerprint=signer,
        data_digest=data_digest,
        issued_at=pub["issued_at"],
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _file_attach(publication, signed)
    return publication
