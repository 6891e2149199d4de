"""分摊补缴 on the emergency application (RULES.md §4, §5): record a shortfall paid, name the
account shortfalls may be advanced from, advance one. The pages are the funds app's
(``funds.procedure.views.shortfalls``); here the application is found in the user's
scope (else 404) and the user must hold the step's action for it (else 404)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.guards import action_required
from funds.procedure.views import shortfalls as pages

from .. import selectors


def _application(request, pk: int, action: str):
    application = selectors.application_get(request.user, pk)
    if not permissions.can(request.user, action, application.area):
        raise Http404
    return application


def _page(application) -> dict:
    return {
        "back": reverse("emergency:detail", kwargs={"pk": application.pk}),
        "context": {"emergency": application},
    }


@action_required(pages.PAY)
@require_http_methods(["GET", "POST"])
def demand_pay(request, pk: int, demand: int):
    """登记补缴到账 (the reviewer, ``payment.confirm``)."""
    application = _application(request, pk, pages.PAY)
    row = pages.demand_of(application.fund_use_id, demand)
    return pages.demand_pay_page(request, demand=row, **_page(application))


@action_required(pages.ADVANCE)
@require_http_methods(["GET", "POST"])
def demand_advance(request, pk: int, demand: int):
    """垫付 (the approver, after TOTP): only from the account the bureau named."""
    application = _application(request, pk, pages.ADVANCE)
    row = pages.demand_of(application.fund_use_id, demand)
    return pages.demand_advance_page(request, demand=row, **_page(application))


@action_required(pages.ADVANCE)
@require_http_methods(["GET", "POST"])
def advance_account(request, pk: int):
    """指定垫付账户 for the application's area (the approver, after TOTP)."""
    application = _application(request, pk, pages.ADVANCE)
    return pages.advance_account_page(request, area=application.area, **_page(application))
