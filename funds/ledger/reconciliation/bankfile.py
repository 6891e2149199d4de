"""The payment instruction file for the custody bank — a pure module, no Django.

One CSV row per instruction (RULES.md §4: "payment instruction to the account
bank"). The file is opened by people in a spreadsheet before it is keyed into
or uploaded to the bank, so every text cell that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return:
OWASP "CSV injection") is prefixed with an apostrophe. Amounts are yuan with
two decimals computed from integer fen (never a float), and are never
negative, so they are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from core.money import yuan_plain

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# (key in each row, header label) in file order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("key", "指令编号（幂等键）"),
    ("payer_bank", "付款行"),
    ("payer_account", "付款账号（维修资金专户）"),
    ("payee_name", "收款人"),
    ("payee_bank", "收款行"),
    ("payee_account", "收款账号"),
    ("amount_yuan", "金额（元）"),
    ("memo", "用途"),
)


def yuan_text(fen: int) -> str:
    """``123456`` → ``"1234.56"``; exact; refuses negative or non-int amounts."""
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise ValueError(f"amount must be a non-negative int of fen, got {fen!r}")
    return yuan_plain(fen)


def safe_cell(value: object) -> str:
    """A text cell a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    # Line breaks inside a cell would split a row for naive bank importers.
    text = text.replace("\r\n", " ").replace("\n", " ")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def bank_csv(
    rows: Iterable[Mapping[str, object]], columns: Sequence[tuple[str, str]] = COLUMNS
) -> bytes:
    """The file: UTF-8 with a BOM (so spreadsheet software reads the Chinese), CRLF rows.

    ``amount_yuan`` must be given as int fen under ``amount_fen``; every other
    column is text and neutralised with ``safe_cell``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for _key, label in columns])
    for row in rows:
        line = []
        for key, _label in columns:
            if key == "amount_yuan":
                line.append(yuan_text(row["amount_fen"]))
            else:
                line.append(safe_cell(row.get(key, "")))
        writer.writerow(line)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
