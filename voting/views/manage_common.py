"""What the committee's pages (``manage``, ``manage_ballots``) share: finding an
assembly within the user's scope, and putting a service's refusal on a form.

Scope follows the register pages: a user who may not take the action anywhere
gets 403 (``core.guards.action_required``); an assembly of an area outside
their scope is "not found" (404), so the page does not confirm it exists.
"""

from __future__ import annotations

import mimetypes

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404

from accounts import permissions
from core.errors import DomainError, PermissionDeniedError
from core.forms import place_error
from voting import selectors
from voting.models import Assembly

CALL = "assembly.call"
ENTER = "ballot.enter_paper"
TRACE = "ballot.trace"
OVERSEE = "oversee"


def attachment_response(assembly: Assembly, attachment_pk: int) -> FileResponse:
    """One of ``assembly``'s attachments as a download (404 if it is not one of them)."""
    found = next((a for a in assembly.attachments.all() if a.pk == attachment_pk), None)
    if found is None:
        raise Http404
    extension = found.file.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        found.file.open("rb"),
        content_type=mimetypes.types_map.get(f".{extension}", "application/octet-stream"),
        filename=f"{found.title}.{extension}",
    )


def assembly_for(user, pk: int, action: str) -> Assembly:
    """The assembly ``pk`` if ``user`` may take ``action`` on it; 404 otherwise."""
    try:
        assembly = selectors.assembly_detail(pk)
    except Assembly.DoesNotExist:
        raise Http404 from None
    if not permissions.can(user, action, assembly):
        raise Http404
    return assembly


def form_error(error: DomainError, *forms) -> int:
    """Put a service's refusal on the first of ``forms`` with a field it names (else the
    first form) through ``core.forms.place_error``; the status the page answers.

    A permission refusal (``PermissionDeniedError`` is a DomainError) is a 403, not a form error.
    """
    if isinstance(error, PermissionDeniedError):
        raise PermissionDenied(error.message)
    named = (f for f in forms if any(name in f.fields for name in error.fields))
    return place_error(next(named, forms[0]), error)


def refusal(error: DomainError) -> str:
    """A service's refusal of a confirmation step, as the message the page shows (403 for
    a permission refusal)."""
    if isinstance(error, PermissionDeniedError):
        raise PermissionDenied(error.message)
    return error.message
