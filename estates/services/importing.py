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
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from estates import register_csv, roll
from estates.crypto import encrypt_id, id_hmac
from estates.models import Building, Community, ManagementArea, Ownership, Person, Unit
from estates.register_csv import ParsedRegister, RegisterRow, RowError
from estates.services.binding import owner_roles_sync
from gongzhi.errors import DomainError

logger = logging.getLogger("gongzhi.estates.import")

__all__ = [
    "ImportCounts",
    "ImportReport",
    "management_area_create",
    "read_register",
    "register_import",
]

CHUNK = 1000
# Bound the number of parameters of one ``IN (...)`` query (SQLite's limit).
LOOKUP_CHUNK = 500
SHANGHAI = ZoneInfo("Asia/Shanghai")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls

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


# --- reading the file ----------------------------------------------------------------------


def _is_xlsx(data: bytes, filename: str) -> bool:
    return data.startswith(ZIP_MAGIC) or filename.lower().endswith(".xlsx")


def _cell_text(value: object) -> str:
    """An XLSX cell as the text a person sees in it.

    openpyxl gives numbers as int or float: a room number typed as 101 may
    come back as ``101.0`` and must read "101"; an area ``89.5`` reads "89.5"
    (one decimal is a valid area). ``repr`` is the shortest text that gives
    the same float back, so no binary noise (89.50000000000001) appears.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]], list[RowError]]:
    """Header, numbered rows and file-level errors of the first sheet of an XLSX file."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        return [], [], [RowError(1, _("无法读取 XLSX 文件：文件已损坏或不是 Excel 工作簿"))]
    try:
        sheet = workbook.worksheets[0]
        # Some programs write wrong sheet dimensions; read-only mode trusts them
        # unless told otherwise and would silently drop rows.
        sheet.reset_dimensions()
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        errors: list[RowError] = []
        id_position: int | None = None
        for cells in sheet.iter_rows():
            line = next((cell.row for cell in cells if getattr(cell, "row", None)), None)
            if line is None:
                continue  # an empty row
            values = [getattr(cell, "value", None) for cell in cells]
            if header is None:
                if line != 1:
                    return [], [], [RowError(1, _("第一行必须是表头行"))]
                header = [_cell_text(value) for value in values]
                names = [name.strip().removeprefix("\ufeff").strip() for name in header]
                if register_csv.COL_IDS in names:
                    id_position = names.index(register_csv.COL_IDS)
                continue
            if (
                id_position is not None
                and id_position < len(values)
                and isinstance(values[id_position], float)
            ):
                # Excel keeps 15 significant digits: an 18-digit number typed into
                # a number cell has lost its last digits and cannot be recovered.
                errors.append(
                    RowError(
                        line,
                        _(
                            "身份证号单元格是数字格式，Excel 只保留 15 位有效数字；请将该列设为文本后重新填写"
                        ),
                        register_csv.COL_IDS,
                    )
                )
            rows.append((line, [_cell_text(value) for value in values]))
    finally:
        workbook.close()
    if header is None:
        return [], [], [RowError(1, _("文件为空，缺少表头行"))]
    return header, rows, errors


def read_register(data: bytes, filename: str) -> ParsedRegister:
    """Parse a register file (CSV in UTF-8 / GB18030, or XLSX); rows plus every row error."""
    if data.startswith(OLE_MAGIC) or filename.lower().endswith(".xls"):
        return ParsedRegister(
            [], [RowError(1, _("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV"))]
        )
    if not _is_xlsx(data, filename):
        return register_csv.parse_csv(data)
    header, rows, errors = _xlsx_rows(data)
    if not header:
        return ParsedRegister([], errors)
    parsed = register_csv.parse_rows(header, rows)
    return ParsedRegister(parsed.rows, parsed.errors + errors)


# --- checking the file against the register ------------------------------------------------


