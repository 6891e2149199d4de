"""What the use-procedure pages share: finding an application in scope, refusals, confirmation.

Scope: a user who may not see an application gets "not found" (404), so a
page never confirms that an application of another area exists; a user
without the page's action anywhere gets 403 (``core.guards``).

Irreversible steps (vote, review, approval, instruction, confirmation,
settlement, publication) show what will happen on a confirmation page first
(``confirm_or_act``): the form's values ride along as hidden fields, and only
the POST with ``confirmed=1`` calls the service.
"""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from core.errors import DomainError
from core.forms import place_error
from funds.models import FundApplication
from funds.procedure.selectors import applications as reads
from voting.views.manage_common import refusal

__all__ = [
    "application_for",
    "confirm_or_act",
    "detail_redirect",
    "file_response",
    "refusal",
]


def application_for(user, pk: int) -> FundApplication:
    application = reads.application_visible(user, pk)
    if application is None:
        raise Http404
    return application


def detail_redirect(application: FundApplication):
    return redirect("funds:application_detail", pk=application.pk)


def file_response(application: FundApplication, attachment_pk: int) -> FileResponse:
    found = application.attachments.filter(pk=attachment_pk).first()
    if found is None:
        raise Http404
    extension = found.file.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        found.file.open("rb"),
        content_type=mimetypes.types_map.get(f".{extension}", "application/octet-stream"),
        filename=found.original_name,
    )


def confirm_or_act(request, *, form, act, template: str, context: dict, summary, check=None):
    """GET: the form. POST valid without ``confirmed``: ``check()`` (a dry run of the
    service, if given), then the confirmation page with ``summary()`` (label, value) rows.
    POST with ``confirmed=1``: ``act()``. A refusal — by ``check`` before the confirmation
    or by ``act`` after it — goes back on the form (400), nothing changed: a person never
    confirms a step that would then be refused (issue #16 item 8)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if request.POST.get("confirmed") == "1":
                    return act()
                if check is not None:
                    check()
                return render(
                    request,
                    "funds/applications/confirm.html",
                    {**context, "form": form, "summary": summary()},
                )
            except DomainError as error:
                status = place_error(form, error)
    return render(request, template, {**context, "form": form}, status=status)
