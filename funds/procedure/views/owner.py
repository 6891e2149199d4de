"""Owners: what is being spent in their building and their share (RULES.md §4)."""

from __future__ import annotations

from django.shortcuts import render

from core.guards import action_required
from funds.procedure.selectors import applications as reads
from funds.procedure.selectors import owner_shares

OWN = "fund.view_own"


@action_required(OWN)
def my_shares(request):
    """我的维修分摊: applications touching the owner's units, with the estimated or settled share."""
    return render(
        request,
        "funds/applications/mine.html",
        {
            "lines": owner_shares.shares_of_user(request.user),
            "applications": reads.applications_for(request.user)[:50],
        },
    )
