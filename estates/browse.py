"""Reads for the register pages and the register API, always within the reader's scope.

Every lookup here goes through ``accounts.permissions.areas_for`` (or
``streets_for``): an object outside the reader's scope is simply not found,
so views answer 404 and never reveal that it exists.

Personal data (DESIGN.md "Personal data"): owners leave this module only as
:class:`OwnerView`, which carries the ID number masked from the stored prefix
and last four characters (nothing is decrypted) and the phone masked.
"""

# One piece because every scoped read of the register shares the scope helpers at its
# top; split per page, each part would re-import the same checks.

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import areas_for, streets_for
from accounts.phones import mask_phone
from core.natural import natural_key

from .models import (
    Building,
    Committee,
    CommitteeMember,
    Community,
    ManagementArea,
    Ownership,
    Person,
    Street,
    Unit,
)

VIEW = "register.view"
OVERSEE = "oversee"
OWN = "register.own_units"


# --------------------------------------------------------------------------- scope


def visible_areas(user) -> QuerySet[ManagementArea]:
    return areas_for(user, VIEW).select_related("community__street", "property_company")


def visible_streets(user) -> QuerySet[Street]:
    """Streets the user oversees as a whole, and the streets their areas lie in."""
    return (
        Street.objects.filter(
            Q(pk__in=streets_for(user, OVERSEE).values("pk"))
            | Q(communities__areas__in=areas_for(user, VIEW).values("pk"))
        )
        .distinct()
        .order_by("code")
    )


def visible_communities(user) -> QuerySet[Community]:
    return (
        Community.objects.filter(
            Q(street__in=streets_for(user, OVERSEE).values("pk"))
            | Q(areas__in=areas_for(user, VIEW).values("pk"))
        )
        .select_related("street")
        .distinct()
        .order_by("code")
    )


def street_get(user, code: str) -> Street:
    street = visible_streets(user).filter(code=code).first()
    if street is None:
        raise Http404
    return street


def community_get(user, code: str) -> Community:
    community = visible_communities(user).filter(code=code).first()
    if community is None:
        raise Http404
    return community


def area_get(user, code: str, *, action: str = VIEW) -> ManagementArea:
    area = (
        areas_for(user, action)
        .select_related("community__street", "property_company")
        .filter(code=code)
        .first()
    )
    if area is None:
        raise Http404
    return area


def building_get(user, pk: int) -> Building:
    building = (
        Building.objects.filter(pk=pk, area__in=areas_for(user, VIEW).values("pk"))
        .select_related("area__community__street")
        .first()
    )
    if building is None:
        raise Http404
    return building


