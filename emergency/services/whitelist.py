"""Keeping the whitelist (紧急维修事项清单, RULES.md §5): every edit publishes a new version.

Only the bureau's admins keep it (``whitelist.manage``, after TOTP). A
version is complete in itself — every item with its evidence list, cost cap
and response times — so an application filed under it keeps all of them
whatever later versions say. Publishing a list identical to the current one
is refused: a version records a decision, not a click.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text

from ..models import FILING_EVIDENCE, EvidenceKind, Facility, WhitelistItem, WhitelistVersion

MANAGE = "whitelist.manage"
CODE_RE = re.compile(r"^[A-Z][A-Z0-9-]{0,15}$")
MAX_CAP_FEN = 100_000_000_00  # 1 亿元: anything above is a typing error, not an emergency
MAX_DAYS = 30
MAX_HOURS = 720
FIELDS = (
    "code",
    "name",
    "description",
    "facility",
    "evidence",
    "cap_fen",
    "review_days",
    "payment_days",
    "start_hours",
)


def current_version() -> WhitelistVersion | None:
    return WhitelistVersion.objects.order_by("-number").first()


def _whole(value: Any, *, field: str, low: int, high: int, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        message = _("%(label)s须为 %(low)d 到 %(high)d 之间的整数。") % {
            "label": label,
            "low": low,
            "high": high,
        }
        raise DomainError("bad_number", message, fields={field: message})
    return value


def item_clean(spec: Mapping[str, Any]) -> dict[str, Any]:
    """One item's fields, checked; raises ``DomainError`` naming the field."""
    unknown = set(spec) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown whitelist item fields: {', '.join(sorted(unknown))}")
    code = str(spec.get("code") or "").strip().upper()
    if not CODE_RE.match(code):
        message = _("编号须以大写字母开头，由大写字母、数字和连字符组成，不超过 16 位。")
        raise DomainError("bad_code", message, fields={"code": message})
    facility = spec.get("facility")
    if facility not in Facility.values:
        message = _("请选择设施类别。")
        raise DomainError("bad_facility", message, fields={"facility": message})
    evidence = list(dict.fromkeys(spec.get("evidence") or ()))
    if not evidence or any(kind not in FILING_EVIDENCE for kind in evidence):
        message = _("请至少选择一项必须提交的材料。")
        raise DomainError("bad_evidence", message, fields={"evidence": message})
    # Stored in the order of EvidenceKind so equal lists compare equal.
    evidence = [kind for kind in EvidenceKind.values if kind in evidence]
    return {
        "code": code,
        "name": clean_text(
            spec.get("name", ""), field="name", required=True, limit=100, label=_("事项名称")
        ),
        "description": clean_text(
            spec.get("description", ""),
            field="description",
            required=False,
            limit=2000,
            label=_("适用情形"),
            multiline=True,
        ),
        "facility": facility,
        "evidence": evidence,
        "cap_fen": _whole(
            spec.get("cap_fen"), field="cap_fen", low=1, high=MAX_CAP_FEN, label=_("费用上限（分）")
        ),
        "review_days": _whole(
            spec.get("review_days", 2),
            field="review_days",
            low=1,
            high=MAX_DAYS,
            label=_("审核时限（工作日）"),
        ),
        "payment_days": _whole(
            spec.get("payment_days", 2),
            field="payment_days",
            low=1,
            high=MAX_DAYS,
            label=_("拨付时限（工作日）"),
        ),
        "start_hours": _whole(
            spec.get("start_hours", 24),
            field="start_hours",
            low=1,
            high=MAX_HOURS,
            label=_("开工时限（小时）"),
        ),
    }


