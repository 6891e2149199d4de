"""An area's response plan (紧急维修预案): read by everyone who handles its emergencies,
kept by those who file them (``emergency.apply``)."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.guards import action_required
from estates.models import ManagementArea

from .. import services
from ..forms import PlanForm
from ..models import ResponsePlan
from ._common import any_action_required, form_page

APPLY = "emergency.apply"
OVERSEE = "oversee"


def _readable_area(user, code: str) -> ManagementArea:
    areas = ManagementArea.objects.filter(
        Q(pk__in=permissions.areas_for(user, APPLY).values("pk"))
        | Q(pk__in=permissions.areas_for(user, OVERSEE).values("pk"))
    ).select_related("community__street")
    return get_object_or_404(areas, code=code)


@any_action_required(APPLY, OVERSEE)
def plan(request, code: str):
    area = _readable_area(request.user, code)
    return render(
        request,
        "emergency/plan.html",
        {
            "area": area,
            "plan": ResponsePlan.objects.filter(area=area).first(),
            "can_edit": permissions.can(request.user, APPLY, area),
        },
    )


@action_required(APPLY)
@require_http_methods(["GET", "POST"])
def plan_edit(request, code: str):
    area = get_object_or_404(permissions.areas_for(request.user, APPLY), code=code)
    current = ResponsePlan.objects.filter(area=area).first()
    initial = (
        {"contacts": current.contacts, "contractors": current.contractors, "steps": current.steps}
        if current
        else {}
    )
    form = PlanForm((request.POST if request.method == "POST" else None), initial=initial)
    return form_page(
        request,
        "emergency/plan_form.html",
        {"area": area},
        form=form,
        perform=lambda data: services.plan_save(area=area, actor=request.user, **data),
        done=_("已保存紧急维修预案。"),
        then=reverse("emergency:plan", kwargs={"code": area.code}),
    )
