"""Calling an assembly: the draft, its scope and attachments (motions: ``motions``; notice and opening: ``opening``).

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
from core.errors import Conflict, DomainError
from core.text import clean_text, join_list
from core.uploads import validate_upload
from estates.models import ManagementArea, Unit
from estates.selectors import area_roll
from voting import scoperule
from voting.models import (
    CIVIL_CODE_ITEMS,
    Assembly,
    AssemblyAttachment,
    item_name,
)

from .common import assembly_lock, state

# --------------------------------------------------------------------------- checks


def require_caller(actor, area: ManagementArea) -> None:
    permissions.require(actor, "assembly.call", area)


def require_draft(assembly: Assembly) -> None:
    if assembly.status != Assembly.Status.DRAFT:
        raise Conflict(
            "not_draft",
            _("会议已公告或已结束，内容不能再修改（当前状态：%(status)s）。")
            % {"status": assembly.get_status_display()},
        )


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    for name, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            message = _("请填写完整的日期和时间。")
            raise DomainError("bad_time", message, fields={name: message})
    if closes_at <= opens_at:
        message = _("截止时间必须晚于开始时间。")
        raise DomainError("bad_window", message, fields={"closes_at": message})


def clean_scope(values: Iterable[str] | None) -> list[str]:
    return sorted({" ".join(str(v).split()) for v in values or () if str(v).strip()})


def scope_roll(area: ManagementArea, buildings: Sequence[str], unit_codes: Sequence[str]):
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


# --------------------------------------------------------------------------- scope rule

# Where a breach of voting.scoperule is shown: the form and API field names.
_BREACH_FIELDS = {
    "scope": "scope_unit_codes",
    "motion_scope": "scope_buildings",
    "common_parts": "common_parts",
    "item": "item",
}


def places_of(area: ManagementArea) -> list[scoperule.Place]:
    """Every unit of ``area`` with its building and unit stair (for ``voting.scoperule``)."""
    return [
        scoperule.Place(code=code, building=building, stair=stair)
        for code, building, stair in Unit.objects.filter(area=area)
        .order_by("code")
        .values_list("code", "building__name", "stair")
    ]


def _item_name(item: int | None) -> str:
    return item_name(item) if item in CIVIL_CODE_ITEMS else ""


def breach_message(breach: scoperule.Breach, *, scope: str = "") -> str:
    """A breach of the scope rule (``voting.scoperule``) in words a committee understands."""
    names = join_list(breach.names)
    item = _item_name(breach.item)
    texts = {
        "unknown": _("范围有误：楼栋或房屋编码不存在：%(names)s。"),
        "hand_picked": _(
            "表决范围和列支范围只能由整栋楼或整个单元组成，不能挑选个别房屋"
            "（%(names)s 只列了部分房屋；要么列出该单元的全部房屋，要么勾选整栋楼）。"
        ),
        "whole_area_item": _(
            "%(item)s须由全体业主（整个物业管理区域）表决，本次会议的表决范围为“%(scope)s”，"
            "不能表决此项（《民法典》第二百七十八条；部分范围只能表决第五至第八项）。"
        ),
        "no_parts_for_item": _(
            "%(item)s没有列支范围或涉及部位，请不要填写（只有第五至第八项填写）。"
        ),
        "fund_area_wide": _(
            "%(item)s的列支范围是全体业主，须由全体业主（整个物业管理区域）表决；"
            "本次会议的表决范围为“%(scope)s”。请填写与本次会议表决范围相同的列支范围。"
        ),
        "fund_scope_differs": _(
            "%(item)s的列支范围须与本次会议的表决范围“%(scope)s”完全相同："
            "承担费用的业主才是表决的业主。"
        ),
        "area_wide_parts": _(
            "%(item)s涉及全区域共有部分（%(names)s），须由全体业主（整个物业管理区域）表决；"
            "本次会议的表决范围为“%(scope)s”。"
        ),
        "parts_not_named": _(
            "%(item)s请写明涉及的楼栋、单元或共有部分；未写明的视为涉及整个区域，"
            "须由全体业主表决（本次会议的表决范围为“%(scope)s”）。"
        ),
        "parts_outside": _(
            "%(item)s涉及的部位由表决范围以外的业主共有（%(names)s），"
            "共有这些部位的业主都须在表决范围内（本次会议的表决范围为“%(scope)s”）。"
        ),
        "unknown_part": _("没有这种全区域共有部分：%(names)s。"),
        "bad_item": _("请选择《民法典》第二百七十八条规定的事项（第一至第九项）。"),
    }
    return texts[breach.code] % {"names": names, "item": item, "scope": scope}


def breach_error(breach: scoperule.Breach, *, scope: str = "") -> DomainError:
    message = breach_message(breach, scope=scope)
    field = _BREACH_FIELDS.get(breach.field, breach.field)
    if breach.code == "hand_picked" and breach.field == "motion_scope":
        field = "scope_unit_codes"
    return DomainError(f"scope_{breach.code}", message, fields={field: message})


def _check_scope_shape(area: ManagementArea, buildings: Sequence[str], codes: Sequence[str]):
    """RULES.md §1: a partial scope is whole buildings or whole unit stairs, never hand-picked."""
    try:
        scoperule.scope_units(places_of(area), buildings, codes)
    except scoperule.ScopeBreach as exc:
        raise breach_error(exc.breach) from None


def motion_scope_check(
    assembly: Assembly,
    *,
    item: int,
    scope_buildings: Sequence[str] = (),
    scope_unit_codes: Sequence[str] = (),
    common_parts: Sequence[str] = (),
    places: list[scoperule.Place] | None = None,
) -> None:
    """Refuse a motion of art. 278 ``item`` the assembly's scope may not decide (RULES.md §1).

    The rule is ``voting.scoperule.motion_check``; this turns its breach into a
    ``DomainError`` naming the field and the item (400 on page and API).
    """
    try:
        scoperule.motion_check(
            places if places is not None else places_of(assembly.area),
            item=item,
            scope_buildings=assembly.scope_buildings,
            scope_unit_codes=assembly.scope_unit_codes,
            motion_buildings=scope_buildings,
            motion_unit_codes=scope_unit_codes,
            common_parts=common_parts,
        )
    except scoperule.ScopeBreach as exc:
        raise breach_error(exc.breach, scope=assembly.scope_text()) from None


def assembly_scope_check(
    assembly: Assembly, *, places: list[scoperule.Place] | None = None
) -> None:
    """The whole rule over a saved assembly: its scope's shape, then each motion (at notice;
    ``voting.selectors.scope_breaches`` runs it over assemblies already past their notice)."""
    places = places if places is not None else places_of(assembly.area)
    try:
        scoperule.scope_units(places, assembly.scope_buildings, assembly.scope_unit_codes)
    except scoperule.ScopeBreach as exc:
        raise breach_error(exc.breach) from None
    for motion in assembly.motions.all():
        try:
            motion_scope_check(
                assembly,
                item=motion.item,
                scope_buildings=motion.scope_buildings,
                scope_unit_codes=motion.scope_unit_codes,
                common_parts=motion.common_parts,
                places=places,
            )
        except DomainError as error:
            raise DomainError(
                error.code,
                _("议题 %(position)d“%(title)s”：%(reason)s")
                % {"position": motion.position, "title": motion.title, "reason": error.message},
                fields=error.fields,
            ) from None


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
    require_caller(actor, area)
    title = clean_text(title, field="title", limit=150, label=_("名称"))
    _check_window(opens_at, closes_at)
    buildings, codes = clean_scope(scope_buildings), clean_scope(scope_unit_codes)
    scope_roll(area, buildings, codes)
    _check_scope_shape(area, buildings, codes)
    convener = (
        clean_text(convener, field="convener", limit=100, label=_("召集人")) if convener else ""
    )
    with transaction.atomic():
        assembly = Assembly.objects.create(
            area=area,
            title=title,
            convener=convener or default_convener(area),
            scope_buildings=buildings,
            scope_unit_codes=codes,
            rules_text=clean_text(
                rules_text, field="rules_text", limit=RULES_LIMIT, required=False, multiline=True
            ),
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


# Long texts (TextFields): generous limits, still a limit (core.text.clean_text).
RULES_LIMIT = 10000
TEXT_LIMIT = 5000

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
    require_caller(actor, assembly.area)
    with transaction.atomic():
        locked = assembly_lock(assembly)
        require_draft(locked)
        before = state(locked)
        if "title" in changes:
            changes["title"] = clean_text(
                changes["title"], field="title", limit=150, label=_("名称")
            )
        if "convener" in changes:
            changes["convener"] = clean_text(
                changes["convener"], field="convener", limit=100, label=_("召集人")
            )
        if "rules_text" in changes:
            changes["rules_text"] = clean_text(
                changes["rules_text"],
                field="rules_text",
                limit=RULES_LIMIT,
                required=False,
                multiline=True,
            )
        _check_window(
            changes.get("opens_at", locked.opens_at), changes.get("closes_at", locked.closes_at)
        )
        if scope_buildings is not None:
            changes["scope_buildings"] = clean_scope(scope_buildings)
        if scope_unit_codes is not None:
            changes["scope_unit_codes"] = clean_scope(scope_unit_codes)
        scope_roll(
            locked.area,
            changes.get("scope_buildings", locked.scope_buildings),
            changes.get("scope_unit_codes", locked.scope_unit_codes),
        )
        _check_scope_shape(
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


def attachment_add(*, assembly: Assembly, title: str, file, actor) -> AssemblyAttachment:
    """Attach a PDF, JPEG or PNG (≤ 10 MB) to a draft; its SHA-256 is printed on the notice."""
    require_caller(actor, assembly.area)
    title = clean_text(title, field="title", limit=200, label=_("名称"))
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
        require_draft(locked)
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