def version_items(version: WhitelistVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    return [item.as_dict() for item in version.items.order_by("position")]


def whitelist_publish(
    *, items: Sequence[Mapping[str, Any]], note: str, actor, based_on: int | None = None
) -> WhitelistVersion:
    """Publish ``items`` (in this order) as the next version of the whitelist.

    ``based_on``: the version number the editor started from; if another
    version has been published since, nothing is published (no lost update).
    """
    permissions.require(actor, MANAGE)
    note = clean_text(
        note, field="note", required=True, limit=500, label=_("修订说明"), multiline=True
    )
    cleaned = [item_clean(spec) for spec in items]
    if not cleaned:
        raise DomainError("empty_whitelist", _("清单至少要有一个事项。"))
    codes = [item["code"] for item in cleaned]
    duplicate = next((code for code in codes if codes.count(code) > 1), None)
    if duplicate:
        message = _("编号 %(code)s 重复。") % {"code": duplicate}
        raise DomainError("duplicate_code", message, fields={"code": message})
    try:
        with transaction.atomic():
            # Lock the current version so two publishers cannot both become "next".
            WhitelistVersion.objects.select_for_update().order_by("-number").first()
            # Read again once the lock is held: a version committed while we waited is
            # then visible (the locking read itself returns the row it first found).
            current = WhitelistVersion.objects.order_by("-number").first()
            _fresh_check(current, based_on)
            if current is not None and version_items(current) == cleaned:
                raise Conflict("unchanged", _("清单没有任何修改，无需发布新版本。"))
            version = WhitelistVersion.objects.create(
                number=(current.number + 1) if current else 1,
                published_at=timezone.now(),
                actor=actor,
                note=note,
            )
            WhitelistItem.objects.bulk_create(
                WhitelistItem(version=version, position=position, **item)
                for position, item in enumerate(cleaned, start=1)
            )
            audit_record(
                actor=actor,
                action="whitelist.publish",
                obj=version,
                before={"version": current.number, "items": version_items(current)}
                if current
                else None,
                after={"version": version.number, "items": cleaned},
                summary={"version": version.number, "items": len(cleaned), "note": note[:100]},
            )
    except IntegrityError:
        # The first version raced another first version (nothing to lock yet).
        raise Conflict("concurrent_publish", _("清单刚被他人修改，请刷新后重试。")) from None
    return version


def _fresh_check(current: WhitelistVersion | None, based_on: int | None) -> None:
    """Refuse an edit started from another version than ``current`` (someone published since)."""
    if based_on is not None and (current.number if current else 0) != based_on:
        raise Conflict("stale", _("清单刚被他人修改，请刷新后重试。"))


def whitelist_item_save(
    *, actor, note: str, item: Mapping[str, Any], replaces: str = "", based_on: int | None = None
) -> WhitelistVersion:
    """A new version with ``item`` added, or put in place of the item coded ``replaces``."""
    permissions.require(actor, MANAGE)
    current = current_version()
    # Stale first: an edit of an older list is refused as such, whatever it now conflicts with.
    _fresh_check(current, based_on)
    items = version_items(current)
    new = item_clean(item)
    if replaces:
        position = next((i for i, old in enumerate(items) if old["code"] == replaces), None)
        if position is None:
            raise DomainError(
                "unknown_item", _("当前清单中没有编号为 %(code)s 的事项。") % {"code": replaces}
            )
        items[position] = new
    else:
        if any(old["code"] == new["code"] for old in items):
            message = _("编号 %(code)s 已在清单中。") % {"code": new["code"]}
            raise DomainError("duplicate_code", message, fields={"code": message})
        items.append(new)
    if based_on is None:
        based_on = current.number if current else 0
    return whitelist_publish(items=items, note=note, actor=actor, based_on=based_on)


def whitelist_item_remove(
    *, actor, note: str, code: str, based_on: int | None = None
) -> WhitelistVersion:
    """A new version without the item coded ``code``."""
    permissions.require(actor, MANAGE)
    current = current_version()
    _fresh_check(current, based_on)
    items = version_items(current)
    remaining = [item for item in items if item["code"] != code]
    if len(remaining) == len(items):
        raise DomainError(
            "unknown_item", _("当前清单中没有编号为 %(code)s 的事项。") % {"code": code}
        )
    if based_on is None:
        based_on = current.number if current else 0
    return whitelist_publish(items=remaining, note=note, actor=actor, based_on=based_on)
