"""Money as people and programs read it: integer fen ↔ yuan (DESIGN.md "Conventions").

One rule, everywhere:

- pages, PDFs and messages a person reads: ``yuan(123456)`` → ``"1,234.56"``, and a
  missing amount (``None``) → ``"—"``;
- API fields and CSV cells a program reads: ``yuan_plain(123456)`` → ``"1234.56"``,
  and a missing amount → ``None`` (JSON null, an empty CSV cell);
- typed by a person: ``parse_yuan("1,234.5")`` → ``123450`` (at most two decimals,
  exact: ``Decimal``, never float).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MISSING = "—"
# The largest amount any field accepts: ten trillion yuan, far above any estate's fund,
# far below what a BigIntegerField holds.
MAX_FEN = 10**15

_YUAN = re.compile(r"^\d+(\.\d{1,2})?$")


def _check(fen) -> int:
    # bool is an int subclass; True fen is a bug, not one fen.
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, got {type(fen).__name__}")
    return fen


def _split(fen: int) -> tuple[str, int, int]:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return sign, whole, cents


def yuan(fen: int | None) -> str:
    """For a person: ``123456`` → ``"1,234.56"``; ``-5`` → ``"-0.05"``; ``None`` → ``"—"``."""
    if fen is None:
        return MISSING
    sign, whole, cents = _split(_check(fen))
    return f"{sign}{whole:,}.{cents:02d}"


def yuan_plain(fen: int | None) -> str | None:
    """For a program (API, CSV): ``123456`` → ``"1234.56"``; ``None`` → ``None``."""
    if fen is None:
        return None
    sign, whole, cents = _split(_check(fen))
    return f"{sign}{whole}.{cents:02d}"


def yuan_decimal(fen: int) -> Decimal:
    """``123456`` → ``Decimal("1234.56")`` (a spreadsheet cell, a form's initial value)."""
    return Decimal(_check(fen)).scaleb(-2)


def parse_yuan(text: str, *, allow_zero: bool = False) -> int:
    """An amount a person typed in yuan (``"1234.5"``, ``"1,234.56"``, ``"1234.56元"``) → fen.

    At most two decimals: 0.005 yuan is not an amount anyone was paid, and rounding
    it silently would make the ledger disagree with the voucher. Raises ``ValueError``
    for anything else: a sign, an exponent, more than two decimals, zero (unless
    ``allow_zero``), more than ``MAX_FEN``.
    """
    if not isinstance(text, str):
        raise ValueError(f"not an amount in yuan: {text!r}")
    cleaned = text.strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    if not _YUAN.match(cleaned):
        raise ValueError(f"not an amount in yuan: {text!r}")
    try:
        fen = int(Decimal(cleaned) * 100)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise ValueError(f"not an amount in yuan: {text!r}") from exc
    if fen == 0 and not allow_zero:
        raise ValueError("the amount must be more than zero")
    if fen > MAX_FEN:
        raise ValueError(f"the amount exceeds {yuan(MAX_FEN)} yuan")
    return fen
