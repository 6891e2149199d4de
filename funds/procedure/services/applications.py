"""The proposal of a fund-use application (RULES.md §4, Order 165 arts. 22–23).

Proposal (``fund.apply``: property company, committee or owners): items and
budget (with quotes), 列支范围, attachments, editable while a draft; the vote
on it is ``application_vote``, the review and everything after it
``application_review``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Role
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text
from core.uploads import validate_upload
from estates.models import ManagementArea
from funds.models import ApplicationAttachment, ApplicationItem, FundApplication, RepairType
from funds.procedure.services.limit_settings import clean_tolerance
from funds.procedure.services.scope import clean_scope_lists
from funds.procedure.services.steps import clean_fen, transition

Status = FundApplication.Status
MAX_ITEMS = 50


def application_lock(application: FundApplication) -> FundApplication:
    return (
        FundApplication.objects.select_for_update(of=("self",))
        .select_related("area", "assembly", "motion", "fund_use")
        .get(pk=application.pk)
    )


def _applicant_role(actor) -> str:
    roles = permissions.roles_of(actor)
    for role in (Role.COMMITTEE_MEMBER, Role.PROPERTY_STAFF, Role.OWNER):
        if role in roles:
            return role
    return ""


def editor_require(actor, application: FundApplication) -> None:
    permissions.require(actor, "fund.apply", application.area)
    if application.applicant_id != getattr(actor, "pk", None):
        raise DomainError("not_applicant", _("只有申请人可以修改本申请。"))


def _clean_items(items: Iterable) -> list[tuple[str, str, int]]:
    cleaned = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, Mapping):
            name, spec, amount = item.get("name", ""), item.get("spec", ""), item.get("amount_fen")
        else:
            name, spec, amount = item
        field = f"items.{number}"
        cleaned.append(
            (
                clean_text(name, field=field, limit=200),
                clean_text(spec, field=field, limit=300, required=False),
                clean_fen(amount, field=field),
            )
        )
    if len(cleaned) > MAX_ITEMS:
        raise DomainError("too_many_items", _("预算明细最多 %(n)d 项。") % {"n": MAX_ITEMS})
    return cleaned


def _store_items(application: FundApplication, items: list[tuple[str, str, int]]) -> None:
    application.items.all().delete()
    ApplicationItem.objects.bulk_create(
        ApplicationItem(application=application, position=n, name=name, spec=spec, amount_fen=fen)
        for n, (name, spec, fen) in enumerate(items, start=1)
    )
    application.budget_fen = sum(fen for _name, _spec, fen in items)


def _state(application: FundApplication) -> dict:
    return {
        "status": application.status,
        "title": application.title,
        "repair_type": application.repair_type,
        "budget_fen": application.budget_fen,
        "tolerance_pct": application.tolerance_pct,
        "scope": [application.scope_buildings, application.scope_unit_codes],
        "items": list(application.items.values_list("name", "spec", "amount_fen")),
    }


# --------------------------------------------------------------------------- proposal


def application_create(
    *,
    area: ManagementArea,
    title: str,
    repair_type: str,
    actor,
    description: str = "",
    scope_buildings: Iterable[str] = (),
    scope_unit_codes: Iterable[str] = (),
    contractor: str = "",
    items: Iterable = (),
    tolerance_pct: int = 0,
) -> FundApplication:
    """A draft application of ``area`` by ``actor`` (``fund.apply`` in the area).

    ``tolerance_pct``: the owners' tolerance N printed in the motion (RULES §4
    "use"; 0..``GONGZHI_FUND_TOLERANCE_CAP_PCT``): settlement ceiling = budget
    + floor(budget × N / 100).
    """
    permissions.require(actor, "fund.apply", area)
    tolerance_pct = clean_tolerance(tolerance_pct)
    title = clean_text(title, field="title", limit=150)
    if repair_type not in RepairType.values:
        raise DomainError("bad_type", _("请选择维修类别。"), fields={"repair_type": _("必选。")})
    buildings, codes = clean_scope_lists(area, scope_buildings, scope_unit_codes, whole_stairs=True)
    cleaned = _clean_items(items)
    with transaction.atomic():
        application = FundApplication.objects.create(
            area=area,
            title=title,
            description=clean_text(
                description, field="description", required=False, limit=2000, multiline=True
            ),
            repair_type=repair_type,
            scope_buildings=buildings,
            scope_unit_codes=codes,
            contractor=clean_text(contractor, field="contractor", limit=200, required=False),
            tolerance_pct=tolerance_pct,
            applicant=actor,
            applicant_role=_applicant_role(actor),
        )
        _store_items(application, cleaned)
        application.save(update_fields=["budget_fen"])
        audit_record(
            actor=actor,
            action="fund_application.create",
            obj=application,
            after=_state(application),
            summary={"application": application.pk, "area": area.code, "title": title},
        )
    return application


UPDATABLE = ("title", "description", "repair_type", "contractor", "tolerance_pct")


def application_update(
    *,
    application: FundApplication,
    actor,
    items: Iterable | None = None,
    scope_buildings: Iterable[str] | None = None,
    scope_unit_codes: Iterable[str] | None = None,
    **changes,
) -> FundApplication:
    """Change a draft: text fields, items (budget = their sum) or scope."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"application_update cannot change {', '.join(sorted(unknown))}")
    editor_require(actor, application)
    if "title" in changes:
        changes["title"] = clean_text(changes["title"], field="title", limit=150)
    if "description" in changes:
        changes["description"] = clean_text(
            changes["description"], field="description", required=False, limit=2000, multiline=True
        )
    if "contractor" in changes:
        changes["contractor"] = clean_text(
            changes["contractor"], field="contractor", limit=200, required=False
        )
    if "repair_type" in changes and changes["repair_type"] not in RepairType.values:
        raise DomainError("bad_type", _("请选择维修类别。"), fields={"repair_type": _("必选。")})
    if "tolerance_pct" in changes:
        changes["tolerance_pct"] = clean_tolerance(changes["tolerance_pct"])
    cleaned = _clean_items(items) if items is not None else None
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status not in FundApplication.EDITABLE:
            raise Conflict("not_draft", _("申请已提交业主表决，预算和列支范围不能再修改。"))
        before = _state(locked)
        if scope_buildings is not None or scope_unit_codes is not None:
            buildings, codes = clean_scope_lists(
                locked.area,
                locked.scope_buildings if scope_buildings is None else scope_buildings,
                locked.scope_unit_codes if scope_unit_codes is None else scope_unit_codes,
                whole_stairs=True,
            )
            changes.update(scope_buildings=buildings, scope_unit_codes=codes)
        if cleaned is not None:
            _store_items(locked, cleaned)
            changes["budget_fen"] = locked.budget_fen
        for name, value in changes.items():
            setattr(locked, name, value)
        if changes:
            locked.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            action="fund_application.update",
            obj=locked,
            before=before,
            after=_state(locked),
            summary={"application": locked.pk, "changed": sorted(changes)},
        )
    return locked


