"""The committee's pages for the motions and attachments of a draft assembly
(RULES.md §1–3; who: ``assembly.call``). Thin, as ``manage``: a form parses, one
service decides, a refusal is shown on the form (``manage_common.form_error``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.guards import action_required
from core.upload_drafts import UploadDraft
from estates.browse import buildings_with_counts
from voting import services
from voting.forms_manage import AttachmentForm, MotionForm, item_label
from voting.models import CIVIL_CODE_ITEMS, Assembly, kind_for_item, threshold_text

from .manage_common import CALL, assembly_for, attachment_response, form_error, refusal


def _detail(assembly: Assembly):
    return redirect("voting:manage_detail", pk=assembly.pk)


def _items() -> list[dict]:
    """The nine art. 278 items with the kind and threshold each one brings (shown, never typed)."""
    return [
        {"item": n, "label": item_label(n), "threshold": threshold_text(kind_for_item(n))}
        for n in CIVIL_CODE_ITEMS
    ]


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def motion_add(request, pk: int):
    """A motion: the art. 278 item decides its kind and threshold (``kind_for_item``)."""
    assembly = assembly_for(request.user, pk, CALL)
    buildings = [b.name for b in buildings_with_counts(assembly.area)]
    form = MotionForm(request.POST or None, buildings=buildings)
    status = 400 if request.method == "POST" else 200  # an invalid form, unless refused below
    if request.method == "POST" and form.is_valid():
        try:
            motion = services.motion_add(
                assembly=assembly, actor=request.user, **form.service_kwargs()
            )
        except DomainError as error:
            status = form_error(error, form)
        else:
            messages.success(
                request,
                _("已添加议题 %(position)d：%(title)s（%(kind)s）。")
                % {
                    "position": motion.position,
                    "title": motion.title,
                    "kind": motion.get_kind_display(),
                },
            )
            return _detail(assembly)
    return render(
        request,
        "voting/manage/motion_form.html",
        {"assembly": assembly, "form": form, "items": _items()},
        status=status,
    )


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def motion_remove(request, pk: int, code: str):
    """GET asks for confirmation; POST removes the motion from the draft (audited)."""
    assembly = assembly_for(request.user, pk, CALL)
    motion = next((m for m in assembly.motions.all() if m.code == code), None)
    if motion is None:
        raise Http404
    error, status = "", 200
    if request.method == "POST":
        try:
            services.motion_remove(motion=motion, actor=request.user)
        except DomainError as refused:
            error, status = refusal(refused), refused.status
        else:
            messages.success(request, _("已删除议题：%(title)s。") % {"title": motion.title})
            return _detail(assembly)
    return render(
        request,
        "voting/manage/motion_remove.html",
        {"assembly": assembly, "motion": motion, "error": error},
        status=status,
    )


# --------------------------------------------------------------------------- attachments


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def attachment_add(request, pk: int):
    assembly = assembly_for(request.user, pk, CALL)
    # A file chosen here survives the page shown again (core.upload_drafts).
    uploads = UploadDraft(request, form=f"voting.attachment:{assembly.pk}", fields=["file"])
    form = AttachmentForm(request.POST or None, uploads.files() or None)
    status = 400 if request.method == "POST" else 200  # an invalid form, unless refused below
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.attachment_add(
                assembly=assembly,
                actor=request.user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
        except DomainError as error:
            status = form_error(error, form)
        else:
            uploads.attached()
            messages.success(request, _("已上传附件：%(title)s。") % {"title": attachment.title})
            return _detail(assembly)
    return render(
        request,
        "voting/manage/attachment_form.html",
        {"assembly": assembly, "form": form, "uploads": uploads},
        status=status,
    )


@action_required(CALL)
def attachment_file(request, pk: int, attachment: int):
    return attachment_response(assembly_for(request.user, pk, CALL), attachment)


routes = [
    path("manage/<int:pk>/motions/add/", motion_add, name="manage_motion_add"),
    path(
        "manage/<int:pk>/motions/<str:code>/remove/",
        motion_remove,
        name="manage_motion_remove",
    ),
    path("manage/<int:pk>/attachments/add/", attachment_add, name="manage_attachment_add"),
    path(
        "manage/<int:pk>/attachments/<int:attachment>/",
        attachment_file,
        name="manage_attachment_file",
    ),
]
