"""The access policy ``core.guards`` asks: every answer comes from ``accounts.permissions``
(role + scope, and which roles must pass TOTP first), handed to ``core`` when accounts is
ready so that no app needs to import accounts to guard a page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django_otp import devices_for_user

from . import permissions
from .models import OTP_ROLES


class AccountsPolicy:
    def can(self, user, action: str, obj: Any = None) -> bool:
        return permissions.can(user, action, obj)

    def known(self, action: str) -> bool:
        return action in permissions.ACTIONS

    def otp_blocks(self, user, action: str) -> bool:
        """An approver/admin who has not passed TOTP this session (RULES: staff 2FA)."""
        rule = permissions.ACTIONS[action]
        return (
            rule.otp
            and bool(permissions.roles_of(user) & OTP_ROLES & rule.roles)
            and not permissions.is_verified(user)
        )

    def otp_url(self, user) -> str:
        has_device = any(True for _ in devices_for_user(user, confirmed=True))
        return reverse("accounts:otp_verify" if has_device else "accounts:otp_setup")