def _field_limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Register:
    """What the area already holds, read once (no per-row queries)."""

    buildings: dict[str, Building]
    building_names: dict[int, str]
    units: dict[str, Unit]
    # unit pk → {person id_hmac: open Ownership pk}
    open_owners: dict[int, dict[str, int]]
    # id_hmac → Person, for the owners named in the file only
    persons: dict[str, Person]


def _load_register(area: ManagementArea, hmacs: Iterable[str]) -> _Register:
    buildings = {b.name: b for b in Building.objects.filter(area=area)}
    units = {u.code: u for u in Unit.objects.filter(area=area)}
    open_owners: dict[int, dict[str, int]] = {}
    rows = Ownership.objects.filter(unit__area=area, until__isnull=True).values_list(
        "pk", "unit_id", "person__id_hmac"
    )
    for pk, unit_id, key in rows:
        open_owners.setdefault(unit_id, {})[key] = pk
    persons: dict[str, Person] = {}
    for chunk in _chunks(sorted(set(hmacs)), LOOKUP_CHUNK):
        for person in Person.objects.filter(id_hmac__in=chunk).only(
            "pk", "name", "phone", "id_hmac"
        ):
            persons[person.id_hmac] = person
    return _Register(
        buildings=buildings,
        building_names={b.pk: b.name for b in buildings.values()},
        units=units,
        open_owners=open_owners,
        persons=persons,
    )


