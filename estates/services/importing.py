"""Importing the district's unit register (issue 4 part 2; RULES.md §1, §8).

One file describes one management area: its buildings, units (three areas,
use, delivered / developer-held flags) and each unit's current owners. The
import is **all or nothing**: every row is checked first — by the pure parser
``estates.register_csv`` and then against what the register already holds —
and if any row is bad nothing is written and the report lists every bad row
with its line number. Otherwise the whole write runs in one transaction.

What an import does (and why):

- Buildings are created as needed; units are created or updated in place.
  Units in the register but absent from the file are never deleted (a unit
  carries votes, sub-ledgers and history); the report lists them instead.
- Owners are matched by the HMAC of their resident ID number (DESIGN.md
  "Personal data"): the clear number is only ever encrypted into
  ``Person.id_encrypted``; it is never logged nor put into an audit summary.
  A number already registered under another name is refused rather than
  guessed at. A changed phone number updates the person.
- A unit whose current owner set differs from the file's is a **sale**: the
  ownerships of the owners who left are closed (``until`` = today) and the new
  owners' ownerships are opened (``since`` = today); owners who stay keep
  their open row. History is never deleted, so the roll of any earlier date
  can be rebuilt (RULES.md §1: the roll changes with the sale).
- Importing the same file again changes nothing and records nothing.
- One audit event per import that changed anything ("register.import") and
  one per sale ("register.sale"), in the same transaction as the change.
- No logins are created: owners bind their phone later (RULES.md §3).

Speed: 20,000 units in one file are normal for a large area. Existing units,
open ownerships and persons are read once into dicts; writes go in chunks of
``CHUNK`` rows with ``bulk_create`` / ``bulk_update`` — no per-row query.

One module although over 400 lines: the import's steps (check, lock, apply,
report) run in one transaction over one report type; they are read in order.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from estates import roll
from estates.crypto import encrypt_id, id_hmac
from estates.models import Building, Community, ManagementArea, Ownership, Person, Unit
from estates.register_csv import RegisterRow, RowError
from estates.register_files import read_register
from estates.services.binding import owner_roles_sync
from estates.services.import_check import (
    LOOKUP_CHUNK,
    Register,
    chunks,
    field_limit,
    register_load,
    rows_check,
)

logger = logging.getLogger("gongzhi.estates.import")

__all__ = [
    "ImportCounts",
    "ImportReport",
    "management_area_create",
    "read_register",
    "register_import",
]

CHUNK = 1000
# After an import that creates this many units, PostgreSQL's planner statistics of the
# register tables are refreshed at once (``statistics_refresh``).
ANALYZE_AFTER_UNITS = 1000
REGISTER_TABLES = ("estates_building", "estates_unit", "estates_person", "estates_ownership")
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


@dataclass
class ImportCounts:
    rows: int = 0
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    sales: int = 0
    not_in_file: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.units_created
            or self.units_updated
            or self.persons_created
            or self.persons_updated
            or self.sales
        )


@dataclass
class ImportReport:
    """What an import did, or why it did nothing. Never holds an ID number or phone."""

    ok: bool
    dry_run: bool
    filename: str
    file_sha256: str
    errors: list[tuple[int, str]] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)
    not_in_file_codes: list[str] = field(default_factory=list)

    @property
    def error_lines(self) -> list[int]:
        return sorted({line for line, _reason in self.errors})

    def as_text(self, *, max_codes: int = 20) -> str:
        if not self.ok:
            lines = [
                _("文件有 %(n)d 处错误，未写入任何数据：") % {"n": len(self.errors)},
                *(
                    _("第 %(line)d 行：%(reason)s") % {"line": line, "reason": reason}
                    for line, reason in self.errors
                ),
            ]
            return "\n".join(lines)
        c = self.counts
        head = _("预检通过（未写入）") if self.dry_run else _("导入完成")
        lines = [
            f"{head}：{self.filename}（SHA-256 {self.file_sha256}）",
            _("数据行 %(n)d 行") % {"n": c.rows},
            _("房屋：新增 %(created)d 套，更新 %(updated)d 套，未变 %(unchanged)d 套")
            % {
                "created": c.units_created,
                "updated": c.units_updated,
                "unchanged": c.units_unchanged,
            },
            _("业主：新增 %(created)d 人，更新手机号 %(updated)d 人")
            % {"created": c.persons_created, "updated": c.persons_updated},
            _("产权变更（过户）：%(n)d 套") % {"n": c.sales},
            _("已登记但文件中没有的房屋：%(n)d 套（未删除）") % {"n": c.not_in_file},
        ]
        if self.not_in_file_codes:
            shown = "、".join(self.not_in_file_codes[:max_codes])
            more = len(self.not_in_file_codes) - max_codes
            if more > 0:
                shown += _(" 等，另有 %(n)d 套") % {"n": more}
            lines.append("  " + shown)
        return "\n".join(lines)

    def summary(self) -> dict:
        """The audit summary: counts and the file's digest, no personal data."""
        return {
            "filename": self.filename[:200],
            "file_sha256": self.file_sha256,
            **asdict(self.counts),
        }


