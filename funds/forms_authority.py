"""Forms of the approval-authority pages (``views_applications.authority``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CountersignForm(forms.Form):
    note = forms.CharField(
        label=_("复核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FilingForm(forms.Form):
    """The bureau on a filing: receive it (备案), or order a correction (责令改正)."""

    DECISIONS = [("receive", _("予以备案")), ("correct", _("责令改正"))]
    decision = forms.ChoiceField(label=_("结论"), choices=DECISIONS, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("责令改正的事项"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("责令改正时必填。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "correct" and not (data.get("text") or "").strip():
            self.add_error("text", _("请写明须改正的事项。"))
        return data


class FilingReplyForm(forms.Form):
    """The committee reports the correction it made."""

    text = forms.CharField(
        label=_("改正情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
