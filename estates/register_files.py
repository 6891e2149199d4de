"""Reading a register file: CSV (UTF-8 or GB18030) or XLSX, into checked rows.

The rows' meaning is checked by the pure parser ``estates.register_csv``; this
module only turns the bytes of a file into text cells, with the few traps of
Excel files handled (numbers that should read as text, 18-digit ID numbers
already truncated by Excel, the old binary .xls format).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from decimal import Decimal

from django.utils.translation import gettext as _

from estates import register_csv
from estates.register_csv import ParsedRegister, RowError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


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
