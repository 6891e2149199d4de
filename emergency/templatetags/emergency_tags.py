"""Template filters of the emergency pages (money: ``{% load money %}``)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
