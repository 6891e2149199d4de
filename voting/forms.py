"""The owner's online ballot form: one field per motion (RULES.md §3).

The form only reads what was ticked; what a ballot may answer is decided by
``voting.services.choices_clean``, whose per-motion messages the view puts
back on these fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import join_list
from voting import counting

ANSWERS = [
    (counting.APPROVE, _("同意")),
    (counting.REJECT, _("反对")),
    (counting.ABSTAIN, _("弃权")),
]
MISSING = _("请对本议题作出选择（同意、反对或弃权）。")


class BallotForm(forms.Form):
    """Fields named by motion code; elections are checkboxes (candidates, or 弃权)."""

    def __init__(self, *args, motions, rights=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.motions = motions
        if len(rights) > 1:
            self.fields["right"] = forms.TypedChoiceField(
                label=_("为哪一处房屋投票"),
                coerce=int,
                choices=[(r.pk, join_list(r.unit_codes)) for r in rights],
                widget=forms.RadioSelect,
                error_messages={"required": _("请选择房屋。")},
            )
        for motion in motions:
            if motion.is_election:
                options = [(c.code, c.name) for c in motion.candidates.all()]
                options.append((counting.ABSTAIN, _("弃权")))
                field = forms.MultipleChoiceField(
                    choices=options,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={"required": _("请选择候选人或弃权。")},
                )
            else:
                field = forms.ChoiceField(
                    choices=ANSWERS,
                    widget=forms.RadioSelect,
                    error_messages={"required": MISSING},
                )
            field.label = motion.title
            self.fields[motion.code] = field

    def clean(self):
        data = super().clean()
        for motion in self.motions:
            value = data.get(motion.code)
            if motion.is_election and value and counting.ABSTAIN in value and len(value) > 1:
                self.add_error(motion.code, _("弃权时不能同时选择候选人。"))
        return data

    def choices(self) -> dict:
        """The answers in the service's shape: election "abstain" alone becomes the string."""
        result: dict = {}
        for motion in self.motions:
            value = self.cleaned_data.get(motion.code)
            if motion.is_election and value == [counting.ABSTAIN]:
                value = counting.ABSTAIN
            if value:
                result[motion.code] = value
        return result

    def error_summary(self) -> list[dict]:
        """What the top of a refused ballot lists, in page order: each question still to
        answer or correct, with the anchor of its card and its first message (issue #16:
        on a phone the red lines are far below the fold)."""
        if not self.is_bound or not self.errors:
            return []
        rows = []
        if "right" in self.fields and self.errors.get("right"):
            rows.append(
                {
                    "anchor": "ballot-right",
                    "label": self.fields["right"].label,
                    "message": self.errors["right"][0],
                }
            )
        for position, motion in enumerate(self.motions, start=1):
            errors = self.errors.get(motion.code)
            if errors:
                rows.append(
                    {
                        "anchor": f"motion-{motion.code}",
                        "label": f"{position}. {motion.title}",
                        "message": errors[0],
                    }
                )
        return rows

    def rows(self):
        """(motion, bound field) pairs for the template."""
        return [(motion, self[motion.code]) for motion in self.motions]
