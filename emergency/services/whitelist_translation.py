"""The bureau's translation of a whitelist item (emergency.models.whitelist_translation).

Kept by the same people as the list (``whitelist.manage``). Saving records the
Chinese wording it was made from, so a later rewording of the item shows the
Chinese again until the translation is redone. Not a version: the list itself
does not change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import DomainError
from core.text import clean_text

from ..models import WhitelistItemTranslation
from .whitelist import current_version

MANAGE = "whitelist.manage"


def translation_languages() -> list[str]:
    """Languages an item can be translated into: every UI language but the list's own."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def item_translation_save(
    *, actor, code: str, language: str, name: str, description: str = ""
) -> WhitelistItemTranslation:
    """Store ``language``'s name and applicable cases of the current item ``code``."""
    permissions.require(actor, MANAGE)
    if language not in translation_languages():
        raise DomainError("bad_language", _("不支持该语言。"))
    current = current_version()
    item = current.items.filter(code=code).first() if current else None
    if item is None:
        raise DomainError("unknown_item", _("现行清单中没有该事项。"))
    name = clean_text(name, field="name", limit=100, label=_("事项名称（译文）"))
    description = clean_text(
        description,
        field="description",
        limit=2000,
        required=bool(item.description),
        label=_("适用情形（译文）"),
        multiline=True,
    )
    with transaction.atomic():
        row = (
            WhitelistItemTranslation.objects.select_for_update()
            .filter(code=code, language=language)
            .first()
        )
        before = _facts(row) if row else None
        if row is None:
            row = WhitelistItemTranslation(code=code, language=language)
        row.name, row.description = name, description
        row.source_name, row.source_description = item.name, item.description
        row.updated_at, row.updated_by = timezone.now(), actor
        row.save()
        audit_record(
            actor=actor,
            action="whitelist.translate",
            obj=row,
            before=before,
            after=_facts(row),
            summary={"code": code, "language": language, "name": name[:100]},
        )
    return row


def _facts(row: WhitelistItemTranslation) -> dict:
    return {
        "code": row.code,
        "language": row.language,
        "name": row.name,
        "description": row.description,
        "source_name": row.source_name,
        "source_description": row.source_description,
    }
