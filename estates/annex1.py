"""Annex 1 of the district programme as an XLSX workbook (RULES.md §8).

住宅物业管理区域信息台账: one row per management area with the programme's
exact column headings. The three coded columns hold the code number the
annex asks for (物业服务形态 1–6, 业委会组建情况 1–3, 党的工作覆盖 1–5); the
meaning of every code is on the second sheet, 代码说明, so the sheet can be
summed and filtered like the paper ledger while staying readable.

Spreadsheet formula injection (OWASP "CSV Injection"): names and boundaries
come from imports and forms, so any text that a spreadsheet could take for a
formula (starting with ``= + - @``, a tab or a carriage return) is written as
a string cell, prefixed with an apostrophe and marked ``quotePrefix`` — it is
shown, never evaluated, even after the cell is edited or saved as CSV.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .models import ManagementArea

TITLE = "住宅物业管理区域信息台账"
# The annex's headings, verbatim (programme annex 1; RULES.md §8). Not
# translated: the bureau files this sheet upward in exactly this form.
HEADINGS: tuple[str, ...] = (
    "序号",
    "物业管理区域名称",
    "小区名称",
    "所在街道/社区",
    "四至范围",
    "物业服务形态",
    "业委会组建情况",
    "党的工作覆盖",
    "物业服务企业及项目负责人",
    "物业费收缴率",
)
COLUMN_WIDTHS = (6, 26, 20, 22, 36, 12, 14, 12, 32, 12)
LEGEND_SHEET = "代码说明"
HEADING_ROW = 3  # row 1: title, row 2: scope and time, row 3: headings
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PERCENT_FORMAT = '0.00"%"'
ANNEX_LANGUAGE = "zh-hans"

_thin = Side(style="thin", color="999999")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet could read it as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _put(ws: Worksheet, row: int, column: int, value) -> Cell:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = safe_text(value)
        cell.value = text
        # openpyxl would type "=…" as a formula; force a plain string.
        cell.data_type = "s"
        if text is not value:
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _company_and_manager(area: ManagementArea) -> str:
    company = area.property_company.name if area.property_company_id else ""
    manager = area.project_manager.strip()
    if manager:
        return f"{company or '无'}/{manager}"
    return company


def annex1_rows(areas: Iterable[ManagementArea]) -> list[list]:
    """The ledger's rows, in heading order: text, code numbers and the rate (Decimal or None)."""
    rows = []
    for number, area in enumerate(areas, start=1):
        community = area.community
        rows.append(
            [
                number,
                area.name,
                area.estate_name,
                f"{community.street.name}/{community.name}",
                area.boundaries,
                int(area.service_form),
                int(area.committee_status),
                int(area.party_coverage),
                _company_and_manager(area),
                area.fee_collection_rate,
            ]
        )
    return rows


def ordered(areas) -> Iterable[ManagementArea]:
    """Street, then community, then area code: the order the paper ledger is kept in."""
    return areas.select_related("community__street", "property_company").order_by(
        "community__street__code", "community__code", "code"
    )


def _legend(ws: Worksheet) -> None:
    ws.title = LEGEND_SHEET
    for column, heading in enumerate(("字段", "代码", "含义"), start=1):
        cell = _put(ws, 1, column, heading)
        cell.font = Font(bold=True)
    row = 2
    for heading, choices in (
        ("物业服务形态", ManagementArea.ServiceForm),
        ("业委会组建情况", ManagementArea.CommitteeStatus),
        ("党的工作覆盖", ManagementArea.PartyCoverage),
    ):
        for choice in choices:
            _put(ws, row, 1, heading)
            _put(ws, row, 2, int(choice.value))
            _put(ws, row, 3, str(choice.label))
            row += 1
    _put(ws, row + 1, 1, "物业费收缴率")
    _put(ws, row + 1, 3, "百分数，保留两位小数；空白表示未填报。")
    for column, width in enumerate((18, 8, 40), start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


@dataclass(frozen=True)
class Ledger:
    """How a programme ledger is laid out as an XLSX sheet (annex 1 here; annex 2 in
    ``emergency.annex2``): row 1 the title, row 2 the scope and time of the export, row 3 the
    headings, then one row per entry, every cell formula-safe (``_put``)."""

    sheet: str  # the worksheet's name
    title: str
    headings: Sequence[str]
    widths: Sequence[int]  # of the columns, in heading order
    formats: dict[str, str]  # heading → the number format of its cells that hold a value
    scope_note: str = ""  # more of row 2, after the scope and time
    explain: Callable[[Worksheet], None] | None = None  # fills a second sheet

    def xlsx(
        self, rows: Iterable[list], *, scope_label: str, generated_at: datetime | None = None
    ) -> bytes:
        """The sheet with ``rows`` (in heading order, as given) as XLSX bytes."""
        generated_at = timezone.localtime(generated_at or timezone.now())
        formats = {self.headings.index(name) + 1: code for name, code in self.formats.items()}
        with translation.override(ANNEX_LANGUAGE):
            workbook = Workbook()
            ws = workbook.active
            ws.title = self.sheet
            last = get_column_letter(len(self.headings))

            title = _put(ws, 1, 1, self.title)
            title.font = Font(bold=True, size=14)
            title.alignment = Alignment(horizontal="center")
            ws.merge_cells(f"A1:{last}1")
            scope = f"填报范围：{scope_label}　导出时间：{generated_at:%Y-%m-%d %H:%M}"
            _put(ws, 2, 1, scope + self.scope_note)
            ws.merge_cells(f"A2:{last}2")

            for column, heading in enumerate(self.headings, start=1):
                cell = _put(ws, HEADING_ROW, column, heading)
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                cell.border = BORDER
            for row_number, row in enumerate(rows, start=HEADING_ROW + 1):
                for column, value in enumerate(row, start=1):
                    cell = _put(ws, row_number, column, value)
                    cell.border = BORDER
                    cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
                    if column in formats and value is not None:
                        cell.number_format = formats[column]
            for column, width in enumerate(self.widths, start=1):
                ws.column_dimensions[get_column_letter(column)].width = width
            ws.freeze_panes = f"A{HEADING_ROW + 1}"

            if self.explain is not None:
                self.explain(workbook.create_sheet())

            buffer = io.BytesIO()
            workbook.save(buffer)
        return buffer.getvalue()


LEDGER = Ledger(
    "附件1",
    TITLE,
    HEADINGS,
    COLUMN_WIDTHS,
    {"物业费收缴率": PERCENT_FORMAT},
    scope_note=f"　代码含义见“{LEGEND_SHEET}”工作表",
    explain=_legend,
)


def annex1_workbook(
    areas: Iterable[ManagementArea], *, scope_label: str, generated_at: datetime | None = None
) -> bytes:
    """The ledger of ``areas`` as XLSX bytes (areas in the order given)."""
    return LEDGER.xlsx(annex1_rows(areas), scope_label=scope_label, generated_at=generated_at)
