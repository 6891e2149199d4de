"""Money and dates as banks write them, read exactly (part of ``funds.ledger.reconciliation.bankcsv``; no Django).

Yuan with at most two decimals become integer fen by string arithmetic, never
through a float (DESIGN.md "Money"): ``"0.1"`` is 10 fen, ``"1,234.56"`` is 123456.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["MAX_FEN", "format_amount", "parse_amount", "parse_date"]

# Nobody's fund holds 10^13 yuan: a longer figure is a broken cell, not money.
MAX_FEN = 10**15

_AMOUNT = re.compile(r"^(?P<sign>[+-]?)(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d{1,2}))?$")
_DATE = re.compile(
    r"^(?P<y>\d{4})(?P<sep>[-/.]?)(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)


def parse_amount(text: str, *, signed: bool = True) -> int:
    """Yuan text → exact fen: ``"1,234.5"`` → 123450, ``"-0.01"`` → -1.

    At most two decimals; thousands separators only in groups of three; an
    optional ``¥``/``￥`` before the digits. Raises ``ValueError`` with the
    reason in Chinese.
    """
    cleaned = text.strip().replace(" ", "")
    if cleaned[:1] in "+-" and cleaned[1:2] in ("¥", "￥"):
        cleaned = cleaned[0] + cleaned[2:]
    elif cleaned[:1] in ("¥", "￥"):
        cleaned = cleaned[1:]
    match = _AMOUNT.match(cleaned)
    if match is None:
        if re.match(r"^[+-]?[\d,]*\.\d{3,}$", cleaned):
            raise ValueError(f"金额“{text}”超过两位小数（以元为单位，精确到分）")
        raise ValueError(f"金额“{text}”不是以元为单位、最多两位小数的数字")
    if match["sign"] == "-" and not signed:
        raise ValueError(f"借方、贷方金额不能为负数（“{text}”）")
    fen = int(match["whole"].replace(",", "")) * 100 + int((match["cents"] or "0").ljust(2, "0"))
    if fen >= MAX_FEN:
        raise ValueError(f"金额“{text}”过大")
    return -fen if match["sign"] == "-" else fen


def format_amount(fen: int, *, thousands: bool = False) -> str:
    """Exact fen → yuan text with two decimals; the inverse of ``parse_amount``."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("fen must be an int")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}" if thousands else f"{sign}{whole}.{cents:02d}"


def parse_date(text: str) -> date:
    """``2025-01-31``, ``2025/1/31``, ``2025.01.31``, ``20250131``, optionally with a time."""
    match = _DATE.match(text.strip())
    if match is None or (not match["sep"] and (len(match["m"]) != 2 or len(match["d"]) != 2)):
        raise ValueError(f"日期“{text}”无法识别（应为 2025-01-31 的形式）")
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise ValueError(f"日期“{text}”不存在") from None
