"""Oversight pages (``oversee``): the response-time dashboard and the annex-2 problem ledger.

Officers see their own street (or community); the bureau the district, or a
street it picks. A street outside the user's oversight is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import areas_for, streets_for
from core.guards import action_required
from core.text import join_list
from estates.models import Street
from estates.selectors import calendar_warning_context

from .. import annex2, deadlines, selectors, services
from ..forms import ProblemFilterForm, ProblemForm
from ._common import form_page

OVERSEE = "oversee"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _street(user, code: str):
    if not code:
        return None
    street = streets_for(user, OVERSEE).filter(code=code).first()
    if street is None:
        raise Http404
    return street


def _district_wide(user) -> bool:
    return (
        Street.objects.exists()
        and not Street.objects.exclude(pk__in=streets_for(user, OVERSEE).values("pk")).exists()
    )


@action_required(OVERSEE)
def dashboard(request):
    """Due and overdue response times per street (officers) or in the district (bureau)."""
    now = timezone.now()
    street = _street(request.user, request.GET.get("street", "").strip())
    rows = selectors.dashboard(request.user, street=street, now=now)
    counts = {
        "overdue": sum(1 for row in rows if row.worst == deadlines.OVERDUE),
        "due_soon": sum(1 for row in rows if row.worst == deadlines.DUE_SOON),
        "pending": sum(1 for row in rows if row.worst == deadlines.PENDING),
    }
    per_street: dict[str, dict] = {}
    for row in rows:
        name = row.application.area.community.street.name
        entry = per_street.setdefault(name, {"street": name, "overdue": 0, "due_soon": 0, "all": 0})
        entry["all"] += 1
        if row.worst == deadlines.OVERDUE:
            entry["overdue"] += 1
        elif row.worst == deadlines.DUE_SOON:
            entry["due_soon"] += 1
    return render(
        request,
        "emergency/dashboard.html",
        {
            "rows": rows,
            "counts": counts,
            "per_street": sorted(per_street.values(), key=lambda e: e["street"]),
            "streets": streets_for(request.user, OVERSEE).order_by("code"),
            "street": street,
            "district_wide": _district_wide(request.user),
            "district_name": settings.GONGZHI_DISTRICT_NAME,
            "now": now,
            **calendar_warning_context(request.user),
        },
    )


# --------------------------------------------------------------------------- problems


def _filtered_problems(request):
    user = request.user
    streets = streets_for(user, OVERSEE).order_by("code")
    form = ProblemFilterForm(request.GET or None, streets=streets)
    problems = selectors.visible_problems(user)
    label = settings.GONGZHI_DISTRICT_NAME if _district_wide(user) else ""
    if form.is_valid():
        street = _street(user, form.cleaned_data.get("street") or "")
        if street is not None:
            problems = problems.filter(community__street=street)
            label = street.name
        closed = form.cleaned_data.get("closed")
        if closed == "yes":
            problems = problems.filter(closed=True)
        elif closed == "no":
            problems = problems.filter(closed=False)
    if not label:
        label = join_list(str(c) for c in selectors.overseen_communities(user))
    return form, annex2.ordered(problems), label


@action_required(OVERSEE)
def problems(request):
    form, rows, label = _filtered_problems(request)
    return render(
        request,
        "emergency/problems.html",
        {
            "form": form,
            "problems": rows[:500],
            "scope_label": label,
            "headings": annex2.HEADINGS,
            "query": request.GET.urlencode(),
        },
    )


@action_required(OVERSEE)
def problems_export(request):
    _form, rows, label = _filtered_problems(request)
    now = timezone.now()
    content = annex2.annex2_workbook(rows, scope_label=label, generated_at=now)
    filename = f"附件2-问题整治工作台账-{label[:40]}-{timezone.localdate(now):%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _problem_form(request, problem=None):
    user = request.user
    communities = selectors.overseen_communities(user)
    areas = areas_for(user, OVERSEE).order_by("code")
    initial = ProblemForm.initial_for(problem) if problem else {}
    return ProblemForm(
        (request.POST if request.method == "POST" else None),
        communities=communities,
        areas=areas,
        initial=initial,
    )


@action_required(OVERSEE)
@require_http_methods(["GET", "POST"])
def problem_create(request):
    return form_page(
        request,
        "emergency/problem_form.html",
        {"problem": None, "categories": ProblemForm.CATEGORIES},
        form=_problem_form(request),
        perform=lambda data: services.problem_create(actor=request.user, **data),
        done=_("已登记问题。"),
        then=reverse("emergency:problems"),
    )


@action_required(OVERSEE)
@require_http_methods(["GET", "POST"])
def problem_edit(request, pk: int):
    problem = selectors.problem_get(request.user, pk)
    visible = selectors.visible_applications(request.user)
    return form_page(
        request,
        "emergency/problem_form.html",
        {
            "problem": problem,
            "categories": ProblemForm.CATEGORIES,
            "applications": problem.applications.filter(pk__in=visible.values("pk")),
        },
        form=_problem_form(request, problem),
        perform=lambda data: services.problem_update(problem=problem, actor=request.user, **data),
        done=_("已保存。"),
        then=reverse("emergency:problems"),
    )
