"""Annex 2 of the district programme as an XLSX workbook (RULES.md §8).

问题整治工作台账: one row per problem with the programme's exact column
headings, laid out like annex 1 (``estates.annex1``): title, scope and time,
headings, rows. Text typed in forms goes through the same formula-injection
guard (``estates.annex1.safe_text``): shown, never evaluated.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from estates.annex1 import ANNEX_LANGUAGE, BORDER, safe_text

from .models import Problem

TITLE = "问题整治工作台账"
# The annex's headings, verbatim (programme annex 2; RULES.md §8). Not
# translated: the bureau files this sheet upward in exactly this form.
HEADINGS: tuple[str, ...] = (
    "序号",
    "项目名称",
    "所在街道社区",
    "物业服务企业",
    "问题类别",
    "问题内容",
    "整改措施及进展",
    "责任单位/人",
    "整改完成时限",
    "是否销号",
    "备注",
)
COLUMN_WIDTHS = (6, 24, 22, 24, 12, 40, 40, 18, 14, 10, 24)
HEADING_ROW = 3  # row 1: title, row 2: scope and time, row 3: headings
DATE_FORMAT = "yyyy-mm-dd"


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


def annex2_rows(problems: Iterable[Problem]) -> list[list]:
    """The ledger's rows in heading order; the deadline stays a date, 是否销号 reads 是/否."""
    rows = []
    for number, problem in enumerate(problems, start=1):
        rows.append(
            [
                number,
                problem.project_name,
                problem.street_community,
                problem.company,
                problem.category,
                problem.content,
                problem.measures,
                problem.responsible,
                problem.deadline,
                "是" if problem.closed else "否",
                problem.remarks,
            ]
        )
    return rows


def ordered(problems) -> Iterable[Problem]:
    """Street, community, then the order the entries were made: the paper ledger's order."""
    return problems.select_related("community__street", "area").order_by(
        "community__street__code", "community__code", "created_at", "pk"
    )


def annex2_workbook(
    problems: Iterable[Problem], *, scope_label: str, generated_at: datetime | None = None
) -> bytes:
    """The ledger of ``problems`` as XLSX bytes (in the order given)."""
    generated_at = timezone.localtime(generated_at or timezone.now())
    with translation.override(ANNEX_LANGUAGE):
        workbook = Workbook()
        ws = workbook.active
        ws.title = "附件2"
        last = get_column_letter(len(HEADINGS))

        title = _put(ws, 1, 1, TITLE)
        title.font = Font(bold=True, size=14)
        title.alignment = Alignment(horizontal="center")
        ws.merge_cells(f"A1:{last}1")
        _put(ws, 2, 1, f"填报范围：{scope_label}　导出时间：{generated_at:%Y-%m-%d %H:%M}")
        ws.merge_cells(f"A2:{last}2")

        for column, heading in enumerate(HEADINGS, start=1):
            cell = _put(ws, HEADING_ROW, column, heading)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = BORDER
        deadline_column = HEADINGS.index("整改完成时限") + 1
        for row_number, row in enumerate(annex2_rows(problems), start=HEADING_ROW + 1):
            for column, value in enumerate(row, start=1):
                cell = _put(ws, row_number, column, value)
                cell.border = BORDER
                cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
                if column == deadline_column and value is not None:
                    cell.number_format = DATE_FORMAT
        for column, width in enumerate(COLUMN_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        ws.freeze_panes = f"A{HEADING_ROW + 1}"

        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
