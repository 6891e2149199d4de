"""Publishing an area's annex-1 register entry as a signed notice (``publication.issue``; RULES.md §8)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import place_error
from core.guards import action_required

from ..forms import AreaRegisterIssueForm
from ..services.area_register import area_register_notice_issue


@action_required("publication.issue")
@require_http_methods(["GET", "POST"])
def issue_area_register(request):
    form = AreaRegisterIssueForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    elif request.method == "POST":
        try:
            publication = area_register_notice_issue(
                area=form.cleaned_data["area"], actor=request.user
            )
        except DomainError as exc:
            status = place_error(form, exc)
        else:
            messages.success(request, _("已发布公示 %(serial)s。") % {"serial": publication.serial})
            return redirect("publications:detail", serial=publication.serial)
    return render(request, "estates/issue_area_register.html", {"form": form}, status=status)
