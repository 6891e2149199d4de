"""Parse the custody bank's account statement (CSV) — a pure package, no Django import.

RULES.md §4 "Publication" (Order 165 art. 30): the fund is reconciled with the
account bank before it is published. The bank's statement of the custody
account (对账单 / 账户明细) comes in as CSV; the format is documented in
docs/funds-reconciliation.md with a sample in docs/samples/bank-statement-sample.csv.

- Encoding: UTF-8 (with or without BOM), else GB18030 (what Excel and most
  bank portals on a Chinese Windows save). UTF-16 and undecodable bytes are
  refused with the line where the file stops being readable.
- Up to ``HEADER_SEARCH_ROWS`` title rows before the header (a bank export
  starts with "账户明细查询", "账号：…") are skipped; the header row is the
  first one naming the date and balance columns. Column order does not
  matter and other columns are ignored; each column has a few accepted
  names (``COLUMNS``).
- Money: yuan with at most two decimals (``1234.5``, ``1,234.50``, ``-80.00``),
  converted to integer fen by string arithmetic, never through a float.
  Either one signed amount column (money in +, out −) or a debit and a credit
  column (借方 = out of the account, 贷方 = into it, as banks print them; the
  unused one empty or ``0.00``).
- Each row's balance must equal the previous balance plus the row's amount:
  a statement that does not add up is missing a row or was edited. Newest
  first (some portals) is accepted when the rows add up in reverse.

Any bad row refuses the whole file: ``ParsedStatement.errors`` lists every
problem with its line number (as a text editor counts lines) and ``lines`` is
then empty, so an import never holds half a statement.

Parts: ``values`` (money and dates), ``rows`` (header and rows), here the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date

from .rows import (
    COL_BALANCE,
    COLUMNS,
    LABELS,
    BankLine,
    RowError,
    check_header,
    header_index,
    parse_row,
)
from .values import MAX_FEN, format_amount, parse_amount, parse_date

__all__ = [
    "COLUMNS",
    "LABELS",
    "MAX_BYTES",
    "MAX_ERRORS",
    "MAX_FEN",
    "MAX_LINES",
    "BankLine",
    "ParsedStatement",
    "RowError",
    "decode",
    "format_amount",
    "lines_digest",
    "parse_amount",
    "parse_date",
    "parse_statement",
]

MAX_BYTES = 5 * 1024 * 1024  # ~40,000 rows; a year of a large area's custody account
MAX_LINES = 50_000
MAX_ERRORS = 200  # errors kept; the count of the rest is reported
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class ParsedStatement:
    lines: tuple[BankLine, ...]
    errors: tuple[RowError, ...]
    sha256: str
    encoding: str = ""
    errors_total: int = 0
    newest_first: bool = False
    accounts: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.lines)

    @property
    def lines_sha256(self) -> str:
        """What the statement says, whatever its bytes (``lines_digest``)."""
        return lines_digest(
            (
                line.value_date,
                line.amount_fen,
                line.balance_fen,
                line.reference,
                line.counterparty,
                line.memo,
            )
            for line in self.lines
        )

    @property
    def start_date(self) -> date | None:
        return self.lines[0].value_date if self.lines else None

    @property
    def end_date(self) -> date | None:
        return self.lines[-1].value_date if self.lines else None

    @property
    def opening_balance_fen(self) -> int | None:
        if not self.lines:
            return None
        return self.lines[0].balance_fen - self.lines[0].amount_fen

    @property
    def closing_balance_fen(self) -> int | None:
        return self.lines[-1].balance_fen if self.lines else None

    @property
    def credits_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines if line.amount_fen > 0)

    @property
    def debits_fen(self) -> int:
        return -sum(line.amount_fen for line in self.lines if line.amount_fen < 0)


def lines_digest(lines) -> str:
    """SHA-256 of a statement's parsed lines, in order: (date, amount, balance, reference,
    counterparty, memo) each.

    Two files saying the same thing — the same statement saved again with
    other line endings, another encoding or a byte-order mark — have other
    bytes but the same lines: a re-import is found by this digest, not by the
    file's SHA-256 alone.
    """
    body = [
        [value_date.isoformat(), amount, balance, reference, counterparty, memo]
        for value_date, amount, balance, reference, counterparty, memo in lines
    ]
    canonical = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 (a BOM is dropped), else GB18030.

    Raises ``UnicodeError`` (a ``UnicodeDecodeError`` at the byte where the
    more promising decoder stopped) for anything else, UTF-16 included.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnicodeError("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text, encoding = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as gb_error:
            raise max(utf8_error, gb_error, key=lambda exc: exc.start) from None
        text = text.removeprefix("\ufeff")  # GB18030's own byte-order mark
    if "\x00" in text:
        # UTF-16 without a BOM decodes "successfully" as UTF-8 with a NUL in every other byte.
        raise UnicodeError("nul")
    return text, encoding


def _refused(sha256: str, errors: list[RowError], **extra) -> ParsedStatement:
    return ParsedStatement(
        lines=(),
        errors=tuple(errors[:MAX_ERRORS]),
        sha256=sha256,
        errors_total=len(errors),
        **extra,
    )


def _breaks(lines: list[BankLine]) -> list[RowError]:
    """Rows whose balance is not the previous balance plus their amount, and dates going back."""
    errors = []
    for previous, current in zip(lines, lines[1:], strict=False):
        expected = previous.balance_fen + current.amount_fen
        if current.balance_fen != expected:
            errors.append(
                RowError(
                    current.line,
                    f"余额 {format_amount(current.balance_fen)} 不等于上一笔余额 "
                    f"{format_amount(previous.balance_fen)} 加本行金额 "
                    f"{format_amount(current.amount_fen)}（应为 {format_amount(expected)}），"
                    "对账单可能缺行、顺序被打乱或被改动",
                    LABELS[COL_BALANCE],
                )
            )
        elif current.value_date < previous.value_date:
            errors.append(
                RowError(current.line, "交易日期早于上一行：对账单应按时间顺序排列", "交易日期")
            )
    return errors


def parse_statement(data: bytes) -> ParsedStatement:
    """Parse a bank statement CSV given as bytes (module docstring)."""
    sha256 = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_BYTES:
        return _refused(
            sha256,
            [
                RowError(
                    0,
                    f"文件过大（{len(data) / 1024 / 1024:.1f} MB），"
                    f"不能超过 {MAX_BYTES // 1024 // 1024} MB；请按月份分开导出",
                )
            ],
        )
    if not data.strip():
        return _refused(sha256, [RowError(1, "文件是空的")])
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        line = data[: offset + exc.start].count(b"\n") + 1
        return _refused(
            sha256,
            [RowError(line, "文件编码无法识别：请保存为 UTF-8 或 GB18030（GBK）编码的 CSV 文件")],
        )
    except UnicodeError:
        return _refused(
            sha256,
            [
                RowError(
                    1,
                    "文件是 UTF-16 等编码，不是 CSV 文本："
                    "请另存为 UTF-8 或 GB18030（GBK）编码的 CSV 文件",
                )
            ],
        )

    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[RowError] = []
    index: dict[str, int] | None = None
    header_line = 0
    width = 0
    lines: list[BankLine] = []
    start = 1
    rows_seen = 0
    data_rows = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, f"CSV 格式错误：{exc}"))
            break
        line, start = start, reader.line_num + 1
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if index is None:
            rows_seen += 1
            found = header_index(cells)
            if found is not None:
                index, header_errors = found
                header_line, width = line, len(cells)
                check_header(index, line, header_errors)
                errors.extend(header_errors)
                if errors:
                    return _refused(sha256, errors, encoding=encoding)
            elif rows_seen >= HEADER_SEARCH_ROWS:
                break
            continue
        data_rows += 1
        if data_rows > MAX_LINES:
            errors.append(RowError(line, f"交易超过 {MAX_LINES} 行；请按月份分开导出"))
            break
        row, row_errors = parse_row(line, cells, index, width)
        errors.extend(row_errors)
        if row is not None:
            lines.append(row)
    if index is None:
        return _refused(
            sha256,
            [
                RowError(
                    1,
                    f"前 {HEADER_SEARCH_ROWS} 行中找不到表头（需要“交易日期”和“余额”等列）；"
                    "如果文件是其他编码（如 Big5），请另存为 UTF-8",
                )
            ],
            encoding=encoding,
        )
    if errors:
        return _refused(sha256, errors, encoding=encoding)
    if not lines:
        return _refused(sha256, [RowError(header_line, "表头之后没有任何交易")], encoding=encoding)

    newest_first = False
    breaks = _breaks(lines)
    if breaks:
        reverse = _breaks(lines[::-1])
        if not reverse:
            lines, newest_first, breaks = lines[::-1], True, []
    if breaks:
        return _refused(sha256, breaks, encoding=encoding)
    accounts = tuple(sorted({line.account for line in lines if line.account}))
    return ParsedStatement(
        lines=tuple(lines),
        errors=(),
        sha256=sha256,
        encoding=encoding,
        newest_first=newest_first,
        accounts=accounts,
    )
