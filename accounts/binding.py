"""An owner's first login: the register (estates, above accounts) decides who the
owner is; accounts' login page asks through this hook, which estates fills when it is
ready, so that accounts never imports estates' services (DESIGN.md layers)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_owner_bind: Callable | None = None


def set_owner_binder(binder: Callable) -> None:
    global _owner_bind
    _owner_bind = binder


def owner_bind(*, phone: str, id_number: str):
    """The user now bound to the register's person with ``id_number`` (or a DomainError)."""
    if _owner_bind is None:
        raise ImproperlyConfigured("No owner binder: estates must be in INSTALLED_APPS.")
    return _owner_bind(phone=phone, id_number=id_number)
