"""The form of a whitelist item's English text (emergency.services.whitelist_translation)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ItemTranslationForm(forms.Form):
    name = forms.CharField(label=_("事项名称（英文）"), max_length=100)
    description = forms.CharField(
        label=_("适用情形（英文）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
