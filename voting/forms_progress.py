"""Forms of the objection pages (RULES.md §3: owners object, the convener answers).

They only read what was typed; whether an objection may be filed now, by
this person, and whether an answer may be given, is decided by
``voting.services.objection_file`` / ``objection_answer``, whose messages
the views put back on these forms.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from voting.services.objections import MAX_TEXT

# CharField strips what is typed, so blank text fails "required" here, as it does in the service.

WHOLE_RESULT = ""


class ObjectionForm(forms.Form):
    motion = forms.ChoiceField(label=_("针对的议题"), required=False)
    text = forms.CharField(
        label=_("异议内容"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写异议内容。")},
    )

    def __init__(self, *args, motions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = gettext(
            "请写明对哪项结果有异议、理由和依据（不超过 %(limit)d 字）。"
            "异议和答复本区域的业主都能看到，请不要填写身份证号、电话号码等个人信息。"
        ) % {"limit": MAX_TEXT}
        self.motions = {motion.code: motion for motion in motions}
        self.fields["motion"].choices = [
            (WHOLE_RESULT, _("整体结果（不针对某一议题）")),
            *((m.code, f"{m.position}. {m.title}") for m in motions),
        ]

    def motion_object(self):
        """The chosen motion, or None for the result as a whole."""
        return self.motions.get(self.cleaned_data.get("motion") or WHOLE_RESULT)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写答复。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].help_text = gettext(
            "答复将随最终结果公告一并公布，提交后不能修改（不超过 %(limit)d 字）。"
        ) % {"limit": MAX_TEXT}
