"""The committee's assembly pages: list, detail, draft, motions, attachments, notice,
opening and cancelling (RULES.md §2–3; who: ``assembly.call`` — the committee, or
the street / community office or the bureau for an area without one).
Motions and attachments of a draft: ``manage_motions``.

Thin (STYLE.md §3): a form parses, one service decides and writes, the page
shows its message on the form when it refuses (``manage_common.form_error``),
and nothing changes. Irreversible steps — the notice (a signed PDF), opening
(the roll frozen), cancelling, removing a motion — ask for confirmation on
a page of their own first; only its POST acts.

Paper and proxy ballots and the bureau's trace: ``manage_ballots``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.errors import DomainError
from core.guards import action_required
from core.text import date_text
from estates.browse import buildings_with_counts
from voting import selectors, services
from voting.forms_manage import AssemblyForm, CancelForm
from voting.models import Assembly, RollSnapshot
from voting.services.assemblies import assembly_scope_check
from voting.services.common import local_date, notice_days
from voting.services.notice_preview import assembly_notice_preview
from voting.services.text_sends import MAX_ATTEMPTS, text_sends_progress

from . import manage_ballots, manage_motions
from .manage_common import (
    CALL,
    ENTER,
    OVERSEE,
    TRACE,
    assembly_for,
    form_error,
    refusal,
)

PER_PAGE = 30
# The detail page reloads itself this often while the notice's texts are being sent.
SENDS_REFRESH_SECONDS = 5
# Offered while the clock-derived status is still before voting (assembly_cancel decides).
CANCELLABLE = (Assembly.Status.DRAFT, Assembly.Status.NOTICED)


def _detail(assembly: Assembly):
    return redirect("voting:manage_detail", pk=assembly.pk)


# --------------------------------------------------------------------------- list and detail


@action_required(CALL)
def assembly_list(request):
    """业主大会: the assemblies of the areas the user may call in, and — for the street, the
    community and the bureau — those of the areas they oversee (docs/permissions.md: an
    officer's scope is its street or community), with their status now. An assembly the
    user may not call (its area has a committee) links to its progress page instead."""
    now = timezone.now()
    callable_areas = permissions.areas_for(request.user, CALL).values("pk")
    overseen = permissions.areas_for(request.user, OVERSEE).values("pk")
    assemblies = (
        Assembly.objects.filter(Q(area__in=callable_areas) | Q(area__in=overseen))
        .annotate(manageable=Exists(callable_areas.filter(pk=OuterRef("area_id"))))
        .select_related("area")
        .order_by("-opens_at", "-pk")
    )
    page = Paginator(assemblies, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "assembly": a,
            "status": a.current_status(now),
            "label": a.current_status_label(now),
            "url": reverse(
                "voting:manage_detail" if a.manageable else "voting:progress", args=[a.pk]
            ),
        }
        for a in page
    ]
    return render(
        request,
        "voting/manage/list.html",
        {"rows": rows, "page_obj": page, "can_trace": permissions.can(request.user, TRACE)},
    )


def _snapshot(assembly: Assembly) -> RollSnapshot | None:
    try:
        return assembly.snapshot
    except RollSnapshot.DoesNotExist:
        return None


def _scope_problem(assembly: Assembly) -> str:
    """Why the notice would refuse this draft under the scope rule (RULES.md §1), or ""."""
    try:
        assembly_scope_check(assembly)
    except DomainError as error:
        return error.message
    return ""


@action_required(CALL)
def assembly_detail(request, pk: int):
    """State, dates, scope, rules, motions, attachments, and what may be done next."""
    assembly = assembly_for(request.user, pk, CALL)
    now = timezone.now()
    status = assembly.current_status(now)
    motions = list(assembly.motions.all())
    draft = assembly.status == Assembly.Status.DRAFT
    earliest = selectors.notice_earliest_open(now) if draft else None
    due = assembly.status == Assembly.Status.NOTICED and status == Assembly.Status.OPEN
    context = {
        "assembly": assembly,
        "status": status,
        "status_label": assembly.current_status_label(now),
        "motions": motions,
        "attachments": list(assembly.attachments.all()),
        "snapshot": _snapshot(assembly),
        "earliest": earliest,
        "too_early": bool(earliest and assembly.opens_at < earliest),
        "notice_days": notice_days(),
        "draft": draft,
        "scope_problem": _scope_problem(assembly) if draft else "",
        "can_notice": draft and bool(motions),
        # The first ballot or the periodic job opens a due assembly as well; the convener
        # may do it at once, so that paper ballots can be looked up on the frozen roll.
        "can_open": due,
        "can_cancel": status in CANCELLABLE,
        # Paper ballots are looked up on the frozen roll: only once the assembly is opened.
        "can_enter": status == Assembly.Status.OPEN
        and assembly.status == Assembly.Status.OPEN
        and permissions.can(request.user, ENTER, assembly),
        # The notice's texts go out from a worker: their progress, refreshed while some wait.
        "sends": text_sends_progress(assembly) if assembly.notice_publication_id else None,
        "refresh_seconds": SENDS_REFRESH_SECONDS,
        "max_attempts": MAX_ATTEMPTS,
    }
    return render(request, "voting/manage/detail.html", context)


# --------------------------------------------------------------------------- draft


def _form_page(request, form: AssemblyForm, area, assembly: Assembly | None, status: int):
    """The draft form, with the date voting could open at the earliest if noticed today."""
    context = {
        "form": form,
        "area": area,
        "assembly": assembly,
        "convener": services.default_convener(area),
        "earliest": selectors.notice_earliest_open(),
        "notice_days": notice_days(),
    }
    return render(request, "voting/manage/assembly_form.html", context, status=status)


def _area_choices(user):
    return permissions.areas_for(user, CALL).order_by("name")


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def assembly_create(request):
    """A new draft. With more than one area in scope, the area is chosen first (its
    buildings are the scope's choices)."""
    areas = _area_choices(request.user)
    chosen = request.GET.get("area", "")
    if not chosen and len(areas) == 1:
        chosen = str(areas[0].pk)
    if not chosen:
        return render(request, "voting/manage/area_pick.html", {"areas": areas})
    area = areas.filter(pk=chosen).first() if chosen.isdigit() else None
    if area is None:
        raise Http404
    buildings = [b.name for b in buildings_with_counts(area)]
    form = AssemblyForm(request.POST or None, buildings=buildings)
    status = 400 if request.method == "POST" else 200  # an invalid form, unless refused below
    if request.method == "POST" and form.is_valid():
        try:
            assembly = services.assembly_create(
                area=area, actor=request.user, **form.service_kwargs()
            )
        except DomainError as error:
            status = form_error(error, form)
        else:
            messages.success(request, _("已保存会议草稿。"))
            return _detail(assembly)
    return _form_page(request, form, area, None, status)


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def assembly_edit(request, pk: int):
    assembly = assembly_for(request.user, pk, CALL)
    buildings = [b.name for b in buildings_with_counts(assembly.area)]
    if request.method == "POST":
        form = AssemblyForm(request.POST, buildings=buildings)
    else:
        form = AssemblyForm(initial=AssemblyForm.initial_for(assembly), buildings=buildings)
    status = 400 if request.method == "POST" else 200  # an invalid form, unless refused below
    if request.method == "POST" and form.is_valid():
        changes = form.service_kwargs()
        # Blank means the default convener, as when the draft was created.
        changes["convener"] = changes["convener"] or services.default_convener(assembly.area)
        try:
            services.assembly_update(assembly=assembly, actor=request.user, **changes)
        except DomainError as error:
            status = form_error(error, form)
        else:
            messages.success(request, _("已保存会议草稿。"))
            return _detail(assembly)
    return _form_page(request, form, assembly.area, assembly, status)


# --------------------------------------------------------------------------- notice, open, cancel


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def assembly_notice(request, pk: int):
    """Confirmation, then ``assembly_notice``: a signed PDF is published; cannot be undone."""
    assembly = assembly_for(request.user, pk, CALL)
    earliest = selectors.notice_earliest_open()
    error, status = None, 200
    if request.method == "POST":
        try:
            noticed = services.assembly_notice(assembly=assembly, actor=request.user)
        except DomainError as refused:
            error, status = refusal(refused), refused.status
        else:
            messages.success(
                request,
                _("会议公告已发布，编号 %(serial)s。")
                % {"serial": noticed.notice_publication.serial},
            )
            return _detail(assembly)
    return render(
        request,
        "voting/manage/notice.html",
        {
            "assembly": assembly,
            "motions": list(assembly.motions.all()),
            "attachments": list(assembly.attachments.all()),
            "earliest": earliest,
            "earliest_text": date_text(local_date(earliest)),
            "too_early": assembly.opens_at < earliest,
            "notice_days": notice_days(),
            "error": error,
        },
        status=status,
    )


@action_required(CALL)
@require_http_methods(["GET"])
def notice_preview(request, pk: int):
    """The notice as it would be published, unsigned and marked as a preview (nothing stored)."""
    assembly = assembly_for(request.user, pk, CALL)
    if assembly.status != Assembly.Status.DRAFT:
        # Past the draft there is nothing to preview: the notice itself, if published.
        if assembly.notice_publication_id:
            return redirect("publications:detail", assembly.notice_publication.serial)
        return _detail(assembly)
    try:
        data = assembly_notice_preview(assembly=assembly, actor=request.user)
    except DomainError as refused:
        return render(
            request,
            "voting/manage/notice_preview_refused.html",
            {"assembly": assembly, "error": refusal(refused)},
            status=refused.status,
        )
    response = HttpResponse(data, content_type="application/pdf")
    # Shown in the browser's viewer, named so a saved copy says what it is.
    response["Content-Disposition"] = f'inline; filename="notice-preview-{assembly.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def assembly_open(request, pk: int):
    """Confirmation, then ``assembly_open``: the roll of the scope is frozen now."""
    assembly = assembly_for(request.user, pk, CALL)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.assembly_open(assembly=assembly, actor=request.user)
        except DomainError as refused:
            error, status = refusal(refused), refused.status
        else:
            messages.success(request, _("表决已开启，表决名册已冻结。"))
            return _detail(assembly)
    return render(
        request,
        "voting/manage/open.html",
        {"assembly": assembly, "error": error},
        status=status,
    )


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def assembly_cancel(request, pk: int):
    """Confirmation with a reason, then ``assembly_cancel`` (only before voting opens)."""
    assembly = assembly_for(request.user, pk, CALL)
    form = CancelForm(request.POST or None)
    status = 400 if request.method == "POST" else 200  # an invalid form, unless refused below
    if request.method == "POST" and form.is_valid():
        try:
            services.assembly_cancel(
                assembly=assembly, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            status = form_error(error, form)
        else:
            messages.success(request, _("会议已取消。"))
            return _detail(assembly)
    return render(
        request,
        "voting/manage/cancel.html",
        {"assembly": assembly, "form": form, "noticed": assembly.notice_publication_id},
        status=status,
    )


routes = [
    path("manage/", assembly_list, name="manage_list"),
    path("manage/new/", assembly_create, name="manage_create"),
    path("manage/<int:pk>/", assembly_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", assembly_edit, name="manage_edit"),
    *manage_motions.routes,
    path("manage/<int:pk>/notice/", assembly_notice, name="manage_notice"),
    path(
        "manage/<int:pk>/notice/preview.pdf",
        notice_preview,
        name="manage_notice_preview",
    ),
    path("manage/<int:pk>/open/", assembly_open, name="manage_open"),
    path("manage/<int:pk>/cancel/", assembly_cancel, name="manage_cancel"),
    *manage_ballots.routes,
]
