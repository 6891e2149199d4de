"""The 列支范围 (scope) of a use: checked against the register, and its units and buildings."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.text import join_list
from estates.models import Building, ManagementArea, Unit
from voting import scoperule
from voting.services.assemblies import breach_error, places_of


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
                "names": join_list(missing)
            }
            raise DomainError("bad_scope", message, fields={"scope_buildings": message})
    if codes:
        known = set(Unit.objects.filter(area=area, code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in known]
        if missing:
            message = _("列支范围中的房屋不存在：%(codes)s") % {"codes": join_list(missing)}
            raise DomainError("bad_scope", message, fields={"scope_unit_codes": message})
    if not Unit.objects.filter(area=area).exists():
        message = _("列支范围内没有任何房屋。")
        raise DomainError("empty_scope", message, fields={"scope_buildings": message})
    if whole_stairs and codes:
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
