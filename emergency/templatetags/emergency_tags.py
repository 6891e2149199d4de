"""Template filters of the emergency pages: money in yuan, deadline badges."""

from __future__ import annotations

from django import template

from ..services._common import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen shown as yuan with two decimals (``12345`` → ``123.45``)."""
    if fen is None or fen == "":
        return ""
    return _yuan(int(fen))


@register.filter
def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
