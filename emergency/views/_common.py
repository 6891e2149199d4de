"""What the emergency pages share: guards, DomainError → form errors, the normal-procedure hint,
and the page of one form whose valid POST calls one service (``form_page``, ``action_view``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NamedTuple

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.errors import DomainError
from core.forms import place_error
from core.upload_drafts import UploadDraft

from .. import selectors
from ..services import normal_procedure_url

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


def place_refusal(form, error: DomainError, aliases: dict[str, str] | None = None) -> int:
    """``core.forms.place_error`` with the service's field names read as the form's
    (``aliases``), a refusal offering the normal procedure on top of the form, where the way
    forward shows, and a message the fields do not repeat on top too. Returns the status
    the page answers."""
    given = error.fields
    if error.code in FALLBACK_CODES:
        error.fields = {}
    else:
        aliases = aliases or {}
        error.fields = {aliases.get(name, name): text for name, text in given.items()}
    try:
        status = place_error(form, error)
    finally:
        error.fields = given
    if error.message not in given.values() and error.message not in form.non_field_errors():
        # On a phone the field may be far down the page: the whole message goes on top too.
        form.add_error(None, error.message)
    return status


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
    uploads: UploadDraft | None = None,
):
    """A page of one form whose valid POST calls ``perform(cleaned_data)`` (thin, STYLE.md §3).

    Taken: ``done`` — or ``done(what perform returned)`` — as a message, and a redirect to the
    URL ``then``. Refused: the refusal on the form (``place_refusal``), nothing stored, and the
    page again with its status (400 invalid input, 409 a state conflict); a form sent back
    with its own errors is a 400. ``uploads``: the files chosen on it, kept while the page
    is shown again (``core.upload_drafts``), dropped once taken.
    """
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = perform(form.cleaned_data)
            except DomainError as exc:
                status = place_refusal(form, exc, aliases)
            else:
                if uploads is not None:
                    uploads.attached()
                messages.success(request, done(result) if callable(done) else done)
                return redirect(then)
    return render(request, template, {**context, "form": form, "uploads": uploads}, status=status)


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
    uploads: UploadDraft | None = None,
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
        uploads=uploads,
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
            uploads = None
            if options.get("multipart"):
                # Files chosen here survive the page shown again (core.upload_drafts).
                uploads = UploadDraft(
                    request,
                    form=f"emergency.{perform.__name__}:{application.pk}",
                    fields=[
                        name
                        for name, field in form_class.base_fields.items()
                        if isinstance(field, forms.FileField)
                    ],
                )
            posted = (request.POST, uploads.files() if uploads else request.FILES)
            form = form_class(*(posted if request.method == "POST" else ()))
            return action_page(
                request,
                application,
                form,
                words,
                lambda data: perform(application, request.user, data),
                uploads=uploads,
                **options,
            )

        return view

    return decorator
