"""The header and the rows of a bank statement (part of ``funds.ledger.reconciliation.bankcsv``; no Django).

Each column has a few accepted names (``COLUMNS``); a row becomes a
``BankLine`` or a list of ``RowError`` with the file's line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .values import parse_amount, parse_date

__all__ = [
    "COLUMNS",
    "LABELS",
    "LIMITS",
    "BankLine",
    "RowError",
    "check_header",
    "header_index",
    "parse_row",
]

LIMITS = {"reference": 60, "counterparty": 200, "memo": 200, "account": 40}

COL_DATE = "date"
COL_AMOUNT = "amount"
COL_DEBIT = "debit"
COL_CREDIT = "credit"
COL_BALANCE = "balance"
COL_REFERENCE = "reference"
COL_COUNTERPARTY = "counterparty"
COL_MEMO = "memo"
COL_ACCOUNT = "account"

# Accepted header names of each column (compared without spaces, English case-insensitive).
COLUMNS: dict[str, tuple[str, ...]] = {
    COL_DATE: ("交易日期", "记账日期", "日期", "date"),
    COL_AMOUNT: ("金额", "交易金额", "发生额", "amount"),
    COL_DEBIT: ("借方金额", "借方发生额", "支出金额", "支出", "debit"),
    COL_CREDIT: ("贷方金额", "贷方发生额", "收入金额", "收入", "credit"),
    COL_BALANCE: ("余额", "账户余额", "balance"),
    COL_REFERENCE: ("流水号", "交易流水号", "参考号", "reference"),
    COL_COUNTERPARTY: ("对方户名", "对方账户名称", "对方名称", "counterparty"),
    COL_MEMO: ("摘要", "用途", "附言", "memo"),
    COL_ACCOUNT: ("本方账号", "账号", "account"),
}
LABELS = {
    COL_DATE: "交易日期",
    COL_AMOUNT: "金额",
    COL_DEBIT: "借方金额",
    COL_CREDIT: "贷方金额",
    COL_BALANCE: "余额",
    COL_REFERENCE: "流水号",
    COL_COUNTERPARTY: "对方户名",
    COL_MEMO: "摘要",
    COL_ACCOUNT: "本方账号",
}
_NAME_TO_COLUMN = {
    re.sub(r"\s+", "", name).casefold(): column
    for column, names in COLUMNS.items()
    for name in names
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    column: str = ""

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.reason}"


@dataclass(frozen=True)
class BankLine:
    """One row of the statement; amounts in fen, + money into the account."""

    line: int
    value_date: date
    amount_fen: int
    balance_fen: int
    reference: str
    counterparty: str
    memo: str = ""
    account: str = ""


def header_index(cells: list[str]) -> tuple[dict[str, int], list[RowError]] | None:
    """Column → position if ``cells`` is the header row (names date and balance), else None."""
    found: dict[str, list[int]] = {}
    for position, cell in enumerate(cells):
        column = _NAME_TO_COLUMN.get(re.sub(r"\s+", "", cell.removeprefix("\ufeff")).casefold())
        if column is not None:
            found.setdefault(column, []).append(position)
    if COL_DATE not in found or COL_BALANCE not in found:
        return None
    return {column: positions[0] for column, positions in found.items()}, [
        RowError(0, f"表头中“{LABELS[column]}”列出现了 {len(positions)} 次", LABELS[column])
        for column, positions in found.items()
        if len(positions) > 1
    ]


def check_header(index: dict[str, int], line: int, errors: list[RowError]) -> None:
    errors[:] = [RowError(line, e.reason, e.column) for e in errors]
    for column in (COL_REFERENCE, COL_COUNTERPARTY):
        if column not in index:
            errors.append(RowError(line, f"缺少必需的列：{LABELS[column]}", LABELS[column]))
    has_amount = COL_AMOUNT in index
    has_pair = COL_DEBIT in index or COL_CREDIT in index
    if has_amount and has_pair:
        errors.append(RowError(line, "同时有“金额”列和借方/贷方列，只能用其中一种"))
    elif not has_amount and not (COL_DEBIT in index and COL_CREDIT in index):
        errors.append(
            RowError(line, "缺少金额列：需要一个带正负号的“金额”列，或“借方金额”和“贷方金额”两列")
        )


def parse_row(line: int, cells: list[str], index: dict[str, int], width: int):
    errors: list[RowError] = []

    def error(reason: str, column: str = "") -> None:
        errors.append(RowError(line, reason, LABELS.get(column, "")))

    def cell(column: str) -> str:
        position = index.get(column)
        if position is None or position >= len(cells):
            return ""
        return cells[position]

    if any(cells[width:]):
        error("本行的单元格多于表头（可能有未加引号的逗号）")
    value_date = amount = balance = None
    try:
        value_date = parse_date(cell(COL_DATE)) if cell(COL_DATE) else None
        if value_date is None:
            error("缺少交易日期", COL_DATE)
    except ValueError as exc:
        error(str(exc), COL_DATE)
    if COL_AMOUNT in index:
        try:
            if not cell(COL_AMOUNT):
                error("缺少金额", COL_AMOUNT)
            else:
                amount = parse_amount(cell(COL_AMOUNT))
        except ValueError as exc:
            error(str(exc), COL_AMOUNT)
    else:
        sides = {}
        for column in (COL_DEBIT, COL_CREDIT):
            try:
                sides[column] = parse_amount(cell(column), signed=False) if cell(column) else 0
            except ValueError as exc:
                error(str(exc), column)
        if len(sides) == 2:
            if sides[COL_DEBIT] and sides[COL_CREDIT]:
                error("借方金额和贷方金额同时有数，一行只能是一笔收入或一笔支出")
            else:
                amount = sides[COL_CREDIT] - sides[COL_DEBIT]
    if amount == 0:
        error("金额为零", COL_AMOUNT)
        amount = None
    try:
        if not cell(COL_BALANCE):
            error("缺少余额", COL_BALANCE)
        else:
            balance = parse_amount(cell(COL_BALANCE))
    except ValueError as exc:
        error(str(exc), COL_BALANCE)
    texts = {}
    for column in (COL_REFERENCE, COL_COUNTERPARTY, COL_MEMO, COL_ACCOUNT):
        value = " ".join(cell(column).split())
        if _CONTROL.search(cell(column)):
            error(f"“{LABELS[column]}”中有控制字符（文件编码可能不对）", column)
        elif len(value) > LIMITS[column]:
            error(f"“{LABELS[column]}”超过 {LIMITS[column]} 个字符", column)
        texts[column] = value
    if errors or value_date is None or amount is None or balance is None:
        return None, errors
    return (
        BankLine(
            line=line,
            value_date=value_date,
            amount_fen=amount,
            balance_fen=balance,
            reference=texts[COL_REFERENCE],
            counterparty=texts[COL_COUNTERPARTY],
            memo=texts[COL_MEMO],
            account=texts[COL_ACCOUNT].replace(" ", ""),
        ),
        [],
    )
