"""``{% upload_token uploads %}`` and ``{% kept_uploads uploads field_name %}``: the hidden
draft token and, under a file input, the files kept for it and those to choose again
(``core.upload_drafts``)."""

from __future__ import annotations

from django import template

from core.upload_drafts import DISCARD_FIELD, DRAFT_FIELD

register = template.Library()


@register.inclusion_tag("core/_upload_token.html")
def upload_token(uploads) -> dict:
    return {"name": DRAFT_FIELD, "token": getattr(uploads, "token", "")}


@register.inclusion_tag("core/_kept_uploads.html")
def kept_uploads(uploads, field_name: str) -> dict:
    if uploads is None:
        return {"kept": [], "refused": []}
    return {
        "kept": uploads.kept(field_name),
        "refused": uploads.refused_for(field_name),
        "discard": DISCARD_FIELD,
        "field": field_name,
    }
