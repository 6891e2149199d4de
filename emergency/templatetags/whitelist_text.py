"""The whitelist's bureau-written text in the reader's language.

``{% item_name item %}`` and ``{% item_description item %}`` show an item's
name and applicable cases: on a Chinese page as written; on another page the
bureau's translation (emergency.models.WhitelistItemTranslation) when it was
made from the item's current wording, else the Chinese marked
``<span lang="zh-Hans">`` so readers, screen readers and the English-page test
know it is Chinese on purpose. Translations are read once per request.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from ..models import WhitelistItemTranslation

register = template.Library()

CHINESE = "zh-hans"


def _translations(context, language: str) -> dict:
    request = context.get("request")
    cache = getattr(request, "whitelist_translations", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request.whitelist_translations = cache
    if language not in cache:
        rows = WhitelistItemTranslation.objects.filter(language=language)
        cache[language] = {row.code: row for row in rows}
    return cache[language]


def shown(context, item, field: str):
    language = (get_language() or CHINESE).lower()
    chinese = getattr(item, field)
    if language == CHINESE or not chinese:
        return chinese
    translation = _translations(context, language).get(item.code)
    if translation is not None and translation.fits(item):
        return getattr(translation, field)
    return format_html('<span lang="zh-Hans">{}</span>', chinese)


@register.simple_tag(takes_context=True)
def item_name(context, item):
    return shown(context, item, "name")


@register.simple_tag(takes_context=True)
def item_description(context, item):
    return shown(context, item, "description")
