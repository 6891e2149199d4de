"""Page and API guards. They only ask ``accounts.permissions``; they decide nothing."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from rest_framework.permissions import BasePermission

from . import permissions
from .models import OTP_ROLES


def _otp_blocks(user, action: str) -> bool:
    rule = permissions.ACTIONS[action]
    return (
        rule.otp
        and bool(permissions.roles_of(user) & OTP_ROLES & rule.roles)
        and not permissions.is_verified(user)
    )


class ActionRequiredMixin:
    """A class-based view open to users who may take ``action`` somewhere.

    Anonymous → login page; an approver/admin who has not passed TOTP → the
    TOTP page (enrolment first if they have no device); anyone else without
    the right → 403. Object-level checks happen in the view or service with
    ``permissions.require(user, action, obj)``.
    """

    action: str = ""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if _otp_blocks(user, self.action):
            return redirect(f"{_otp_url(user)}?next={request.get_full_path()}")
        if not permissions.can(user, self.action):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _otp_url(user) -> str:
    from django.urls import reverse
    from django_otp import devices_for_user

    has_device = any(True for _ in devices_for_user(user, confirmed=True))
    return reverse("accounts:otp_verify" if has_device else "accounts:otp_setup")


def action_required(action: str):
    """Function-view form of ``ActionRequiredMixin``."""

    def decorator(view):
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if _otp_blocks(user, action):
                return redirect(f"{_otp_url(user)}?next={request.get_full_path()}")
            if not permissions.can(user, action):
                raise PermissionDenied
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
        permissions.ACTIONS[action]  # fail at import time for an unknown action
        return type(f"HasAction_{action.replace('.', '_')}", (cls,), {"action": action})

    def has_permission(self, request, view):
        return permissions.can(request.user, self.action)

    def has_object_permission(self, request, view, obj):
        return permissions.can(request.user, self.action, obj)
