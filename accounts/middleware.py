"""TOTP for bureau approvers and admins, enforced on every page (DESIGN.md "People and roles").

``accounts.permissions`` already refuses the actions marked ``otp`` to an
approver or admin who has not passed TOTP in this session. This middleware
goes further: such a user sees no page at all until they have, so a stolen
password alone shows nothing of the bureau's view. It must sit right after
``django_otp.middleware.OTPMiddleware``, which sets ``user.is_verified()``.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from . import permissions


def otp_redirect_url(user, next_url: str = "") -> str:
    """Where a user who still needs TOTP goes: verification, or enrolment if no device yet."""
    name = "accounts:otp_verify" if user_has_device(user, confirmed=True) else "accounts:otp_setup"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _exempt_paths() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact paths, path prefixes) an unverified approver may still open."""
    exact = []
    for name in ("accounts:otp_verify", "accounts:otp_setup", "accounts:logout", "health"):
        try:
            exact.append(reverse(name))
        except NoReverseMatch:
            continue
    prefixes = [settings.STATIC_URL]
    with contextlib.suppress(NoReverseMatch):
        prefixes.append(reverse("set_language").rsplit("/", 2)[0] + "/")
    return tuple(exact), tuple(p for p in prefixes if p)


class OTPRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._blocked(request):
            if request.path_info.startswith("/api/") and not self._is_docs(request):
                return JsonResponse(
                    {
                        "code": "otp_required",
                        "detail": _("请先在网页上完成动态口令（TOTP）验证。"),
                    },
                    status=403,
                )
            return redirect(otp_redirect_url(user, request.get_full_path()))
        return self.get_response(request)

    @staticmethod
    def _blocked(request) -> bool:
        exact, prefixes = _exempt_paths()
        path = request.path_info
        if path in exact or path.startswith(prefixes):
            return False
        return permissions.needs_otp(request.user)

    @staticmethod
    def _is_docs(request) -> bool:
        # The Swagger page is a page, not an API answer: send the person to TOTP.
        try:
            return request.path_info == reverse("api-docs")
        except NoReverseMatch:
            return False
