"""Page and API guards (STYLE.md §3: views parse, call, render; they decide nothing).

The guards ask the access policy for every decision. The policy is
``accounts.permissions`` (the one place where role + scope is decided, DESIGN.md
"People and roles"); ``accounts`` hands it to ``set_policy`` when it is ready,
so that every app, ``audit`` included, guards its pages without importing
``accounts`` (``core`` sits below every app and imports none).
"""

from __future__ import annotations

from typing import Any, Protocol

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import redirect
from rest_framework.permissions import BasePermission


class AccessPolicy(Protocol):
    def can(self, user, action: str, obj: Any = None) -> bool: ...

    def otp_blocks(self, user, action: str) -> bool: ...

    def otp_url(self, user) -> str: ...

    def known(self, action: str) -> bool: ...


_policy: AccessPolicy | None = None


def set_policy(policy: AccessPolicy) -> None:
    global _policy
    _policy = policy


def policy() -> AccessPolicy:
    if _policy is None:
        raise ImproperlyConfigured("No access policy: accounts must be in INSTALLED_APPS.")
    return _policy


def _refusal(request, action: str):
    """``None`` when the user may go on, else the answer: login, TOTP, or 403."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if policy().otp_blocks(user, action):
        return redirect(f"{policy().otp_url(user)}?next={request.get_full_path()}")
    if not policy().can(user, action):
        raise PermissionDenied
    return None


class ActionRequiredMixin:
    """A class-based view open to users who may take ``action`` somewhere.

    Anonymous → login page; an approver/admin who has not passed TOTP → the
    TOTP page (enrolment first if they have no device); anyone else without
    the right → 403. Object-level checks happen in the view or service with
    ``accounts.permissions.require(user, action, obj)``.
    """

    action: str = ""

    def dispatch(self, request, *args, **kwargs):
        refusal = _refusal(request, self.action)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)


def action_required(action: str):
    """Function-view form of ``ActionRequiredMixin``."""

    def decorator(view):
        def wrapped(request, *args, **kwargs):
            refusal = _refusal(request, action)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


class HasAction(BasePermission):
    """DRF: ``permission_classes = [HasAction.for_action("register.view")]``.

    Object-level: ``has_object_permission`` checks the object's scope.
    """

    action = ""
    message = "您没有权限执行此操作。"

    @classmethod
    def for_action(cls, action: str):
        # Fail at import time for an unknown action (the policy is set before any URL
        # configuration, hence any API view, is imported).
        if _policy is not None and not _policy.known(action):
            raise KeyError(action)
        return type(f"HasAction_{action.replace('.', '_')}", (cls,), {"action": action})

    def has_permission(self, request, view):
        return policy().can(request.user, self.action)

    def has_object_permission(self, request, view, obj):
        return policy().can(request.user, self.action, obj)
