"""Parse the district's unit register file (RULES.md §1; sample: shared/samples/register-sample.csv).

Pure: standard library and python-stdnum only, no Django import, so the
import service, a management command and the tests all use the same checks.

Columns (the header row names them; their order and any extra columns do not
matter): 楼栋, 单元, 房号, 用途, 登记面积, 实测面积, 合同面积, 是否交付, 开发商持有,
业主姓名, 身份证号, 手机号. Several owners of one unit are separated by ``;``
(or the full-width ``；``), names, ID numbers and phones in the same order.

The unit code is ``楼栋-单元-房号`` with each part exactly as in the file
(surrounding spaces removed), e.g. ``1栋-1单元-101``. A part may therefore not
contain ``-`` itself: ``A-1栋`` + ``1单元`` and ``A`` + ``1-1单元`` would give the
same code, so such a row is refused.

:func:`parse_csv` takes the file's bytes (UTF-8 with or without BOM, else
GB18030, which is what Excel on a Chinese Windows saves as "CSV");
:func:`parse_rows` takes a header and numbered rows (the caller converts an
XLSX sheet with openpyxl). Both return every error of every row, with the
file's line number and a reason in Chinese for the person who fixes the
file. ``rows`` holds only the rows without any error; importers should refuse
the file while ``errors`` is not empty, so the register never holds half a
file.

Error messages never repeat an ID number or phone number (personal data,
DESIGN.md): they point at the owner by position in the row.
"""

# One piece because the column table and the row checks it drives are read side by side,
# and the module must stay pure (no Django) as one unit.

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from estates.roll import UnitRecord

__all__ = [
    "COLUMNS",
    "OwnerEntry",
    "ParsedRegister",
    "RegisterRow",
    "RowError",
    "decode_register",
    "parse_csv",
    "parse_rows",
]

COL_BUILDING = "楼栋"
COL_STAIR = "单元"
COL_ROOM = "房号"
COL_USE = "用途"
COL_REGISTERED = "登记面积"
COL_SURVEYED = "实测面积"
COL_CONTRACT = "合同面积"
COL_DELIVERED = "是否交付"
COL_DEVELOPER = "开发商持有"
COL_NAMES = "业主姓名"
COL_IDS = "身份证号"
COL_PHONES = "手机号"

COLUMNS = (
    COL_BUILDING,
    COL_STAIR,
    COL_ROOM,
    COL_USE,
    COL_REGISTERED,
    COL_SURVEYED,
    COL_CONTRACT,
    COL_DELIVERED,
    COL_DEVELOPER,
    COL_NAMES,
    COL_IDS,
    COL_PHONES,
)

USES = ("住宅", "非住宅")
YES, NO = "是", "否"
HEADER_LINE = 1

# Mainland mobile numbers; the same rule as accounts.phones.PHONE_RE (which
# imports Django, so it cannot be used from this pure module).
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
AREA_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
SEPARATOR_RE = re.compile(r"[;；]")
# DecimalField(max_digits=12, decimal_places=2) in the register: 10 integer digits.
AREA_LIMIT = Decimal("10000000000")


class OwnerEntry(NamedTuple):
    name: str
    id_number: str
    phone: str


@dataclass(frozen=True)
class RegisterRow:
    """One valid row of the register file."""

    line: int
    building: str
    stair: str
    room: str
    code: str
    use: str
    registered_area: Decimal | None
    surveyed_area: Decimal | None
    contract_area: Decimal | None
    delivered: bool
    developer_held: bool
    owners: tuple[OwnerEntry, ...]

    def to_unit(self, owner_key: Callable[[str], str]) -> UnitRecord:
        """The roll's view of this row; ``owner_key`` maps an ID number to its stable key
        (in production the HMAC column of the person)."""
        return UnitRecord(
            code=self.code,
            registered_area=self.registered_area,
            surveyed_area=self.surveyed_area,
            contract_area=self.contract_area,
            owners=frozenset(owner_key(owner.id_number) for owner in self.owners),
            delivered=self.delivered,
            developer_held=self.developer_held,
            building=self.building,
        )


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    column: str = ""


class ParsedRegister(NamedTuple):
    rows: list[RegisterRow]
    errors: list[RowError]


