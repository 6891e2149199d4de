"""Small helpers shared by the account services."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from ..phones import is_valid_phone, normalize_phone


def minute_after(moment: datetime) -> str:
    """Local HH:MM, rounded up, so "try again after HH:MM" is never too early."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local.strftime("%H:%M")


def phone_clean(raw: str) -> str:
    phone = normalize_phone(raw)
    if not is_valid_phone(phone):
        message = _("请输入11位中国大陆手机号码。")
        raise DomainError("phone_invalid", message, fields={"phone": message})
    return phone


def validation_fields(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}
