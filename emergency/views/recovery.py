"""Recovery claims (追偿) pages: the bureau's list, a new claim, each step of a claim.

RULES.md §5: inside warranty an urgent repair is paid now and a claim against
the developer or the builder is recorded and tracked. Thin (STYLE.md §3): the
forms parse, ``emergency.services.recovery`` decides; a refusal comes back on
the form with status 400 and nothing stored.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.guards import action_required

from .. import selectors, services
from ..forms import RecoveryClaimForm, RecoveryMoveForm
from ..models import RecoveryClaim
from ._common import any_action_required, form_page

REVIEW = "application.review"
APPROVE = "application.approve"
OVERSEE = "oversee"
Status = RecoveryClaim.Status

# Each step: who may take it, what the page says, and the service it calls.
STEPS = {
    Status.CLAIMED: (REVIEW, _("登记已向对方主张（发函、通知）"), _("已登记主张。")),
    Status.RECOVERED: (REVIEW, _("登记已追回"), _("已登记追回。")),
    Status.ABANDONED: (APPROVE, _("放弃追偿（须写明理由）"), _("已放弃追偿。")),
}


@any_action_required(OVERSEE, REVIEW, APPROVE)
def claims(request):
    """All claims the user may see, the live ones first; filter by status."""
    status = request.GET.get("status", "")
    rows = selectors.visible_claims(request.user)
    if status in Status.values:
        rows = rows.filter(status=status)
    rows = sorted(rows[:500], key=lambda c: (c.status not in RecoveryClaim.LIVE, -c.pk))
    return render(
        request,
        "emergency/recovery_claims.html",
        {"claims": rows, "statuses": Status.choices, "status": status},
    )


@action_required(REVIEW)
@require_http_methods(["GET", "POST"])
def claim_new(request, pk: int):
    application = selectors.application_get(request.user, pk)
    form = RecoveryClaimForm(
        request.POST if request.method == "POST" else None,
        initial={"amount": application.estimate_fen / 100},
    )
    return form_page(
        request,
        "emergency/recovery_form.html",
        {"application": application, "title": _("登记追偿")},
        form=form,
        perform=lambda data: services.recovery_claim_open(
            application=application,
            actor=request.user,
            claim=services.ClaimInput(
                against=data["against"],
                party_name=data["party_name"],
                amount_fen=data["amount"],
                note=data.get("note", ""),
            ),
        ),
        done=_("已登记追偿。"),
        then=reverse("emergency:detail", kwargs={"pk": application.pk}),
        aliases={
            "recovery_against": "against",
            "recovery_party": "party_name",
            "recovery_amount": "amount",
            "recovery_note": "note",
        },
    )


@require_http_methods(["GET", "POST"])
def claim_move(request, claim_pk: int, to: str):
    if to not in STEPS:
        raise Http404
    action, title, done = STEPS[to]
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can(request.user, action):
        raise PermissionDenied
    claim = selectors.claim_get(request.user, claim_pk)
    form = RecoveryMoveForm(request.POST if request.method == "POST" else None)

    def perform(data):
        amount = data.get("amount")
        if to == Status.CLAIMED:
            return services.recovery_claim_claim(
                claim=claim,
                actor=request.user,
                note=data["note"],
                amount_fen=amount,
            )
        if to == Status.RECOVERED:
            return services.recovery_claim_recover(
                claim=claim,
                actor=request.user,
                recovered_fen=amount or 0,
                note=data["note"],
            )
        return services.recovery_claim_abandon(claim=claim, actor=request.user, reason=data["note"])

    return form_page(
        request,
        "emergency/recovery_form.html",
        {"application": claim.application, "claim": claim, "title": title, "to": to},
        form=form,
        perform=perform,
        done=done,
        then=reverse("emergency:detail", kwargs={"pk": claim.application_id}),
        aliases={"recovered": "amount", "reason": "note"},
    )
