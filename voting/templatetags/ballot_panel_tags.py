"""``{% ballot_panel panel %}`` and ``panels|panel_of:code`` for the ballot page
(``voting.ballot_panels``)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def panel_of(panels, code):
    """The panel of motion ``code``, or None."""
    return panels.get(code) if hasattr(panels, "get") else None


@register.simple_tag
def ballot_panel(panel):
    """Render one registered panel (its own template and context); nothing for None."""
    if not panel:
        return ""
    return mark_safe(render_to_string(panel.template, panel.context))  # noqa: S308 - a template's own output
