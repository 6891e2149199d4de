"""The one error type of the domain (STYLE.md §4).

A service raises ``DomainError`` when a request cannot be carried out: bad
input, a transition not in the table, a permission the actor lacks. The
message is for a person (Chinese by default, through gettext); ``code`` is
stable for programs; ``fields`` maps form/serializer field names to messages.
One DRF exception handler (``gongzhi.api``) and one view mixin
(``gongzhi.views.DomainErrorMixin``) turn it into a 400 or a form error.
"""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.fields = {key: str(value) for key, value in (fields or {}).items()}

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": self.message, "fields": self.fields}

    def __str__(self) -> str:
        return self.message


class PermissionDeniedError(DomainError):
    """The actor's role and scope do not allow the action (accounts.permissions)."""

    def __init__(self, message: str = "", *, code: str = "forbidden"):
        from django.utils.translation import gettext

        super().__init__(code, message or gettext("您没有权限执行此操作。"))
