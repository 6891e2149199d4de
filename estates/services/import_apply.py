"""Writing a checked register file (``estates.services.importing``).

Runs only after every row was checked (``estates.services.import_check``),
inside the import's transaction. Rows go in chunks of ``CHUNK``: each chunk is
first planned (persons, units, ownerships to close and open, sales), then
written with ``bulk_create`` / ``bulk_update`` — no per-row query. A dry run
plans and counts without writing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

from audit.services import audit_record
from estates import roll
from estates.crypto import encrypt_id
from estates.models import Building, ManagementArea, Ownership, Person, Unit
from estates.register_csv import RegisterRow
from estates.services.binding import owner_roles_sync
from estates.services.import_check import LOOKUP_CHUNK, Register, chunks
from estates.services.import_report import ImportReport

CHUNK = 1000
SHANGHAI = ZoneInfo("Asia/Shanghai")

UNIT_FIELDS = (
    "building",
    "stair",
    "floor",
    "number",
    "use",
    "registered_area",
    "surveyed_area",
    "contract_area",
    "area_basis",
    "floor_area",
    "delivered",
    "developer_held",
)

Progress = Callable[[int, int], None]


def _floor(room: str) -> int | None:
    """The floor a room number names: "101" → 1, "1203" → 12; None when it does not say."""
    if not room.isascii() or not room.isdigit() or not 3 <= len(room) <= 5:
        return None
    return int(room[:-2]) or None


def _unit_values(row: RegisterRow, building: Building) -> dict:
    basis, floor_area = roll.area_basis(
        roll.UnitRecord(
            code=row.code,
            registered_area=row.registered_area,
            surveyed_area=row.surveyed_area,
            contract_area=row.contract_area,
        )
    )
    return {
        "building": building,
        "stair": row.stair,
        "floor": _floor(row.room),
        "number": row.room,
        "use": row.use,
        "registered_area": row.registered_area,
        "surveyed_area": row.surveyed_area,
        "contract_area": row.contract_area,
        "area_basis": basis,
        "floor_area": floor_area,
        "delivered": row.delivered,
        "developer_held": row.developer_held,
    }


def _differs(unit: Unit, values: dict) -> bool:
    for name, value in values.items():
        current = unit.building_id if name == "building" else getattr(unit, name)
        wanted = value.pk if name == "building" else value
        if current != wanted:
            return True
    return False


def _today() -> date:
    # Ownership dates are calendar days in Beijing time (DESIGN.md "Time").
    return timezone.now().astimezone(SHANGHAI).date()


@dataclass
class _ChunkPlan:
    """What one chunk of rows changes: rows to create/update, ownerships to close/open, sales."""

    new_persons: list[Person] = field(default_factory=list)
    changed_persons: list[Person] = field(default_factory=list)
    new_units: list[Unit] = field(default_factory=list)
    changed_units: list[Unit] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)
    opens: list[tuple[str, list[str]]] = field(default_factory=list)  # (unit code, hmacs to open)
    sales: list[tuple[Unit, list[str], list[str]]] = field(default_factory=list)


def register_apply(
    *,
    area: ManagementArea,
    rows: list[RegisterRow],
    keys: dict[str, str],
    register: Register,
    report: ImportReport,
    actor,
    dry_run: bool,
    progress: Progress | None,
) -> None:
    counts = report.counts
    counts.rows = len(rows)
    today = _today()
    _buildings_add(area=area, rows=rows, register=register, dry_run=dry_run)
    planned_persons: set[str] = set()  # hmacs created (or, in a dry run, to be created)
    updated_persons: set[str] = set()
    total = len(rows)
    done = 0
    for chunk in chunks(rows, CHUNK):
        plan = _ChunkPlan()
        for row in chunk:
            _plan_persons(row, keys, register, plan, planned_persons, updated_persons)
            _plan_unit(row, keys, area, register, plan, counts)
        counts.units_created += len(plan.new_units)
        counts.units_updated += len(plan.changed_units)
        counts.persons_created += len(plan.new_persons)
        counts.persons_updated += len(plan.changed_persons)
        counts.sales += len(plan.sales)
        if not dry_run:
            _chunk_write(
                plan, area=area, register=register, report=report, actor=actor, today=today
            )
        done += len(chunk)
        if progress is not None:
            progress(done, total)

    in_file = {row.code for row in rows}
    report.not_in_file_codes = sorted(code for code in register.units if code not in in_file)
    counts.not_in_file = len(report.not_in_file_codes)


def _buildings_add(*, area, rows, register: Register, dry_run: bool) -> None:
    new_buildings = sorted({row.building for row in rows} - register.buildings.keys())
    built = [Building(area=area, name=name) for name in new_buildings]
    if not dry_run and built:
        Building.objects.bulk_create(built)
    for building in built:
        register.buildings[building.name] = building


def _plan_persons(row, keys, register: Register, plan: _ChunkPlan, planned, updated) -> None:
    persons = register.persons
    for owner in row.owners:
        key = keys[owner.id_number]
        person = persons.get(key)
        if person is None and key not in planned:
            planned.add(key)
            plan.new_persons.append(
                Person(
                    name=owner.name,
                    id_encrypted=encrypt_id(owner.id_number),
                    id_hmac=key,
                    id_prefix=owner.id_number[:4],
                    id_last4=owner.id_number[-4:],
                    phone=owner.phone,
                )
            )
        elif person is not None and person.phone != owner.phone:
            # rows_check made every row of one person agree on the phone.
            person.phone = owner.phone
            if key not in updated:
                updated.add(key)
                plan.changed_persons.append(person)


def _plan_unit(row, keys, area, register: Register, plan: _ChunkPlan, counts) -> None:
    values = _unit_values(row, register.buildings[row.building])
    wanted = sorted(keys[owner.id_number] for owner in row.owners)
    unit = register.units.get(row.code)
    if unit is None:
        plan.new_units.append(Unit(area=area, code=row.code, **values))
        if wanted:
            plan.opens.append((row.code, wanted))
        return
    if _differs(unit, values):
        for name, value in values.items():
            setattr(unit, name, value)
        plan.changed_units.append(unit)
    else:
        counts.units_unchanged += 1
    current = register.open_owners.get(unit.pk, {})
    if set(current) != set(wanted):
        # RULES.md §1 / Civil Code: the owner set changed, i.e. a sale.
        # Owners who stay keep their open row; history is never deleted.
        plan.closes.extend(pk for key, pk in current.items() if key not in wanted)
        added = [key for key in wanted if key not in current]
        if added:
            plan.opens.append((row.code, added))
        plan.sales.append((unit, sorted(current), wanted))


def _chunk_write(plan: _ChunkPlan, *, area, register: Register, report, actor, today) -> None:
    persons = register.persons
    # SQLite (3.35+) and PostgreSQL return primary keys from bulk_create.
    Person.objects.bulk_create(plan.new_persons, batch_size=CHUNK)
    for person in plan.new_persons:
        persons[person.id_hmac] = person
    if plan.changed_persons:
        Person.objects.bulk_update(plan.changed_persons, ["phone"], batch_size=CHUNK)
    Unit.objects.bulk_create(plan.new_units, batch_size=CHUNK)
    for unit in plan.new_units:
        register.units[unit.code] = unit
    if plan.changed_units:
        Unit.objects.bulk_update(plan.changed_units, list(UNIT_FIELDS), batch_size=CHUNK)
    for pks in chunks(plan.closes, LOOKUP_CHUNK):
        Ownership.objects.filter(pk__in=pks).update(until=today)
    Ownership.objects.bulk_create(
        [
            Ownership(unit_id=register.units[code].pk, person_id=persons[key].pk, since=today)
            for code, added in plan.opens
            for key in added
        ],
        batch_size=CHUNK,
    )
    for unit, before, after in plan.sales:
        audit_record(
            actor=actor,
            action="register.sale",
            obj=unit,
            # Owner keys are HMACs, and only their digest is stored.
            before={"unit": unit.code, "owners": before},
            after={"unit": unit.code, "owners": after},
            summary={
                "unit": unit.code,
                "area": area.code,
                "owners_before": len(before),
                "owners_after": len(after),
                "file_sha256": report.file_sha256,
            },
        )
    # A seller with a login loses the owner role where they no longer own
    # anything; a buyer who already has one gains it (RULES.md §1, §3).
    affected = {key for _unit, before, after in plan.sales for key in (*before, *after)}
    for pks in chunks(sorted(affected), LOOKUP_CHUNK):
        for person in Person.objects.filter(id_hmac__in=pks, user__isnull=False):
            owner_roles_sync(person=person, actor=actor)
