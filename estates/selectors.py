"""Reads of the register. The roll is computed by the pure ``estates.roll``;
this module only turns database rows into its ``UnitRecord``s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from accounts.permissions import can
from core import calendar

from . import roll
from .models import ManagementArea, Ownership, Unit


def current_ownerships(units: QuerySet) -> QuerySet:
    return Ownership.objects.filter(unit__in=units, until__isnull=True)


def unit_records(area: ManagementArea) -> list[roll.UnitRecord]:
    """Every unit of ``area`` with its current owners keyed by their ID-number HMAC.

    The HMAC is stable for a person and reveals nothing, so the roll's digest
    can be published without exposing who owns what.
    """
    units = Unit.objects.filter(area=area).select_related("building").order_by("code")
    owners: dict[int, set[str]] = defaultdict(set)
    for unit_id, key in current_ownerships(units).values_list("unit_id", "person__id_hmac"):
        owners[unit_id].add(key)
    return [
        roll.UnitRecord(
            code=unit.code,
            registered_area=unit.registered_area,
            surveyed_area=unit.surveyed_area,
            contract_area=unit.contract_area,
            owners=frozenset(owners.get(unit.pk, ())),
            delivered=unit.delivered,
            developer_held=unit.developer_held,
            building=unit.building.name,
        )
        for unit in units
    ]


def area_roll(
    area: ManagementArea,
    *,
    buildings: Iterable[str] | None = None,
    unit_codes: Iterable[str] | None = None,
) -> roll.Roll:
    """The voting roll of ``area``, or of a scope within it (RULES.md §1).

    Raises ValueError for a building or unit code not in the area.
    """
    records = unit_records(area)
    return roll.build_roll(roll.scope_filter(records, buildings=buildings, unit_codes=unit_codes))


def calendar_warning_context(user, today=None) -> dict:
    """Context for ``core/_calendar_warning.html`` on the bureau's and the streets' dashboards.

    From 1 December, next year when the bureau has not entered its holiday
    notice (RULES.md §2 "Periods"): its deadlines would be counted from the
    package, without the State Council's swapped working days.
    """
    year = calendar.next_year_missing(today or timezone.localdate())
    return {
        "calendar_missing_year": year,
        "calendar_can_manage": bool(year) and can(user, "calendar.manage"),
    }
