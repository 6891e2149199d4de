"""``{{ mapping|item:key }}``: one entry of a dict in a template (the ballot's fund-use box)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def item(mapping, key):
    if not hasattr(mapping, "get"):
        return None
    return mapping.get(key)
