"""Form and API fields every app shares: the district's wall time and money in yuan."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import money


class DistrictDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read and shown as the district's wall time (Asia/Shanghai).

    DESIGN.md "Time": stored in UTC, shown in Asia/Shanghai. The field pins the
    conversion to the default time zone, whatever zone a request may activate.
    """

    input_formats = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(timezone.get_default_timezone()):
            return super().to_python(value)

    def prepare_value(self, value):
        with timezone.override(timezone.get_default_timezone()):
            return super().prepare_value(value)


class YuanFormField(forms.CharField):
    """An amount a person types in yuan (two decimals at most) cleaned to int fen
    (``core.money.parse_yuan``); empty → ``None`` when not required."""

    default_error_messages = {"invalid": _("请填写金额（元），最多两位小数。")}

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # An initial value in fen shows as the yuan a person would type.
        if isinstance(value, int) and not isinstance(value, bool):
            return money.yuan_plain(value)
        return value

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            return money.parse_yuan(value, allow_zero=self.allow_zero)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


YUAN_SCHEMA = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "6712.50"}


@extend_schema_field({**YUAN_SCHEMA, "nullable": True})
class YuanField(serializers.Field):
    """Integer fen as a program reads it (``"6712.50"``; null where unknown), read only."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return money.yuan_plain(None if value is None else int(value))
