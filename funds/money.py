"""Money as people read it: integer fen shown as yuan with two decimals (DESIGN.md)."""

from __future__ import annotations


def yuan(fen: int) -> str:
    """``12345`` → ``"123.45"``; exact, no float; a negative amount keeps its sign."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
