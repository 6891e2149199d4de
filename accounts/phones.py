"""Mainland mobile numbers: validation and masking (DESIGN.md "Personal data")."""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")

phone_validator = RegexValidator(PHONE_RE, _("请输入11位中国大陆手机号码。"))


def normalize_phone(raw: str) -> str:
    """Strip spaces, dashes and a +86 / 86 prefix; return the 11-digit number as typed otherwise."""
    value = re.sub(r"[\s-]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    return value


def is_valid_phone(value: str) -> bool:
    return bool(PHONE_RE.match(value or ""))


def mask_phone(phone: str) -> str:
    """138****5678: lists show only the first three and last four digits."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