def _check(rows: list[RegisterRow], keys: dict[str, str], register: _Register) -> list[RowError]:
    """Row errors the parser cannot see: conflicts with the register and between rows."""
    errors: list[RowError] = []
    limits = {
        register_csv.COL_BUILDING: _field_limit(Building, "name"),
        register_csv.COL_STAIR: _field_limit(Unit, "stair"),
        register_csv.COL_ROOM: _field_limit(Unit, "number"),
    }
    code_limit = _field_limit(Unit, "code")
    name_limit = _field_limit(Person, "name")
    # id_hmac → (first line, name, phone) in this file
    first_seen: dict[str, tuple[int, str, str]] = {}
    for row in rows:
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
            errors.append(
                RowError(row.line, _("房屋编码过长（最多 %(n)d 个字）") % {"n": code_limit})
            )
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
            register = _load_register(area, keys.values())
            errors = list(parsed.errors) + _check(parsed.rows, keys, register)
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
    except IntegrityError:
        # Only a concurrent writer can get here (all conflicts are checked above).
        logger.warning("register import conflict: area=%s", area.code, exc_info=True)
        raise DomainError(
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


def _apply(
    *,
    area: ManagementArea,
    rows: list[RegisterRow],
    keys: dict[str, str],
    register: _Register,
    report: ImportReport,
    actor,
    dry_run: bool,
    progress: Progress | None,
) -> None:
    counts = report.counts
    counts.rows = len(rows)
    today = _today()

    new_buildings = sorted({row.building for row in rows} - register.buildings.keys())
    built = [Building(area=area, name=name) for name in new_buildings]
    if not dry_run and built:
        Building.objects.bulk_create(built)
    for building in built:
        register.buildings[building.name] = building

    persons = register.persons
    planned_persons: set[str] = set()  # hmacs created (or, in a dry run, to be created)
    updated_persons: set[str] = set()
    total = len(rows)
    done = 0
    for chunk in _chunks(rows, CHUNK):
        new_persons: list[Person] = []
        changed_persons: list[Person] = []
        new_units: list[Unit] = []
        changed_units: list[Unit] = []
        closes: list[int] = []
        # (unit code, hmacs to open)
        opens: list[tuple[str, list[str]]] = []
        sales: list[tuple[Unit, list[str], list[str]]] = []

        for row in chunk:
            for owner in row.owners:
                key = keys[owner.id_number]
                person = persons.get(key)
                if person is None and key not in planned_persons:
                    planned_persons.add(key)
                    new_persons.append(
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
                    if key not in updated_persons:
                        updated_persons.add(key)
                        changed_persons.append(person)

            values = _unit_values(row, register.buildings[row.building])
            wanted = sorted(keys[owner.id_number] for owner in row.owners)
            unit = register.units.get(row.code)
            if unit is None:
                new_units.append(Unit(area=area, code=row.code, **values))
                if wanted:
                    opens.append((row.code, wanted))
                continue
            if _differs(unit, values):
                for name, value in values.items():
                    setattr(unit, name, value)
                changed_units.append(unit)
            else:
                counts.units_unchanged += 1
            current = register.open_owners.get(unit.pk, {})
            if set(current) != set(wanted):
                # RULES.md §1 / Civil Code: the owner set changed, i.e. a sale.
                # Owners who stay keep their open row; history is never deleted.
                closes.extend(pk for key, pk in current.items() if key not in wanted)
                added = [key for key in wanted if key not in current]
                if added:
                    opens.append((row.code, added))
                sales.append((unit, sorted(current), wanted))

        counts.units_created += len(new_units)
        counts.units_updated += len(changed_units)
        counts.persons_created += len(new_persons)
        counts.persons_updated += len(changed_persons)
        counts.sales += len(sales)

        if not dry_run:
            # SQLite (3.35+) and PostgreSQL return primary keys from bulk_create.
            Person.objects.bulk_create(new_persons, batch_size=CHUNK)
            for person in new_persons:
                persons[person.id_hmac] = person
            if changed_persons:
                Person.objects.bulk_update(changed_persons, ["phone"], batch_size=CHUNK)
            Unit.objects.bulk_create(new_units, batch_size=CHUNK)
            for unit in new_units:
                register.units[unit.code] = unit
            if changed_units:
                Unit.objects.bulk_update(changed_units, list(UNIT_FIELDS), batch_size=CHUNK)
            for pks in _chunks(closes, LOOKUP_CHUNK):
                Ownership.objects.filter(pk__in=pks).update(until=today)
            Ownership.objects.bulk_create(
                [
                    Ownership(
                        unit_id=register.units[code].pk, person_id=persons[key].pk, since=today
                    )
                    for code, added in opens
                    for key in added
                ],
                batch_size=CHUNK,
            )
            for unit, before, after in sales:
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
            affected = {key for _unit, before, after in sales for key in (*before, *after)}
            for pks in _chunks(sorted(affected), LOOKUP_CHUNK):
                for person in Person.objects.filter(id_hmac__in=pks, user__isnull=False):
                    owner_roles_sync(person=person, actor=actor)
        done += len(chunk)
        if progress is not None:
            progress(done, total)

    in_file = {row.code for row in rows}
    report.not_in_file_codes = sorted(code for code in register.units if code not in in_file)
    counts.not_in_file = len(report.not_in_file_codes)


# --- creating an area for a first import -----------------------------------------------------


def management_area_create(*, community: Community, code: str, name: str, actor) -> ManagementArea:
    """Create an empty management area (for ``import_register --area-name``), audited."""
    code, name = (code or "").strip(), (name or "").strip()
    if actor is not None:
        permissions.require(actor, "register.edit", community)
    if not code or len(code) > _field_limit(ManagementArea, "code"):
        raise DomainError(
            "bad_area_code",
            _("区域编码不能为空，且不超过 %(n)d 个字符。")
            % {"n": _field_limit(ManagementArea, "code")},
            fields={"code": _("无效。")},
        )
    if not name or len(name) > _field_limit(ManagementArea, "name"):
        raise DomainError(
            "bad_area_name",
            _("区域名称不能为空，且不超过 %(n)d 个字。")
            % {"n": _field_limit(ManagementArea, "name")},
            fields={"name": _("无效。")},
        )
    with transaction.atomic():
        if ManagementArea.objects.filter(code=code).exists():
            raise DomainError(
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
