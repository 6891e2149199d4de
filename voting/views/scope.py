"""Who reaches the progress, result and objection pages of an assembly (see ``progress``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from accounts import permissions
from voting import selectors
from voting.models import Assembly

VIEW = "assembly.view_progress"
CALL = "assembly.call"


def may_call(user, assembly: Assembly) -> bool:
    """The convener's side: the committee, or the street/bureau where an area has none."""
    return permissions.can(user, CALL, assembly)


def assembly_in_scope(request, pk: int) -> Assembly:
    """The assembly if ``request.user`` may follow it, else 404 (another area's vote is
    not confirmed to exist). A draft is the convener's working copy: 404 for anyone else."""
    try:
        assembly = selectors.assembly_detail(pk)
    except Assembly.DoesNotExist:
        raise Http404 from None
    if not permissions.can(request.user, VIEW, assembly):
        raise Http404
    if assembly.status == Assembly.Status.DRAFT and not may_call(request.user, assembly):
        raise Http404
    return assembly


def live_approval() -> bool:
    """Whether approval is shown while voting is still open (``GONGZHI_LIVE_APPROVAL``).

    Our policy, a setting with this default (RULES.md: "where a rule is a policy
    choice of ours … it is a setting"): **off**. A ballot is final once cast
    (RULES.md §3), so a running approval count would let late voters — and the
    convener, often an interested party (its own re-election, its own fund
    proposal) — act on what early voters could not see. Participation against
    the 2/3 lines, which the convener needs to run the vote, is live for
    everyone; approval is shown to everyone alike from the close. Nobody in
    scope sees more than anybody else.
    """
    value = getattr(settings, "GONGZHI_LIVE_APPROVAL", False)
    if not isinstance(value, bool):
        raise ImproperlyConfigured(f"GONGZHI_LIVE_APPROVAL must be True or False, not {value!r}.")
    return value
