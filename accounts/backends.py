"""Authentication backends (settings.AUTHENTICATION_BACKENDS)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from . import services


class PhoneCodeBackend(ModelBackend):
    """Owners log in with their phone and a one-time SMS code.

    ``authenticate(request, phone=..., code=...)`` goes through
    ``services.code_verify``, which enforces expiry, the try limit and single
    use. Its ``DomainError`` is deliberately not swallowed: the login page
    must tell the owner whether the code was wrong, expired or used up, and
    ``django.contrib.auth.authenticate`` would otherwise reduce all of those to
    "no user". Calls without ``phone`` and ``code`` (a password login) are left
    to the next backend.
    """

    def authenticate(self, request, phone=None, code=None, **kwargs):
        if phone is None or code is None:
            return None
        user = services.code_verify(phone=phone, code=code)
        return user if self.user_can_authenticate(user) else None
