"""The one error type of the domain and the status it answers (STYLE.md §4, §15).

A service raises ``DomainError`` when a request cannot be carried out. The
message is for a person (Chinese by default, through gettext); ``code`` is
stable for programs; ``fields`` maps form/serializer field names to messages.

One rule decides the status, on pages and in the API alike:

- ``DomainError``: the input is invalid (a missing field, a bad amount, a file
  of the wrong kind) → **400**;
- ``Conflict``: the input may be fine but the state of things refuses it (a
  transition not in the table, an assembly already closed, a key reused, a
  deadline passed) → **409**;
- ``PermissionDeniedError``: the actor's role and scope do not allow it → **403**.

``core.api.exception_handler`` answers API calls with ``as_dict()`` and
``status``; ``core.forms.place_error`` puts the same error on a form and
returns the same status for the page.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.fields = {key: str(value) for key, value in (fields or {}).items()}

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": self.message, "fields": self.fields}

    def __str__(self) -> str:
        return self.message


class Conflict(DomainError):
    """The state of things refuses the request (409): retrying the same input will
    not help until the state changes."""

    status = 409


class PermissionDeniedError(DomainError):
    """The actor's role and scope do not allow the action (accounts.permissions)."""

    status = 403

    def __init__(self, message: str = "", *, code: str = "forbidden"):
        from django.utils.translation import gettext

        super().__init__(code, message or gettext("您没有权限执行此操作。"))
