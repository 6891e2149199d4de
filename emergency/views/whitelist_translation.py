"""The bureau admin's page for a whitelist item's English text (shown on English pages)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.guards import action_required

from ..forms.translation import ItemTranslationForm
from ..models import WhitelistItemTranslation
from ..services import whitelist as lists
from ..services import whitelist_translation as service
from ._common import form_page

MANAGE = "whitelist.manage"
LANGUAGE = "en"


@action_required(MANAGE)
@require_http_methods(["GET", "POST"])
def item_english(request, code: str):
    current = lists.current_version()
    item = current.items.filter(code=code).first() if current else None
    if item is None:
        raise Http404
    row = WhitelistItemTranslation.objects.filter(code=code, language=LANGUAGE).first()
    initial = {"name": row.name, "description": row.description} if row else {}
    form = ItemTranslationForm(request.POST if request.method == "POST" else None, initial=initial)
    return form_page(
        request,
        "emergency/whitelist_translation.html",
        {"item": item, "row": row, "stale": row is not None and not row.fits(item)},
        form=form,
        perform=lambda data: service.item_translation_save(
            actor=request.user, code=code, language=LANGUAGE, **data
        ),
        done=_("已保存该事项的英文译文。"),
        then=reverse("emergency:whitelist"),
    )
