"""What the emergency pages share: guards, DomainError → form errors, the normal-procedure hint,
and the page of one form whose valid POST calls one service (``form_page``, ``action_view``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.errors import DomainError

from .. import selectors
from ..services._common import normal_procedure_url

# Codes whose message offers the normal procedure instead (RULES.md §5).
FALLBACK_CODES = frozenset({"not_on_whitelist", "over_cap"})


def any_action_required(*actions: str):
    """A page open to users who may take any of ``actions`` somewhere (else 403).

    TOTP for approvers and admins is enforced site-wide by
    ``accounts.middleware.OTPRequiredMiddleware`` before this runs.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(permissions.can(request.user, action) for action in actions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def place_error(form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: on the fields it names, else on the form."""
    if error.code in FALLBACK_CODES:
        # On top of the form: it is the message that offers the way forward.
        form.add_error(None, error.message)
        return
    aliases = aliases or {}
    placed = False
    for name, message in error.fields.items():
        name = aliases.get(name, name)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed or error.message not in error.fields.values():
        # On a phone the field may be far down the page: the whole message goes on top too.
        form.add_error(None, error.message)


def fallback_context(error: DomainError | None) -> dict:
    if error is None or error.code not in FALLBACK_CODES:
        return {}
    return {"fallback": True, "fallback_url": normal_procedure_url()}


# --------------------------------------------------------------------------- one form, one service


def form_page(
    request,
    template: str,
    context: dict,
    *,
    form,
    perform: Callable[[dict], Any],
    done: str | Callable[[Any], str],
    then: str,
    aliases: dict[str, str] | None = None,
):
    """A page of one form whose valid POST calls ``perform(cleaned_data)`` (thin, STYLE.md §3).

    Taken: ``done`` — or ``done(what perform returned)`` — as a message, and a redirect to the
    URL ``then``. Refused: the refusal on the form (``place_error``), nothing stored, and the
    page again with status 400, as for any form sent back with its errors.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except DomainError as exc:
            place_error(form, exc, aliases)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect(then)
    return render(
        request,
        template,
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )


class ActionWords(NamedTuple):
    """What a page that confirms one action on an application says, in the order it shows it."""

    title: str
    help_text: str  # above the form: what the action sets going
    button: str  # the confirmation
    done: str  # the message once the action is taken


def action_page(
    request,
    application,
    form,
    words: ActionWords,
    perform: Callable[[dict], Any],
    *,
    aliases: dict[str, str] | None = None,
    summary: bool = False,
    multipart: bool = False,
    danger: bool = False,
):
    """``emergency/action.html``: one action on one application, its button the confirmation;
    taken, back to the application. ``summary`` shows what the application asks above the form;
    ``danger`` marks a decision that ends or takes over the applicant's way."""
    return form_page(
        request,
        "emergency/action.html",
        {
            "application": application,
            "title": words.title,
            "button": words.button,
            "help_text": words.help_text,
            "show_summary": summary,
            "multipart": multipart,
            "danger": danger,
        },
        form=form,
        perform=perform,
        done=words.done,
        then=reverse("emergency:detail", kwargs={"pk": application.pk}),
        aliases=aliases,
    )


def action_view(form_class, words: ActionWords, **options):
    """Make ``perform(application, actor, cleaned_data)`` the view ``(request, pk)`` of its
    ``action_page`` (``options`` are that function's).

    Any logged-in user gets this far; an application outside the user's scope is "not found"
    (``selectors.application_get``). The pages' own guards go on top, the services decide.
    """

    def decorator(perform):
        @require_http_methods(["GET", "POST"])
        @wraps(perform)
        def view(request, pk: int):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            application = selectors.application_get(request.user, pk)
            form = form_class(*((request.POST, request.FILES) if request.method == "POST" else ()))
            return action_page(
                request,
                application,
                form,
                words,
                lambda data: perform(application, request.user, data),
                **options,
            )

        return view

    return decorator