# --- writing ---------------------------------------------------------------------------------


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


def register_import(
    *,
    area: ManagementArea,
    data: bytes,
    filename: str,
    actor,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a register file into ``area``, all or nothing (module docstring).

    Returns the report; when ``report.ok`` is False nothing was written.
    ``dry_run`` checks and counts everything without writing. ``actor`` None
    is the system (the management command); a user needs ``register.edit``
    on the area. ``progress(done, total)`` is called as rows are processed.
    """
    if actor is not None:
        permissions.require(actor, "register.edit", area)
    report = ImportReport(
        ok=False,
        dry_run=dry_run,
        filename=filename,
        file_sha256=hashlib.sha256(data).hexdigest(),
    )
    parsed = read_register(data, filename)
    # The clear ID number lives only in this dict's keys, for this call.
    keys = {
        owner.id_number: id_hmac(owner.id_number) for row in parsed.rows for owner in row.owners
    }
    try:
        with transaction.atomic():
            if not dry_run:
                # Two imports into one area would each decide "create" for the same
                # unit; the second waits here and then sees the first one's rows.
                ManagementArea.objects.select_for_update().filter(pk=area.pk).first()
            register = register_load(area, keys.values())
            errors = list(parsed.errors) + rows_check(parsed.rows, keys, register)
            if not parsed.rows and not errors:
                errors.append(RowError(2, _("文件中没有任何房屋数据行")))
            if errors:
                report.errors = [
                    (error.line, error.reason) for error in sorted(errors, key=lambda e: e.line)
                ]
                logger.info(
                    "register import refused: area=%s sha256=%s errors=%d",
                    area.code,
                    report.file_sha256,
                    len(errors),
                )
                return report
            _apply(
                area=area,
                rows=parsed.rows,
                keys=keys,
                register=register,
                report=report,
                actor=actor,
                dry_run=dry_run,
                progress=progress,
            )
            report.ok = True
            if report.counts.changed and not dry_run:
                audit_record(
                    actor=actor, action="register.import", obj=area, summary=report.summary()
                )
                if report.counts.units_created >= ANALYZE_AFTER_UNITS:
                    transaction.on_commit(statistics_refresh)
    except IntegrityError:
        # Only a concurrent writer can get here (all conflicts are checked above).
        logger.warning("register import conflict: area=%s", area.code, exc_info=True)
        raise Conflict(
            "register_conflict",
            _("导入时台账被同时修改（可能有另一次导入正在进行），未写入任何数据，请稍后重试。"),
        ) from None
    logger.info(
        "register import %s: area=%s sha256=%s %s",
        "checked" if dry_run else "done",
        area.code,
        report.file_sha256,
        asdict(report.counts),
    )
    return report


def statistics_refresh() -> None:
    """``ANALYZE`` the register tables (PostgreSQL; nothing elsewhere).

    Until autovacuum gets to them, the planner believes a table that has just
    grown from a few hundred rows to tens of thousands is still small, and
    plans what comes next for a new estate (its roll, interest over every
    sub-ledger) with nested loops that take minutes instead of seconds. Run
    after the commit of a large import; a failure here is logged, never the
    import's.
    """
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            for table in REGISTER_TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    except Exception:
        logger.warning("ANALYZE after a register import failed", exc_info=True)


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


def _apply(
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
            # _check made every row of one person agree on the phone.
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


# --- creating an area for a first import -----------------------------------------------------


def management_area_create(*, community: Community, code: str, name: str, actor) -> ManagementArea:
    """Create an empty management area (for ``import_register --area-name``), audited."""
    code, name = (code or "").strip(), (name or "").strip()
    if actor is not None:
        permissions.require(actor, "register.edit", community)
    if not code or len(code) > field_limit(ManagementArea, "code"):
        raise DomainError(
            "bad_area_code",
            _("区域编码不能为空，且不超过 %(n)d 个字符。")
            % {"n": field_limit(ManagementArea, "code")},
            fields={"code": _("无效。")},
        )
    if not name or len(name) > field_limit(ManagementArea, "name"):
        raise DomainError(
            "bad_area_name",
            _("区域名称不能为空，且不超过 %(n)d 个字。")
            % {"n": field_limit(ManagementArea, "name")},
            fields={"name": _("无效。")},
        )
    with transaction.atomic():
        if ManagementArea.objects.filter(code=code).exists():
            raise Conflict(
                "area_exists",
                _("区域编码 %(code)s 已存在。") % {"code": code},
                fields={"code": _("已存在。")},
            )
        area = ManagementArea.objects.create(
            community=community, code=code, name=name, estate_name=name
        )
        audit_record(
            actor=actor,
            action="area.create",
            obj=area,
            after={"code": code, "name": name, "community": community.code},
            summary={"code": code, "name": name, "community": community.code},
        )
    return area
