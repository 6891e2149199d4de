"""Objections to a preliminary result, and the convener's answers (RULES.md §3; issue #6 item 7).

- An owner on the frozen roll files an objection while the period runs
  (``objection_file``): the text, optionally the motion it concerns, a review
  page, then 确认提交 — an objection cannot be withdrawn or edited.
- The convener (``assembly.call``: the committee, or the street/bureau where
  the area has none) answers each one once (``objection_answer``), with the
  same review step: the answer is printed on the final result notice.
- Everyone who may follow the vote (``assembly.view_progress`` in its area)
  reads the objections and the answers. Who filed one is shown to the
  convener only; an owner sees which ones are their own.

The services decide (period, roll, permission, state); the pages show their
messages and change nothing on a refusal. The final result is published by
the periodic job once the period is over and every objection is answered
(``voting.services.assemblies_tick``), so there is no button for it here.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError, PermissionDeniedError
from core.forms import place_error
from core.guards import action_required
from core.text import datetime_text
from voting import selectors, services
from voting.forms_progress import AnswerForm, ObjectionForm
from voting.models import Assembly, Objection
from voting.services.ballots import person_of

from .scope import VIEW, assembly_in_scope, may_call


def window_open(assembly: Assembly, now: datetime) -> bool:
    """Inside the objection period of a published preliminary result (what the page offers;
    ``objection_file`` checks it again under the lock)."""
    return (
        assembly.status == Assembly.Status.PRELIMINARY
        and assembly.objection_deadline is not None
        and now < assembly.objection_deadline
    )


def _rows(assembly: Assembly, user) -> list[dict]:
    person = person_of(user)
    convener = may_call(user, assembly)
    rows = []
    for number, objection in enumerate(
        selectors.objections_of(assembly).select_related("person"), start=1
    ):
        rows.append(
            {
                "number": number,
                "objection": objection,
                "mine": person is not None and objection.person_id == person.pk,
                "filer": objection.person.name if convener else "",
                "may_answer": convener
                and not objection.answered
                and assembly.status == Assembly.Status.PRELIMINARY,
            }
        )
    return rows


@action_required(VIEW)
@require_http_methods(["GET", "POST"])
def objection_list(request, pk: int):
    """The objections and answers; the filing form for an owner on the roll during the period."""
    assembly = assembly_in_scope(request, pk)
    now = timezone.now()
    motions = list(assembly.motions.all())
    on_roll = bool(selectors.rights_for(request.user, assembly))
    form = None
    status = 200
    if request.method == "POST":
        form = ObjectionForm(request.POST, motions=motions)
        if not form.is_valid():
            status = 400
        elif request.POST.get("step") == "confirm":
            try:
                services.objection_file(
                    assembly=assembly,
                    text=form.cleaned_data["text"],
                    motion=form.motion_object(),
                    actor=request.user,
                )
            except DomainError as error:
                status = place_error(form, error)
            else:
                messages.success(
                    request, _("您的异议已提交。业委会答复后，答复将显示在本页并随最终结果公告。")
                )
                return redirect("voting:objections", pk=assembly.pk)
        elif request.POST.get("step") != "edit":
            return render(
                request,
                "voting/progress/objection_confirm.html",
                {"assembly": assembly, "form": form, "motion": form.motion_object()},
            )
    elif window_open(assembly, now) and on_roll:
        form = ObjectionForm(motions=motions)
    return render(
        request,
        "voting/progress/objections.html",
        {
            "assembly": assembly,
            "rows": _rows(assembly, request.user),
            "form": form,
            "window_open": window_open(assembly, now),
            "on_roll": on_roll,
            "deadline": (
                datetime_text(assembly.objection_deadline) if assembly.objection_deadline else ""
            ),
            "convener": may_call(request.user, assembly),
        },
        status=status,
    )


@action_required(VIEW)
@require_http_methods(["GET", "POST"])
def objection_answer(request, pk: int, objection_pk: int):
    """The convener answers one objection: answer → review → 确认提交 (cannot be changed)."""
    assembly = assembly_in_scope(request, pk)
    objection = Objection.objects.filter(pk=objection_pk, assembly=assembly).first()
    if objection is None:
        raise Http404
    if not may_call(request.user, assembly):
        raise PermissionDenied
    form = AnswerForm(request.POST or None)
    context = {"assembly": assembly, "objection": objection, "form": form}
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif request.POST.get("step") == "confirm":
            try:
                services.objection_answer(
                    objection=objection, answer=form.cleaned_data["answer"], actor=request.user
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except DomainError as error:
                status = place_error(form, error)
            else:
                messages.success(request, _("答复已提交，将随最终结果公告一并公布。"))
                url = reverse("voting:objections", kwargs={"pk": assembly.pk})
                return redirect(f"{url}#objection-{objection.pk}")
        elif request.POST.get("step") != "edit":
            return render(request, "voting/progress/answer_confirm.html", context)
    return render(request, "voting/progress/answer.html", context, status=status)


routes = [
    path("<int:pk>/objections/", objection_list, name="objections"),
    path(
        "<int:pk>/objections/<int:objection_pk>/answer/",
        objection_answer,
        name="objection_answer",
    ),
]
