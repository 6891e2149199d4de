"""Forms of an application's way: filing, review, recovery, works, commission."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import YuanFormField
from core.text import join_list
from funds.models import RepairType
from funds.procedure.models.applications import EXCLUSIONS

from ..models import FILING_EVIDENCE, EvidenceKind, RecoveryClaim, WhitelistItem
from .inputs import (
    ACCEPT,
    DATETIME_INPUT,
    NOT_LISTED,
    MultipleFileField,
    evidence_field_name,
    split_list,
)


class ApplicationForm(forms.Form):
    """The phone page of a filing: item, description, estimate, scope, evidence by kind."""

    item = forms.ChoiceField(label=_("紧急维修事项"))
    description = forms.CharField(
        label=_("情况说明"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("发生了什么、在哪里、影响哪些住户、已采取的应急措施。"),
    )
    estimate = YuanFormField(
        allow_zero=True, label=_("预算金额（元）"), help_text=_("按维修方案及预算填写，精确到分。")
    )
    prepayment = YuanFormField(
        allow_zero=True,
        label=_("申请预拨金额（元）"),
        required=False,
        help_text=_("需要在施工前先拨付部分资金的填写；不需要的留空，完工结算后一次拨付。"),
    )
    scope_buildings = forms.MultipleChoiceField(
        label=_("列支范围：楼栋"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("费用由哪些楼栋分摊。楼栋和房屋都不选，表示整个物业管理区域。"),
    )
    scope_unit_codes = forms.CharField(
        label=_("列支范围：房屋编码"),
        required=False,
        max_length=2000,
        help_text=_("只涉及个别房屋时填写，多个用逗号或顿号分隔，如 1栋-1单元-101。"),
    )
    problems = forms.MultipleChoiceField(
        label=_("关联问题整治台账"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, items, buildings, problems, **kwargs):
        super().__init__(*args, **kwargs)
        self.items: list[WhitelistItem] = list(items)
        self.fields["item"].choices = [
            ("", _("请选择")),
            *[(item.code, f"{item.code} {item.name}") for item in self.items],
            (NOT_LISTED, _("以上都不是（清单外事项）")),
        ]
        self.fields["scope_buildings"].choices = [(name, name) for name in buildings]
        self.fields["problems"].choices = [(str(p.pk), str(p)) for p in problems]
        if not problems:
            del self.fields["problems"]
        for kind in FILING_EVIDENCE:
            required_by = [item.code for item in self.items if kind in item.evidence]
            help_text = (
                _("以下事项必须提交：%(codes)s") % {"codes": join_list(required_by)}
                if required_by
                else _("可选。")
            )
            self.fields[evidence_field_name(kind)] = MultipleFileField(
                label=EvidenceKind(kind).label,
                help_text=_("PDF、JPG 或 PNG，每个文件不超过 10 MB。") + " " + str(help_text),
            )

    def evidence_fields(self):
        return [self[evidence_field_name(kind)] for kind in FILING_EVIDENCE]

    def other_fields(self):
        skip = {evidence_field_name(kind) for kind in FILING_EVIDENCE}
        return [field for field in self.visible_fields() if field.name not in skip]

    def evidence(self) -> list[tuple[str, object]]:
        files = []
        for kind in FILING_EVIDENCE:
            for upload in self.cleaned_data.get(evidence_field_name(kind)) or []:
                files.append((kind, upload))
        return files

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "item_code": "" if data["item"] == NOT_LISTED else data["item"],
            "description": data["description"],
            "estimate_fen": data["estimate"],
            "prepayment_fen": data.get("prepayment") or 0,
            "scope_buildings": data.get("scope_buildings") or [],
            "scope_unit_codes": split_list(data.get("scope_unit_codes", "")),
            "problem_ids": [int(pk) for pk in data.get("problems") or []],
            "evidence": self.evidence(),
        }


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("不予批准的理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("申请人会看到这段理由，请写明依据和可以怎样改正。"),
    )


class ChecklistForm(forms.Form):
    """The reviewer's checklist (``services.application_checklist_record``): repair type, the
    art. 25 exclusions, the reasons, and — inside warranty — the recovery claim (追偿)."""

    repair_type = forms.ChoiceField(
        label=_("维修类别（决定法定保修期）"), choices=RepairType.choices
    )
    exclusion_note = forms.CharField(
        label=_("有不得列支情形仍先行列支的理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("勾选任何一项不得列支情形时必填；不能说明的，请作出不予批准的决定。"),
    )
    warranty_note = forms.CharField(
        label=_("保修期内（或竣工日期未知）仍先行列支的理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recovery_against = forms.ChoiceField(
        label=_("追偿对象"),
        required=False,
        choices=[("", _("（不登记）")), *RecoveryClaim.Against.choices],
        help_text=_("保修期内先行列支的，须登记向建设单位或施工单位追偿。"),
    )
    recovery_party = forms.CharField(label=_("追偿单位名称"), required=False, max_length=200)
    recovery_amount = YuanFormField(allow_zero=True, label=_("追偿金额（元）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in EXCLUSIONS:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        # The checklist first: it is what the reviewer looks at before anything else.
        self.order_fields(["repair_type", *(name for name, _label in EXCLUSIONS), "exclusion_note"])

    def exclusions(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(name)) for name, _label in EXCLUSIONS}

    @staticmethod
    def exclusions_names() -> list[str]:
        return [name for name, _label in EXCLUSIONS]

    def recovery(self, default_amount_fen: int):
        """The claim entered with the checklist, or None when no party was chosen."""
        from ..services import ClaimInput

        data = self.cleaned_data
        if not data.get("recovery_against"):
            return None
        amount = data.get("recovery_amount")
        return ClaimInput(
            against=data["recovery_against"],
            party_name=data.get("recovery_party", ""),
            amount_fen=default_amount_fen if amount is None else amount,
        )


class RecoveryClaimForm(forms.Form):
    """A new claim on its own (e.g. a second party, or one found after the review)."""

    against = forms.ChoiceField(label=_("追偿对象"), choices=RecoveryClaim.Against.choices)
    party_name = forms.CharField(label=_("单位名称"), max_length=200)
    amount = YuanFormField(allow_zero=True, label=_("追偿金额（元）"))
    note = forms.CharField(
        label=_("登记说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecoveryMoveForm(forms.Form):
    """One step of a claim: the reason is always required; the amounts only where they apply."""

    note = forms.CharField(
        label=_("说明（理由、发函或到账情况）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    amount = YuanFormField(allow_zero=True, label=_("金额（元）"), required=False)


class MomentForm(forms.Form):
    at = forms.DateTimeField(
        label=_("时间"),
        required=False,
        widget=DATETIME_INPUT,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("留空表示现在。"),
    )


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=_("验收意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(
        label=EvidenceKind.ACCEPTANCE.label, help_text=_("PDF、JPG 或 PNG，每个文件不超过 10 MB。")
    )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"), choices=EvidenceKind.choices)
    file = forms.FileField(
        label=_("文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF、JPG 或 PNG，不超过 10 MB。"),
    )


class CommissionForm(forms.Form):
    contractor = forms.CharField(label=_("施工单位"), max_length=200)
    contractor_contact = forms.CharField(
        label=_("施工单位联系人及电话"), max_length=100, required=False
    )
    estimate = YuanFormField(allow_zero=True, label=_("代修预算（元）"))
    reason = forms.CharField(
        label=_("代修原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：批准后超过开工时限仍未开工，经督促仍未组织维修。"),
    )