def _file_digest(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def attachment_check(*, kind: str, file) -> str:
    """Refuse a file that is not a PDF/JPG/PNG (by content) of at most 10 MB, or a photo
    that is not an image; return its original name. Nothing is stored."""
    if kind not in ApplicationAttachment.Kind.values:
        raise DomainError("bad_kind", _("未知的材料类别。"), fields={"kind": _("无效。")})
    try:
        validate_upload(file)
    except ValidationError as exc:
        message = exc.messages[0]
        raise DomainError("bad_file", message, fields={"file": message}) from None
    original = (getattr(file, "name", "") or "file").rsplit("/", 1)[-1][:200]
    if kind == ApplicationAttachment.Kind.ACCEPTANCE_PHOTO and not original.lower().endswith(
        (".jpg", ".jpeg", ".png")
    ):
        message = _("现场照片只能是 JPG 或 PNG 图片。")
        raise DomainError("bad_file", message, fields={"photos": message})
    return original


def attachment_store(
    application: FundApplication, *, kind: str, title: str, file, actor
) -> ApplicationAttachment:
    """Check and store one file, audited; the caller holds the application's lock.

    If the surrounding transaction fails later, the file stays on storage
    without a row: callers storing several files check them all first
    (``attachment_check``) so that a bad one is refused before any is written.
    """
    original = attachment_check(kind=kind, file=file)
    attachment = ApplicationAttachment(
        application=application,
        kind=kind,
        title=clean_text(title or original, field="title", limit=200),
        original_name=original,
        size=file.size,
        sha256=_file_digest(file),
        uploaded_by=actor,
    )
    attachment.file.save(original, file, save=False)
    try:
        attachment.save()
        audit_record(
            actor=actor,
            action="fund_application.attach",
            obj=attachment,
            after={"kind": kind, "sha256": attachment.sha256, "size": attachment.size},
            summary={"application": application.pk, "kind": kind, "title": attachment.title},
        )
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def application_attach(
    *, application: FundApplication, kind: str, title: str, file, actor
) -> ApplicationAttachment:
    """Add a quote, plan or other material (a draft, or an application returned for completion)."""
    editor_require(actor, application)
    if kind not in ApplicationAttachment.PROPOSAL_KINDS:
        raise DomainError("bad_kind", _("验收材料请在验收时上传。"), fields={"kind": _("无效。")})
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status not in (Status.DRAFT, Status.RETURNED):
            raise Conflict("not_editable", _("当前状态不能补充材料。"))
        return attachment_store(locked, kind=kind, title=title, file=file, actor=actor)


def application_withdraw(*, application: FundApplication, actor, reason: str) -> FundApplication:
    editor_require(actor, application)
    reason = clean_text(reason, field="reason", limit=500, multiline=True)
    with transaction.atomic():
        locked = application_lock(application)
        return transition(
            locked,
            Status.WITHDRAWN,
            actor=actor,
            action="fund_application.withdraw",
            fields={"refusal_reason": reason},
        )
