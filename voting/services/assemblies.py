"""Calling an assembly: the draft, its motions and attachments (notice and opening: ``opening``).

Who calls (RULES.md §3, ``accounts.permissions`` action ``assembly.call``):
the area's committee, or the street / community office or the bureau for an
area without one. Everything here is editable only while the assembly is a
draft: what owners were notified of is what they vote on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from estates.models import ManagementArea
from estates.selectors import area_roll
from gongzhi.errors import DomainError
from voting import counting
from voting.models import (
    Assembly,
    AssemblyAttachment,
    Candidate,
    Motion,
    kind_for_item,
    validate_upload,
)

from ._common import assembly_lock, state

# --------------------------------------------------------------------------- checks


def _require_caller(actor, area: ManagementArea) -> None:
    permissions.require(actor, "assembly.call", area)


def _require_draft(assembly: Assembly) -> None:
    if assembly.status != Assembly.Status.DRAFT:
        raise DomainError(
            "not_draft",
            _("会议已公告或已结束，内容不能再修改（当前状态：%(status)s）。")
            % {"status": assembly.get_status_display()},
        )


def _clean_title(title: str, *, field: str = "title", limit: int = 150) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("required", _("请填写名称。"), fields={field: _("必填。")})
    if len(title) > limit:
        message = _("不能超过 %(limit)d 字。") % {"limit": limit}
        raise DomainError("too_long", message, fields={field: message})
    return title


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    for name, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            message = _("请填写完整的日期和时间。")
            raise DomainError("bad_time", message, fields={name: message})
    if closes_at <= opens_at:
        message = _("截止时间必须晚于开始时间。")
        raise DomainError("bad_window", message, fields={"closes_at": message})


def _clean_scope(values: Iterable[str] | None) -> list[str]:
    return sorted({" ".join(str(v).split()) for v in values or () if str(v).strip()})


def _scope_roll(area: ManagementArea, buildings: Sequence[str], unit_codes: Sequence[str]):
    """The roll of the scope now; refuses a scope that names nothing or has no voting right."""
    try:
        roll = area_roll(area, buildings=buildings or None, unit_codes=unit_codes or None)
    except ValueError as exc:
        # A typo in a building or unit code must not shrink the quorum (estates.roll.scope_filter).
        message = _("表决范围有误：%(error)s") % {"error": exc}
        raise DomainError("bad_scope", message, fields={"scope": message}) from None
    if not roll.rights:
        message = _("表决范围内没有任何房屋。")
        raise DomainError("empty_scope", message, fields={"scope": message})
    return roll


def default_convener(area: ManagementArea) -> str:
    status = ManagementArea.CommitteeStatus
    if area.committee_status == status.OWNERS_COMMITTEE:
        return f"{area.name}业主委员会"
    if area.committee_status == status.INTERIM_COMMITTEE:
        return f"{area.name}物业管理委员会"
    # No committee: the street or community office calls (Civil Code art. 277 para 2).
    community = area.community
    return f"{community.street.name}{community.name}"


# --------------------------------------------------------------------------- draft


def assembly_create(
    *,
    area: ManagementArea,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    actor,
    rules_text: str = "",
    scope_buildings: Iterable[str] = (),
    scope_unit_codes: Iterable[str] = (),
    convener: str = "",
) -> Assembly:
    """A draft assembly of ``area`` (or of a 列支范围 in it: buildings and/or unit codes)."""
    _require_caller(actor, area)
    title = _clean_title(title)
    _check_window(opens_at, closes_at)
    buildings, codes = _clean_scope(scope_buildings), _clean_scope(scope_unit_codes)
    _scope_roll(area, buildings, codes)
    convener = _clean_title(convener, field="convener", limit=100) if convener else ""
    with transaction.atomic():
        assembly = Assembly.objects.create(
            area=area,
            title=title,
            convener=convener or default_convener(area),
            scope_buildings=buildings,
            scope_unit_codes=codes,
            rules_text=(rules_text or "").strip(),
            opens_at=opens_at,
            closes_at=closes_at,
            called_by=actor,
        )
        audit_record(
            actor=actor,
            action="assembly.create",
            obj=assembly,
            after=state(assembly),
            summary={"assembly": assembly.pk, "area": area.code, "title": title},
        )
    return assembly


UPDATABLE = ("title", "opens_at", "closes_at", "rules_text", "convener")


def assembly_update(
    *,
    assembly: Assembly,
    actor,
    scope_buildings: Iterable[str] | None = None,
    scope_unit_codes: Iterable[str] | None = None,
    **changes,
) -> Assembly:
    """Change a draft's title, window, rules text, convener or scope."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"assembly_update cannot change {', '.join(sorted(unknown))}")
    _require_caller(actor, assembly.area)
    with transaction.atomic():
        locked = assembly_lock(assembly)
        _require_draft(locked)
        before = state(locked)
        if "title" in changes:
            changes["title"] = _clean_title(changes["title"])
        if "convener" in changes:
            changes["convener"] = _clean_title(changes["convener"], field="convener", limit=100)
        if "rules_text" in changes:
            changes["rules_text"] = (changes["rules_text"] or "").strip()
        _check_window(
            changes.get("opens_at", locked.opens_at), changes.get("closes_at", locked.closes_at)
        )
        if scope_buildings is not None:
            changes["scope_buildings"] = _clean_scope(scope_buildings)
        if scope_unit_codes is not None:
            changes["scope_unit_codes"] = _clean_scope(scope_unit_codes)
        _scope_roll(
            locked.area,
            changes.get("scope_buildings", locked.scope_buildings),
            changes.get("scope_unit_codes", locked.scope_unit_codes),
        )
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changes) or None)
        audit_record(
            actor=actor,
            action="assembly.update",
            obj=locked,
            before=before,
            after=state(locked),
            summary={"assembly": locked.pk, "changed": sorted(changes)},
        )
    return locked


