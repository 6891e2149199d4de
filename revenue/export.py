"""The ledger as CSV or XLSX, for owners and staff to check with a spreadsheet.

Spreadsheet formula injection (OWASP "CSV Injection"): counterparties and
memos are typed by people, so any text cell a spreadsheet could take for a
formula (starting with ``= + - @``, a tab or a carriage return) is written
with a leading apostrophe — shown, never evaluated (as ``estates.annex1``).
Amounts stay positive in the text columns (a reversal is named in its own
column), so no figure is ever mistaken for, or mangled as, a formula; the
XLSX sheets carry the signed amounts and totals as real numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from core import money

from . import ledger
from .models import Category, Direction, RevenueEntry

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADINGS: tuple[str, ...] = (
    "记录号",
    "发生日期",
    "收支",
    "类别",
    "金额（元）",
    "冲正的记录号",
    "已被冲正",
    "对方单位或个人",
    "摘要",
    "冲正原因",
    "凭证 SHA-256",
    "登记人",
    "登记时间",
)
XLSX_EXTRA = "计入金额（元）"  # the signed amount: negative for a reversal


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet could read it as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _row(entry: RevenueEntry, reversed_ids: set[int]) -> list[str]:
    recorded_at = timezone.localtime(entry.recorded_at, timezone.get_default_timezone())
    return [
        str(entry.pk),
        f"{entry.occurred_on:%Y-%m-%d}",
        str(Direction(entry.direction).label),
        str(Category(entry.category).label),
        money.yuan_plain(entry.amount_fen),
        str(entry.reverses_id or ""),
        "是" if entry.pk in reversed_ids else "",
        entry.counterparty,
        entry.memo,
        entry.reason,
        entry.voucher_sha256,
        str(entry.recorded_by) if entry.recorded_by_id else "",
        f"{recorded_at:%Y-%m-%d %H:%M}",
    ]


def entries_csv(entries: Iterable[RevenueEntry], reversed_ids: set[int]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for entry in entries:
        writer.writerow([safe_text(cell) for cell in _row(entry, reversed_ids)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _put(ws, row: int, column: int, value) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = safe_text(value)
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the text
        if text is not value:
            cell.quotePrefix = True
    else:
        cell.value = value


def entries_xlsx(
    entries: Iterable[RevenueEntry],
    reversed_ids: set[int],
    *,
    title: str,
    totals: ledger.Totals,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "明细"
    _put(sheet, 1, 1, title)
    sheet.cell(row=1, column=1).font = Font(bold=True)
    headings = [*HEADINGS, XLSX_EXTRA]
    for column, heading in enumerate(headings, start=1):
        _put(sheet, 2, column, heading)
        sheet.cell(row=2, column=column).font = Font(bold=True)
    row = 3
    for entry in entries:
        cells = _row(entry, reversed_ids)
        for column, value in enumerate(cells, start=1):
            if column == 5:
                _put(sheet, row, column, money.yuan_decimal(entry.amount_fen))
                sheet.cell(row=row, column=column).number_format = "0.00"
            else:
                _put(sheet, row, column, value)
        _put(sheet, row, len(headings), money.yuan_decimal(entry.signed_fen))
        sheet.cell(row=row, column=len(headings)).number_format = "0.00"
        row += 1

    summary = workbook.create_sheet("汇总")
    _put(summary, 1, 1, title)
    _put(summary, 2, 1, "项目")
    _put(summary, 2, 2, "金额（元）")
    lines = [(str(Category(code).label), fen) for code, fen in totals.by_category.items()]
    lines += [
        ("收入合计", totals.income_fen),
        ("合理成本合计", totals.cost_fen),
        ("净收益", totals.net_fen),
    ]
    for offset, (label, fen) in enumerate(lines, start=3):
        _put(summary, offset, 1, label)
        _put(summary, offset, 2, money.yuan_decimal(fen))
        summary.cell(row=offset, column=2).number_format = "0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