def decode_register(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else GB18030.

    If neither fits, raises the UnicodeDecodeError of the decoder that got
    further: its position is where the file is most likely damaged.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as gb_error:
            raise max(utf8_error, gb_error, key=lambda exc: exc.start) from None
    # GB18030 has its own byte-order mark, decoded as U+FEFF.
    return text.removeprefix("\ufeff")


def parse_csv(data: bytes) -> ParsedRegister:
    """Parse a register CSV file given as bytes; see the module docstring."""
    try:
        text = decode_register(data)
    except UnicodeDecodeError as exc:
        offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        line = data[: offset + exc.start].count(b"\n") + 1
        return ParsedRegister(
            [],
            [RowError(line, "文件编码无法识别：请保存为 UTF-8 或 GB18030（GBK）编码的 CSV 文件")],
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return ParsedRegister([], [RowError(HEADER_LINE, "文件为空，缺少表头行")])
    except csv.Error as exc:
        return ParsedRegister([], [RowError(HEADER_LINE, f"CSV 格式错误：{exc}")])

    csv_errors: list[RowError] = []

    def numbered() -> Iterable[tuple[int, list[str]]]:
        # A quoted cell may span several lines: a record starts on the line after
        # the end of the previous one, which is what a person looks for.
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                csv_errors.append(RowError(start, f"CSV 格式错误：{exc}"))
                return
            yield start, cells
            start = reader.line_num + 1

    result = parse_rows(header, numbered())
    return ParsedRegister(result.rows, result.errors + csv_errors)


def parse_rows(header: list[str], rows: Iterable[tuple[int, list[str]]]) -> ParsedRegister:
    """Parse rows already split into cells: ``header`` is line 1, ``rows`` are (line, cells).

    Rows whose cells are all empty are skipped (spreadsheets export them).
    """
    names = [str(cell or "").strip().removeprefix("\ufeff").strip() for cell in header]
    errors: list[RowError] = []
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in COLUMNS and name in index:
            errors.append(RowError(HEADER_LINE, f"表头中“{name}”列出现了两次", name))
        index.setdefault(name, position)
    for column in COLUMNS:
        if column not in index:
            errors.append(RowError(HEADER_LINE, f"缺少必需的列：{column}", column))
    if errors:
        return ParsedRegister([], errors)

    parsed: list[RegisterRow] = []
    first_line_of: dict[tuple[str, str, str], int] = {}
    for line, raw_cells in rows:
        cells = [str(cell).strip() if cell is not None else "" for cell in raw_cells]
        if not any(cells):
            continue
        row, row_errors = _parse_row(line, cells, index, len(names), first_line_of)
        errors.extend(row_errors)
        if row is not None and not row_errors:
            parsed.append(row)
    return ParsedRegister(parsed, errors)


def _parse_row(
    line: int,
    cells: list[str],
    index: dict[str, int],
    width: int,
    first_line_of: dict[tuple[str, str, str], int],
) -> tuple[RegisterRow | None, list[RowError]]:
    errors: list[RowError] = []

    def error(reason: str, column: str = "") -> None:
        errors.append(RowError(line, reason, column))

    def cell(column: str) -> str:
        position = index[column]
        return cells[position] if position < len(cells) else ""

    if any(cells[width:]):
        error("本行的单元格多于表头（可能有未加引号的逗号）")

    # Identity of the unit: the code is 楼栋-单元-房号 (module docstring).
    building, stair, room = cell(COL_BUILDING), cell(COL_STAIR), cell(COL_ROOM)
    parts_ok = True
    for column, value in ((COL_BUILDING, building), (COL_STAIR, stair), (COL_ROOM, room)):
        if not value:
            error(f"{column}为空", column)
            parts_ok = False
        elif "-" in value:
            error(f"{column}“{value}”中不能含有“-”（它用于分隔房屋编码）", column)
            parts_ok = False
    if parts_ok:
        identity = (building, stair, room)
        if identity in first_line_of:
            error(f"房屋 {building}{stair}{room} 与第 {first_line_of[identity]} 行重复")
        else:
            first_line_of[identity] = line

    use = cell(COL_USE)
    if use not in USES:
        error(f"用途“{use}”无效，只能填“住宅”或“非住宅”", COL_USE)

    # SPC art. 8 needs at least one of the three areas (RULES.md §1).
    areas: dict[str, Decimal | None] = {}
    for column in (COL_REGISTERED, COL_SURVEYED, COL_CONTRACT):
        areas[column] = _parse_area(cell(column), column, error)
    if not any(cell(column) for column in (COL_REGISTERED, COL_SURVEYED, COL_CONTRACT)):
        error("登记面积、实测面积、合同面积均为空，至少需要填写一项")

    delivered = _parse_yes_no(cell(COL_DELIVERED), COL_DELIVERED, error)
    developer_held = _parse_yes_no(cell(COL_DEVELOPER), COL_DEVELOPER, error)

    owners = _parse_owners(cell(COL_NAMES), cell(COL_IDS), cell(COL_PHONES), error)
    has_owner_data = any(cell(column) for column in (COL_NAMES, COL_IDS, COL_PHONES))
    if developer_held is True and has_owner_data:
        error("开发商持有的房屋不应填写业主姓名、身份证号或手机号")
    if developer_held is False and not has_owner_data:
        error("非开发商持有的房屋（开发商持有=否）必须填写业主")

    if errors:
        return None, errors
    assert delivered is not None and developer_held is not None and owners is not None
    return (
        RegisterRow(
            line=line,
            building=building,
            stair=stair,
            room=room,
            code=f"{building}-{stair}-{room}",
            use=use,
            registered_area=areas[COL_REGISTERED],
            surveyed_area=areas[COL_SURVEYED],
            contract_area=areas[COL_CONTRACT],
            delivered=delivered,
            developer_held=developer_held,
            owners=owners,
        ),
        [],
    )


def _parse_area(raw: str, column: str, error: Callable[[str, str], None]) -> Decimal | None:
    """Empty → None. Otherwise a plain decimal number > 0 with at most two places.

    "89.500" is accepted (it is 89.50); "89.505" is refused rather than rounded:
    the area decides votes (SPC art. 8), so nothing here guesses.
    """
    if not raw:
        return None
    if not AREA_RE.match(raw):
        error(f"{column}“{raw}”不是有效的数字", column)
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - AREA_RE admits only valid literals
        error(f"{column}“{raw}”不是有效的数字", column)
        return None
    if value <= 0:
        error(f"{column}“{raw}”必须大于 0", column)
        return None
    if value >= AREA_LIMIT:
        error(f"{column}“{raw}”超出范围", column)
        return None
    quantized = value.quantize(Decimal("0.01"))
    if quantized != value:
        error(f"{column}“{raw}”最多保留两位小数", column)
        return None
    return quantized


def _parse_yes_no(raw: str, column: str, error: Callable[[str, str], None]) -> bool | None:
    if raw == YES:
        return True
    if raw == NO:
        return False
    shown = f"“{raw}”" if raw else "为空"
    error(f"{column}{shown}无效，只能填“是”或“否”", column)
    return None


def _split(raw: str) -> list[str]:
    # Trailing or doubled separators are tolerated; counts are compared afterwards.
    return [part.strip() for part in SEPARATOR_RE.split(raw) if part.strip()]


def _normalize_phone(raw: str) -> str:
    """Same normalisation as accounts.phones.normalize_phone: spaces, dashes, +86/86."""
    value = re.sub(r"[\s-]", "", raw)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    return value


def _id_problem(id_number: str) -> str | None:
    """Why an 18-digit resident ID number is not valid, or None.

    Checks length/format, the check digit (GB 11643) and the birth date.
    stdnum's full ``ric.validate`` also requires the address code to have
    existed in the birth year; that rejects genuine numbers (埇桥区 341302
    dates from 1998, yet residents born earlier hold 341302 numbers), so it
    is not used.
    """
    if not ID_RE.match(id_number):
        return "格式不正确（应为18位，最后一位可为X）"
    if ric.calc_check_digit(id_number) != id_number[-1]:
        return "校验位不正确"
    try:
        birth = ric.get_birth_date(id_number)
    except ValidationError:
        return "中的出生日期无效"
    if birth.year < 1900:
        return "中的出生日期无效"
    return None


def _parse_owners(
    names_raw: str, ids_raw: str, phones_raw: str, error: Callable[[str, str], None]
) -> tuple[OwnerEntry, ...] | None:
    names = _split(names_raw)
    ids = [part.upper() for part in _split(ids_raw)]
    phones = [_normalize_phone(part) for part in _split(phones_raw)]
    ok = True
    if not len(names) == len(ids) == len(phones):
        error(
            f"业主姓名、身份证号、手机号的个数不一致（姓名 {len(names)} 个，"
            f"身份证号 {len(ids)} 个，手机号 {len(phones)} 个）"
        )
        ok = False
    for position, id_number in enumerate(ids, start=1):
        problem = _id_problem(id_number)
        if problem:
            error(f"第 {position} 个身份证号{problem}", COL_IDS)
            ok = False
    if len(set(ids)) != len(ids):
        error("同一行中身份证号重复", COL_IDS)
        ok = False
    for position, phone in enumerate(phones, start=1):
        if not PHONE_RE.match(phone):
            error(f"第 {position} 个手机号不是有效的11位中国大陆手机号码", COL_PHONES)
            ok = False
    if not ok:
        return None
    return tuple(OwnerEntry(*entry) for entry in zip(names, ids, phones, strict=True))
