"""``{% load money %}{{ amount_fen|yuan }}``: fen as a person reads it (``core.money``)."""

from __future__ import annotations

from django import template

from core import money

register = template.Library()


def _fen(value) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


@register.filter
def yuan(value) -> str:
    """``123456`` → ``1,234.56``; nothing → ``—``."""
    return money.yuan(_fen(value))


@register.filter
def signed_yuan(value) -> str:
    """With an explicit + for money in, as on a bank statement."""
    fen = _fen(value)
    if fen is None:
        return money.MISSING
    return ("+" if fen > 0 else "") + money.yuan(fen)
