"""Checking a parsed register file against what the register already holds.

Every row is checked before anything is written (the import is all or
nothing, ``estates.services.importing``); the register is read once into
dicts so that 20,000 rows cost a handful of queries, not one per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from estates import register_csv
from estates.models import Building, ManagementArea, Ownership, Person, Unit
from estates.register_csv import RegisterRow, RowError

# Bound the number of parameters of one ``IN (...)`` query (SQLite's limit).
LOOKUP_CHUNK = 500


def field_limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Register:
    """What the area already holds, read once (no per-row queries)."""

    buildings: dict[str, Building]
    building_names: dict[int, str]
    units: dict[str, Unit]
    # unit pk → {person id_hmac: open Ownership pk}
    open_owners: dict[int, dict[str, int]]
    # id_hmac → Person, for the owners named in the file only
    persons: dict[str, Person]


def register_load(area: ManagementArea, hmacs: Iterable[str]) -> Register:
    buildings = {b.name: b for b in Building.objects.filter(area=area)}
    units = {u.code: u for u in Unit.objects.filter(area=area)}
    open_owners: dict[int, dict[str, int]] = {}
    rows = Ownership.objects.filter(unit__area=area, until__isnull=True).values_list(
        "pk", "unit_id", "person__id_hmac"
    )
    for pk, unit_id, key in rows:
        open_owners.setdefault(unit_id, {})[key] = pk
    persons: dict[str, Person] = {}
    for chunk in chunks(sorted(set(hmacs)), LOOKUP_CHUNK):
        for person in Person.objects.filter(id_hmac__in=chunk).only(
            "pk", "name", "phone", "id_hmac"
        ):
            persons[person.id_hmac] = person
    return Register(
        buildings=buildings,
        building_names={b.pk: b.name for b in buildings.values()},
        units=units,
        open_owners=open_owners,
        persons=persons,
    )


def rows_check(rows: list[RegisterRow], keys: dict[str, str], register: Register) -> list[RowError]:
    """Row errors the parser cannot see: conflicts with the register and between rows."""
    errors: list[RowError] = []
    limits = {
        register_csv.COL_BUILDING: field_limit(Building, "name"),
        register_csv.COL_STAIR: field_limit(Unit, "stair"),
        register_csv.COL_ROOM: field_limit(Unit, "number"),
    }
    code_limit = field_limit(Unit, "code")
    name_limit = field_limit(Person, "name")
    # id_hmac → (first line, name, phone) in this file
    first_seen: dict[str, tuple[int, str, str]] = {}
    for row in rows:
        errors += _unit_errors(row, register, limits, code_limit)
        errors += _owner_errors(row, keys, register, name_limit, first_seen)
    return errors


def _unit_errors(
    row: RegisterRow, register: Register, limits: dict[str, int], code_limit: int
) -> list[RowError]:
    """A row's unit: its texts' lengths, and the building it is registered under."""
    errors: list[RowError] = []
    for column, value in (
        (register_csv.COL_BUILDING, row.building),
        (register_csv.COL_STAIR, row.stair),
        (register_csv.COL_ROOM, row.room),
    ):
        if len(value) > limits[column]:
            errors.append(
                RowError(
                    row.line,
                    _("%(column)s过长（最多 %(n)d 个字）")
                    % {"column": column, "n": limits[column]},
                    column,
                )
            )
    if len(row.code) > code_limit:
        errors.append(RowError(row.line, _("房屋编码过长（最多 %(n)d 个字）") % {"n": code_limit}))
    existing = register.units.get(row.code)
    if existing is not None:
        registered_in = register.building_names.get(existing.building_id, "")
        if registered_in != row.building:
            errors.append(
                RowError(
                    row.line,
                    _("房屋 %(code)s 已登记在楼栋“%(building)s”下，与本行楼栋不一致")
                    % {"code": row.code, "building": registered_in},
                )
            )
    return errors


def _owner_errors(
    row: RegisterRow,
    keys: dict[str, str],
    register: Register,
    name_limit: int,
    first_seen: dict[str, tuple[int, str, str]],
) -> list[RowError]:
    """A row's owners: name length, and one ID number naming one person with one phone."""
    errors: list[RowError] = []
    for position, owner in enumerate(row.owners, start=1):
        if len(owner.name) > name_limit:
            errors.append(
                RowError(
                    row.line,
                    _("第 %(p)d 个业主姓名过长（最多 %(n)d 个字）")
                    % {"p": position, "n": name_limit},
                    register_csv.COL_NAMES,
                )
            )
        key = keys[owner.id_number]
        seen = first_seen.get(key)
        if seen is None:
            first_seen[key] = (row.line, owner.name, owner.phone)
            person = register.persons.get(key)
            if person is not None and person.name != owner.name:
                # One number, two names: a typo in the number or in the name.
                # Either way the register must not guess who owns the unit.
                errors.append(
                    RowError(
                        row.line,
                        _("第 %(p)d 个业主的身份证号与已登记业主姓名不一致") % {"p": position},
                        register_csv.COL_IDS,
                    )
                )
            continue
        first_line, first_name, first_phone = seen
        if owner.name != first_name:
            errors.append(
                RowError(
                    row.line,
                    _("第 %(p)d 个业主的身份证号与第 %(line)d 行的业主姓名不一致")
                    % {"p": position, "line": first_line},
                    register_csv.COL_IDS,
                )
            )
        elif owner.phone != first_phone:
            errors.append(
                RowError(
                    row.line,
                    _("第 %(p)d 个业主的手机号与第 %(line)d 行同一业主的手机号不一致")
                    % {"p": position, "line": first_line},
                    register_csv.COL_PHONES,
                )
            )
    return errors
