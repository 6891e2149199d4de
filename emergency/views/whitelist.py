"""The whitelist pages: the current list and past versions (public), and the admins' edits.

An edit goes form → review of the change → 发布 (publishing a new version is
the irreversible step: old versions stay, but the new one is in force at once).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.errors import DomainError
from core.guards import action_required

from ..forms import RemoveItemForm, WhitelistItemForm
from ..models import EvidenceKind, Facility, WhitelistVersion
from ..services import whitelist as service
from ._common import form_page, place_refusal

MANAGE = "whitelist.manage"


def _version(number: int | None) -> WhitelistVersion:
    versions = WhitelistVersion.objects.order_by("-number")
    version = versions.filter(number=number).first() if number else versions.first()
    if version is None:
        raise Http404
    return version


def whitelist(request, number: int | None = None):
    """The list in force (or a past version): open to everyone, it is the bureau's public rule."""
    version = _version(number)
    current = service.current_version()
    return render(
        request,
        "emergency/whitelist.html",
        {
            "version": version,
            "items": version.items.order_by("position"),
            "is_current": current is not None and version.pk == current.pk,
            "current": current,
            "versions": WhitelistVersion.objects.order_by("-number")[:50],
            "can_manage": permissions.can(request.user, MANAGE),
        },
    )


def _labels(spec: dict) -> dict:
    return {
        **spec,
        "facility_label": Facility(spec["facility"]).label,
        "evidence_labels": [EvidenceKind(kind).label for kind in spec["evidence"]],
    }


@action_required(MANAGE)
@require_http_methods(["GET", "POST"])
def item_edit(request, code: str | None = None):
    """Add an item (no ``code``) or change one; both publish a new version after review."""
    current = service.current_version()
    based_on = current.number if current else 0
    old = current.items.filter(code=code).first() if current and code else None
    if code and old is None:
        raise Http404
    form = WhitelistItemForm(
        (request.POST if request.method == "POST" else None),
        initial=WhitelistItemForm.initial_for(old, based_on),
    )
    context = {"form": form, "old": old, "current": current}
    if request.method == "POST" and request.POST.get("step") == "edit":
        # Back from the review: the form again, with what was typed.
        return render(request, "emergency/whitelist_item_form.html", context)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            spec = service.item_clean(form.item_spec())
            if request.POST.get("step") == "publish":
                version = service.whitelist_item_save(
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    item=spec,
                    replaces=code or "",
                    based_on=form.cleaned_data["based_on"],
                )
                messages.success(
                    request, _("已发布紧急维修事项清单第%(n)d版。") % {"n": version.number}
                )
                return redirect("emergency:whitelist")
        except DomainError as exc:
            status = place_refusal(form, exc, aliases={"cap_fen": "cap"})
        else:
            context.update(
                review=_labels(spec),
                old_review=_labels(old.as_dict()) if old else None,
            )
            return render(request, "emergency/whitelist_confirm.html", context)
    return render(
        request,
        "emergency/whitelist_item_form.html",
        context,
        status=status,
    )


@action_required(MANAGE)
@require_http_methods(["GET", "POST"])
def item_remove(request, code: str):
    current = service.current_version()
    item = current.items.filter(code=code).first() if current else None
    if item is None:
        raise Http404
    form = RemoveItemForm(
        (request.POST if request.method == "POST" else None), initial={"based_on": current.number}
    )
    return form_page(
        request,
        "emergency/whitelist_remove.html",
        {"item": item, "current": current},
        form=form,
        perform=lambda data: service.whitelist_item_remove(
            actor=request.user, note=data["note"], code=code, based_on=data["based_on"]
        ),
        done=lambda version: _("已发布紧急维修事项清单第%(n)d版。") % {"n": version.number},
        then=reverse("emergency:whitelist"),
    )
