"""What the use-procedure services share: scope, transitions, text cleaning, money words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import DomainError
from estates.models import Building, ManagementArea, Unit


def yuan(fen: int) -> str:
    """``fen`` as yuan with thousands separators, for messages: 123456 → "1,234.56"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def local_today() -> date:
    return timezone.localdate()


def clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise DomainError("required", _("请填写此项。"), fields={field: _("必填。")})
    if len(text) > limit:
        message = _("不能超过 %(limit)d 字。") % {"limit": limit}
        raise DomainError("too_long", message, fields={field: message})
    return text


def clean_long_text(value: str, *, field: str, limit: int = 2000, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError("required", _("请填写此项。"), fields={field: _("必填。")})
    if len(text) > limit:
        message = _("不能超过 %(limit)d 字。") % {"limit": limit}
        raise DomainError("too_long", message, fields={field: message})
    return text


def clean_fen(value, *, field: str, positive: bool = True) -> int:
    # bool is an int subclass; True fen is a bug, not one fen (DESIGN.md: integer fen).
    if isinstance(value, bool) or not isinstance(value, int) or value < (1 if positive else 0):
        message = _("金额必须是正的整数分。") if positive else _("金额不能为负。")
        raise DomainError("bad_amount", message, fields={field: message})
    if value > 10**15:
        raise DomainError("bad_amount", _("金额过大。"), fields={field: _("金额过大。")})
    return value


def clean_scope_lists(
    area: ManagementArea,
    buildings: Iterable[str] | None,
    unit_codes: Iterable[str] | None,
    *,
    whole_stairs: bool = False,
) -> tuple[list[str], list[str]]:
    """The 列支范围 as two sorted lists, every name checked against the register.

    RULES.md §1: a building or a unit code that names nothing is refused — a
    typo must not shrink the units that bear the cost (and the vote's quorum).
    Both empty = the whole area. ``whole_stairs`` (a 列支范围 owners vote over):
    whole buildings or whole unit stairs only, never hand-picked units
    (``voting.scoperule``) — the vote's scope equals it, and a vote of
    hand-picked units is refused.
    """
    names = sorted({" ".join(str(v).split()) for v in buildings or () if str(v).strip()})
    codes = sorted({" ".join(str(v).split()) for v in unit_codes or () if str(v).strip()})
    if names:
        known = set(
            Unit.objects.filter(area=area, building__name__in=names).values_list(
                "building__name", flat=True
            )
        )
        missing = [n for n in names if n not in known]
        if missing:
            message = _("列支范围中的楼栋不存在或没有房屋：%(names)s") % {
                "names": "、".join(missing)
            }
            raise DomainError("bad_scope", message, fields={"scope_buildings": message})
    if codes:
        known = set(Unit.objects.filter(area=area, code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in known]
        if missing:
            message = _("列支范围中的房屋不存在：%(codes)s") % {"codes": "、".join(missing)}
            raise DomainError("bad_scope", message, fields={"scope_unit_codes": message})
    if not Unit.objects.filter(area=area).exists():
        message = _("列支范围内没有任何房屋。")
        raise DomainError("empty_scope", message, fields={"scope_buildings": message})
    if whole_stairs and codes:
        from voting import scoperule
        from voting.services.assemblies import breach_error, places_of

        try:
            scoperule.scope_units(places_of(area), names, codes)
        except scoperule.ScopeBreach as exc:
            raise breach_error(exc.breach) from None
    return names, codes


def scope_units(area: ManagementArea, buildings: list[str], unit_codes: list[str]):
    """The units of a 列支范围 now (estates.roll.scope_filter: building in, or code in)."""
    units = Unit.objects.filter(area=area)
    if buildings or unit_codes:
        units = units.filter(Q(building__name__in=buildings) | Q(code__in=unit_codes))
    return units


def scope_buildings_of(area: ManagementArea, buildings: list[str], unit_codes: list[str]):
    """The buildings the scope touches (for the warranty check), name → completion date."""
    ids = scope_units(area, buildings, unit_codes).values("building_id")
    return dict(Building.objects.filter(pk__in=ids).values_list("name", "completion_date"))


def transition(obj, new: str, *, actor, action: str, fields: dict | None = None, summary=None):
    """Move a locked row to ``new`` if its ``TRANSITIONS`` allow it; save; audit (STYLE.md §5)."""
    model = type(obj)
    old = obj.status
    if new not in model.TRANSITIONS[old]:
        raise DomainError(
            "bad_transition",
            _("当前状态为“%(old)s”，不能变为“%(new)s”。")
            % {"old": model.Status(old).label, "new": model.Status(new).label},
        )
    fields = fields or {}
    before = {"status": old, **{name: getattr(obj, name) for name in fields}}
    obj.status = new
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=["status", *fields])
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        before=_plain(before),
        after=_plain({"status": new, **fields}),
        summary={"id": obj.pk, "from": old, "to": new, **(summary or {})},
    )
    return obj


def _plain(values: dict) -> dict:
    # Foreign keys are recorded by id, not by object.
    return {k: (v.pk if hasattr(v, "_meta") else v) for k, v in values.items()}
