"""``{{ amount_fen|yuan }}``: integer fen shown as yuan with two decimals (DESIGN.md)."""

from __future__ import annotations

from django import template

from funds.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    if fen is None or fen == "":
        return "—"
    return _yuan(int(fen))


@register.filter
def signed_yuan(fen) -> str:
    """With an explicit + for money in, as on a bank statement."""
    if fen is None or fen == "":
        return "—"
    return ("+" if int(fen) > 0 else "") + _yuan(int(fen))
