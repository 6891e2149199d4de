"""What the emergency pages share: guards, DomainError → form errors, the normal-procedure hint."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts import permissions
from gongzhi.errors import DomainError

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