def unit_get(user, pk: int) -> Unit:
    """A unit in scope with all its ownerships prefetched."""
    unit = (
        with_ownerships(Unit.objects.filter(pk=pk, area__in=areas_for(user, VIEW).values("pk")))
        .select_related("area__community__street", "building")
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def unit_row_get(user, pk: int) -> UnitRow:
    (row,) = unit_rows([unit_get(user, pk)])
    return row


# --------------------------------------------------------------------------- lists


def _count_of(model, field: str = "area") -> Coalesce:
    # A correlated subquery per count: joining buildings and units together
    # would multiply rows (buildings × units) before counting.
    counted = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def areas_with_counts(areas: QuerySet[ManagementArea]) -> QuerySet[ManagementArea]:
    return areas.annotate(building_count=_count_of(Building), unit_count=_count_of(Unit)).order_by(
        "code"
    )


def area_counts_by_street(areas: QuerySet[ManagementArea]) -> dict[int, int]:
    return dict(
        ManagementArea.objects.filter(pk__in=areas.values("pk"))
        .values("community__street_id")
        .annotate(n=Count("pk"))
        .values_list("community__street_id", "n")
    )


def communities_with_areas(user, street: Street) -> list[tuple[Community, list[ManagementArea]]]:
    """The communities of ``street`` the user may see, each with its areas in scope."""
    areas = list(areas_with_counts(visible_areas(user).filter(community__street=street)))
    by_community: dict[int, list[ManagementArea]] = {}
    for area in areas:
        by_community.setdefault(area.community_id, []).append(area)
    communities = visible_communities(user).filter(street=street)
    return [(community, by_community.get(community.pk, [])) for community in communities]


def buildings_with_counts(area: ManagementArea) -> list[Building]:
    buildings = area.buildings.annotate(unit_count=Count("units"))
    return sorted(buildings, key=lambda building: natural_key(building.name))


def unit_search(
    user,
    *,
    q: str = "",
    area: ManagementArea | None = None,
    building: Building | None = None,
    building_name: str = "",
) -> QuerySet[Unit]:
    """Units in scope whose code contains ``q`` or one of whose current owners' names does.

    Names are matched on current owners only: a search answers "who owns it
    now"; the unit page keeps the history.
    """
    units = Unit.objects.filter(area__in=areas_for(user, VIEW).values("pk"))
    if area is not None:
        units = units.filter(area=area)
    if building is not None:
        units = units.filter(building=building)
    if building_name:
        units = units.filter(building__name=building_name)
    return (
        search_units(units, q)
        .select_related("area__community__street", "building")
        .order_by("area__code", "code")
    )


def search_units(units: QuerySet[Unit], q: str) -> QuerySet[Unit]:
    q = (q or "").strip()
    if not q:
        return units
    owned_by_name = Ownership.objects.filter(until__isnull=True, person__name__icontains=q).values(
        "unit_id"
    )
    return units.filter(Q(code__icontains=q) | Q(pk__in=owned_by_name))


def with_ownerships(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Prefetch every ownership (current and past) with its person, oldest first."""
    return units.prefetch_related(
        Prefetch(
            "ownerships",
            queryset=Ownership.objects.select_related("person").order_by("since", "pk"),
        )
    )


# --------------------------------------------------------------------------- presentation


@dataclass(frozen=True)
class OwnerView:
    """An owner as pages and the API may show them: never the clear ID number or phone."""

    name: str
    masked_id: str
    masked_phone: str
    since: date
    until: date | None

    @classmethod
    def of(cls, ownership: Ownership) -> OwnerView:
        person: Person = ownership.person
        return cls(
            name=person.name,
            masked_id=person.masked_id,
            masked_phone=mask_phone(person.phone),
            since=ownership.since,
            until=ownership.until,
        )


@dataclass(frozen=True)
class AreaFigure:
    """One of a unit's three areas, flagged when it is the basis used (SPC art. 8)."""

    basis: str
    label: str
    value: Decimal | None
    used: bool


@dataclass
class UnitRow:
    unit: Unit
    owners: list[OwnerView] = field(default_factory=list)
    history: list[OwnerView] = field(default_factory=list)

    @property
    def figures(self) -> list[AreaFigure]:
        return area_figures(self.unit)

    @property
    def basis_text(self) -> str:
        return basis_text(self.unit)


def area_figures(unit: Unit) -> list[AreaFigure]:
    values = {
        Unit.Basis.REGISTERED: unit.registered_area,
        Unit.Basis.SURVEYED: unit.surveyed_area,
        Unit.Basis.CONTRACT: unit.contract_area,
    }
    return [
        AreaFigure(basis=basis.value, label=basis.label, value=value, used=unit.area_basis == basis)
        for basis, value in values.items()
    ]


def basis_text(unit: Unit) -> str:
    """ "按不动产登记面积 89.50 m²": the area that counts and where it comes from (SPC art. 8)."""
    return gettext("按%(basis)s %(area)s m²") % {
        "basis": Unit.Basis(unit.area_basis).label,
        "area": f"{unit.floor_area:.2f}",
    }


def unit_rows(units: Iterable[Unit]) -> list[UnitRow]:
    """Rows for ``units`` fetched through :func:`with_ownerships`.

    Each unit also gets ``current_owners`` and ``past_owners`` attributes
    (lists of :class:`OwnerView`) for the API serializers.
    """
    rows = []
    for unit in units:
        row = UnitRow(unit=unit)
        for ownership in unit.ownerships.all():
            (row.owners if ownership.until is None else row.history).append(OwnerView.of(ownership))
        # Newest sale first: that is what a reader looks for.
        row.history.sort(key=lambda owner: (owner.until, owner.since), reverse=True)
        unit.current_owners, unit.past_owners = row.owners, row.history
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- committees


def current_committee(area: ManagementArea, today: date | None = None) -> Committee | None:
    """The committee whose term covers ``today`` (the newest one if records overlap)."""
    today = today or timezone.localdate()
    return (
        area.committees.filter(term_start__lte=today)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
        .prefetch_related(
            Prefetch("members", queryset=CommitteeMember.objects.order_by("position", "name"))
        )
        .order_by("-term_start")
        .first()
    )


def committees_of(area: ManagementArea) -> QuerySet[Committee]:
    return area.committees.prefetch_related("members").order_by("-term_start")


# --------------------------------------------------------------------------- owners


@dataclass
class MyUnit:
    unit: Unit
    since: date
    co_owners: list[str]
    committee: Committee | None

    @property
    def basis_text(self) -> str:
        return basis_text(self.unit)


def person_of(user) -> Person | None:
    return Person.objects.filter(user=user).first() if user.is_authenticated else None


def my_units(person: Person) -> list[MyUnit]:
    """The person's current units, each with its area, co-owners and the area's committee."""
    ownerships = (
        Ownership.objects.filter(person=person, until__isnull=True)
        .select_related("unit__area__community__street", "unit__area__property_company")
        .select_related("unit__building")
        .order_by("unit__area__code", "unit__code")
    )
    unit_ids = [o.unit_id for o in ownerships]
    co_owners: dict[int, list[str]] = {}
    for unit_id, name in (
        Ownership.objects.filter(unit_id__in=unit_ids, until__isnull=True)
        .exclude(person=person)
        .order_by("person__name")
        .values_list("unit_id", "person__name")
    ):
        co_owners.setdefault(unit_id, []).append(name)
    committees: dict[int, Committee | None] = {}
    result = []
    for ownership in ownerships:
        area = ownership.unit.area
        if area.pk not in committees:
            committees[area.pk] = current_committee(area)
        result.append(
            MyUnit(
                unit=ownership.unit,
                since=ownership.since,
                co_owners=co_owners.get(ownership.unit_id, []),
                committee=committees[area.pk],
            )
        )
    return result


# --------------------------------------------------------------------------- dashboard


@dataclass
class CountRow:
    label: str
    code: str
    by_form: list[int]
    by_status: list[int]

    @property
    def total(self) -> int:
        return sum(self.by_form)


@dataclass
class Dashboard:
    forms: list[tuple[int, str]]
    statuses: list[tuple[int, str]]
    streets: list[CountRow]
    total: CountRow


def dashboard_counts(areas: QuerySet[ManagementArea]) -> Dashboard:
    """Areas counted by 物业服务形态 and by 业委会组建情况 (annex 1), per street and in total."""
    forms = [(int(c.value), str(c.label)) for c in ManagementArea.ServiceForm]
    statuses = [(int(c.value), str(c.label)) for c in ManagementArea.CommitteeStatus]
    form_index = {code: i for i, (code, _label) in enumerate(forms)}
    status_index = {code: i for i, (code, _label) in enumerate(statuses)}
    rows: dict[str, CountRow] = {}
    grouped = (
        ManagementArea.objects.filter(pk__in=areas.values("pk"))
        .values(
            "community__street__code", "community__street__name", "service_form", "committee_status"
        )
        .annotate(n=Count("pk"))
        .order_by("community__street__code")
    )
    for item in grouped:
        code = item["community__street__code"]
        row = rows.get(code)
        if row is None:
            row = rows[code] = CountRow(
                label=item["community__street__name"],
                code=code,
                by_form=[0] * len(forms),
                by_status=[0] * len(statuses),
            )
        row.by_form[form_index[item["service_form"]]] += item["n"]
        row.by_status[status_index[item["committee_status"]]] += item["n"]
    streets = [rows[code] for code in sorted(rows)]
    total = CountRow(
        label=gettext("合计"),
        code="",
        by_form=[sum(r.by_form[i] for r in streets) for i in range(len(forms))],
        by_status=[sum(r.by_status[i] for r in streets) for i in range(len(statuses))],
    )
    return Dashboard(forms=forms, statuses=statuses, streets=streets, total=total)


# --------------------------------------------------------------------------- dashboard flags


@dataclass(frozen=True)
class DashboardFlag:
    """Something on the district dashboard the overseer must look at (one row)."""

    area: ManagementArea
    title: str
    reason: str
    url: str = ""


# Apps above estates (voting …) register what they flag; estates imports none of them
# (DESIGN.md: dependencies point down).
_FLAG_SOURCES: list[Callable[[QuerySet[ManagementArea]], list[DashboardFlag]]] = []


def dashboard_flag_source(source: Callable[[QuerySet[ManagementArea]], list[DashboardFlag]]):
    """Register ``source(areas) -> [DashboardFlag]`` for the dashboard (idempotent)."""
    if source not in _FLAG_SOURCES:
        _FLAG_SOURCES.append(source)
    return source


def dashboard_flags(areas: QuerySet[ManagementArea]) -> list[DashboardFlag]:
    return [flag for source in _FLAG_SOURCES for flag in source(areas)]