def motion_add(
    *,
    assembly: Assembly,
    title: str,
    item: int,
    actor,
    description: str = "",
    seats: int | None = None,
    candidates: Sequence[str | tuple[str, str]] = (),
) -> Motion:
    """Add a motion; its kind follows from the Civil Code art. 278 item (``kind_for_item``).

    An election (item 3) needs ``seats`` ≥ 1 and its candidates, each a name
    or a (name, statement) pair; other motions take neither.
    """
    _require_caller(actor, assembly.area)
    title = _clean_title(title, limit=200)
    try:
        kind = kind_for_item(int(item))
    except (TypeError, ValueError):
        message = _("请选择《民法典》第二百七十八条规定的事项（第一至第九项）。")
        raise DomainError("bad_item", message, fields={"item": message}) from None
    people: list[tuple[str, str]] = []
    if kind == counting.ELECTION:
        if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
            message = _("请填写应选名额（至少 1 名）。")
            raise DomainError("bad_seats", message, fields={"seats": message})
        for entry in candidates:
            name, statement = (entry, "") if isinstance(entry, str) else entry
            people.append((_clean_title(name, field="candidates", limit=100), statement or ""))
        if not people:
            message = _("选举议题至少需要一名候选人。")
            raise DomainError("no_candidates", message, fields={"candidates": message})
        if len({name for name, _statement in people}) != len(people):
            message = _("候选人姓名重复，请加以区分（如注明楼栋）。")
            raise DomainError("duplicate_candidates", message, fields={"candidates": message})
    elif seats is not None or candidates:
        message = _("只有选举议题（第三项）才有应选名额和候选人。")
        raise DomainError("not_election", message, fields={"seats": message})
    with transaction.atomic():
        locked = assembly_lock(assembly)
        _require_draft(locked)
        position = max(locked.motions.values_list("position", flat=True), default=0) + 1
        motion = Motion.objects.create(
            assembly=locked,
            position=position,
            code=f"m{position}",
            title=title,
            description=(description or "").strip(),
            item=int(item),
            kind=kind,
            seats=seats if kind == counting.ELECTION else None,
        )
        Candidate.objects.bulk_create(
            Candidate(motion=motion, position=n, code=f"c{n}", name=name, statement=statement)
            for n, (name, statement) in enumerate(people, start=1)
        )
        audit_record(
            actor=actor,
            action="motion.add",
            obj=motion,
            after={"code": motion.code, "item": motion.item, "kind": kind, "seats": motion.seats},
            summary={"assembly": locked.pk, "motion": motion.code, "title": title, "kind": kind},
        )
    return motion


def motion_remove(*, motion: Motion, actor) -> None:
    """Remove a motion from a draft. Codes of the others stay as they are (m1, m3 …)."""
    _require_caller(actor, motion.assembly.area)
    with transaction.atomic():
        locked = assembly_lock(motion.assembly)
        _require_draft(locked)
        audit_record(
            actor=actor,
            action="motion.remove",
            obj=motion,
            before={"code": motion.code, "title": motion.title},
            summary={"assembly": locked.pk, "motion": motion.code},
        )
        motion.delete()


def attachment_add(*, assembly: Assembly, title: str, file, actor) -> AssemblyAttachment:
    """Attach a PDF, JPEG or PNG (≤ 10 MB) to a draft; its SHA-256 is printed on the notice."""
    _require_caller(actor, assembly.area)
    title = _clean_title(title, limit=200)
    try:
        validate_upload(file)
    except ValidationError as exc:
        message = exc.messages[0]
        raise DomainError("bad_file", message, fields={"file": message}) from None
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1 << 16), b""):
        digest.update(chunk)
    file.seek(0)
    with transaction.atomic():
        locked = assembly_lock(assembly)
        _require_draft(locked)
        attachment = AssemblyAttachment(
            assembly=locked,
            title=title,
            size=file.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save(file.name, file, save=False)
        try:
            attachment.save()
            audit_record(
                actor=actor,
                action="assembly.attachment_add",
                obj=attachment,
                after={"title": title, "sha256": attachment.sha256, "size": attachment.size},
                summary={"assembly": locked.pk, "title": title, "sha256": attachment.sha256},
            )
        except BaseException:
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment
