"""Forms of the use-procedure pages (``funds.procedure.views``).

They parse input only; the rules (scope known to the register, budget from
items, exclusions, warranty reason, maker ≠ checker, amounts within the
approval) are the services'. Money is typed in yuan and handed to the
services as integer fen, parsed as a Decimal with at most two places —
never a float.
"""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import DistrictDateTimeField, YuanFormField
from core.money import parse_yuan, yuan_plain
from funds.models import AdvanceAccount, ApplicationAttachment, RepairType
from funds.procedure.models.applications import EXCLUSIONS
from voting.forms_manage import split_codes

_ITEM_SEPARATORS = re.compile(r"\s*[|｜]\s*")


def parse_items(text: str) -> list[tuple[str, str, int]]:
    """Lines "项目 | 内容、数量 | 金额（元）" (the middle part may be left out)."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = _ITEM_SEPARATORS.split(line.strip())
        if len(parts) == 2:
            parts = [parts[0], "", parts[1]]
        if len(parts) != 3:
            raise forms.ValidationError(
                _("第 %(n)d 行格式应为：项目 | 内容、数量 | 金额（元）") % {"n": number}
            )
        try:
            amount = parse_yuan(parts[2], allow_zero=True)
        except ValueError:
            raise forms.ValidationError(
                _("第 %(n)d 行的金额无效：%(v)s") % {"n": number, "v": parts[2]}
            ) from None
        items.append((parts[0], parts[1], amount))
    return items


def items_text(application) -> str:
    return "\n".join(
        f"{i.name} | {i.spec} | {yuan_plain(i.amount_fen)}" for i in application.items.all()
    )


class ApplicationForm(forms.Form):
    title = forms.CharField(label=_("维修项目"), required=False, max_length=300)
    repair_type = forms.ChoiceField(
        label=_("维修类别"),
        choices=[("", "—")] + list(RepairType.choices),
        required=False,
        help_text=_(
            "决定法定保修期：屋面防水 5 年，电气、给排水、设备安装 2 年，供热供冷 2 个采暖期/供冷期。"
        ),
    )
    description = forms.CharField(
        label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scope_buildings = forms.MultipleChoiceField(
        label=_("列支范围：楼栋"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("楼栋和房屋都不选，则为整个物业管理区域。"),
    )
    scope_unit_codes = forms.CharField(
        label=_("列支范围：房屋编码"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如某个单元，逐一填写房屋编码，一行一个或用逗号分隔。"),
    )
    contractor = forms.CharField(label=_("拟选施工单位"), required=False, max_length=300)
    tolerance_pct = forms.IntegerField(
        label=_("业主同意的超支比例（%）"),
        required=False,
        initial=0,
        help_text=_(
            "写入表决议题：结算上限 = 预算 + 预算 × 该比例（不足一分舍去）。填 0 则预算即上限；"
            "超过上限须另行补充表决。"
        ),
    )
    items = forms.CharField(
        label=_("预算明细"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "拆除旧防水层 | 约600㎡ | 25000.00"}
        ),
        help_text=_("每行一项：项目 | 内容、数量 | 金额（元）。预算金额为各项之和。"),
    )

    def __init__(self, *args, buildings: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_buildings"].choices = [(b, b) for b in buildings]

    def clean_items(self):
        return parse_items(self.cleaned_data.get("items", ""))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "repair_type": data["repair_type"],
            "description": data["description"],
            "scope_buildings": data["scope_buildings"],
            "scope_unit_codes": split_codes(data["scope_unit_codes"]),
            "contractor": data["contractor"],
            "items": data["items"],
            "tolerance_pct": data.get("tolerance_pct") or 0,
        }


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=[
            (k, label)
            for k, label in ApplicationAttachment.Kind.choices
            if k in ApplicationAttachment.PROPOSAL_KINDS
        ],
    )
    title = forms.CharField(label=_("名称"), required=False, max_length=200)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPG 或 PNG，不超过 10 MB。"))


class VoteForm(forms.Form):
    opens_at = DistrictDateTimeField(label=_("表决开始时间"))
    closes_at = DistrictDateTimeField(label=_("表决截止时间"))
    include_topup = forms.BooleanField(
        label=_("同时表决续筹维修资金（分户账余额不足时）"),
        required=False,
        help_text=_(
            "续筹属《民法典》第二百七十八条第一款第（六）项，须参与表决面积和人数均四分之三以上同意。"
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReviewForm(forms.Form):
    DECISIONS = [("pass", _("审核通过")), ("return", _("退回补正")), ("refuse", _("不予批准"))]

    decision = forms.ChoiceField(label=_("审核结论"), choices=DECISIONS, widget=forms.RadioSelect)
    materials_complete = forms.BooleanField(label=_("申请材料齐全"), required=False)
    warranty_note = forms.CharField(
        label=_("保修期内仍由维修资金列支的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回补正或不予批准时必填。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in EXCLUSIONS:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        # The checklist first: it is what the reviewer looks at before deciding.
        order = [name for name, _label in EXCLUSIONS] + [
            "materials_complete",
            "warranty_note",
            "decision",
            "note",
        ]
        self.order_fields(order)

    def exclusions(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(name)) for name, _label in EXCLUSIONS}


class ApproveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结论"),
        choices=[("approve", _("批准")), ("refuse", _("不予批准"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不予批准时必填。"),
    )


class InstructForm(forms.Form):
    amount = YuanFormField(label=_("划款金额（元）"))
    payee_name = forms.CharField(label=_("收款人"), required=False, max_length=300)
    payee_bank = forms.CharField(label=_("收款行"), required=False, max_length=200)
    payee_account = forms.CharField(label=_("收款账号"), required=False, max_length=60)
    memo = forms.CharField(label=_("用途"), required=False, max_length=300)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class ConfirmPaymentForm(forms.Form):
    bank_reference = forms.CharField(label=_("银行流水号"), required=False, max_length=100)
    paid_on = forms.DateField(
        label=_("划款日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )


class DoneForm(forms.Form):
    done_on = forms.DateField(
        label=_("完工日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    note = forms.CharField(
        label=_("完工说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class AcceptForm(forms.Form):
    accepted_on = forms.DateField(
        label=_("验收日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    note = forms.CharField(
        label=_("验收意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    report = forms.FileField(
        label=_("验收报告"), required=False, help_text=_("PDF 或照片，不超过 10 MB。")
    )
    photos = MultipleFileField(
        label=_("现场照片"), required=False, help_text=_("可选多张，JPG 或 PNG。")
    )

    def acceptance_files(self) -> list[tuple[str, str, object]]:
        files = []
        if self.cleaned_data.get("report"):
            files.append(("acceptance_report", str(_("验收报告")), self.cleaned_data["report"]))
        for photo in self.cleaned_data.get("photos") or []:
            files.append(("acceptance_photo", "", photo))
        return files


class SettleForm(forms.Form):
    final_cost = YuanFormField(label=_("结算金额（元）"))
    over_budget_reason = forms.CharField(
        label=_("超出预算的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("结算金额超过批准金额时必填，将随公示公开。"),
    )
    settled_on = forms.DateField(
        label=_("结算日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    warranty_ends_on = forms.DateField(
        label=_("工程保修期届满日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("质保金留至该日之后才能释放；不填则按维修类别的法定保修期自结算日起算。"),
    )


class SupplementaryVoteForm(forms.Form):
    """A supplementary owners' vote on the excess above the settlement's ceiling (RULES §4)."""

    excess = YuanFormField(label=_("表决超出部分（元）"))
    reason = forms.CharField(label=_("超支原因"), widget=forms.Textarea(attrs={"rows": 3}))
    opens_at = DistrictDateTimeField(label=_("表决开始时间"))
    closes_at = DistrictDateTimeField(label=_("表决截止时间"))


class AuditReportForm(forms.Form):
    audit_report = forms.FileField(
        label=_("审价报告"), help_text=_("经审计的工程结算，PDF 或照片，不超过 10 MB。")
    )


# --------------------------------------------------------------------------- 分摊补缴 (RULES.md §4, §5)


class ShortfallPayForm(forms.Form):
    """An owner's shortfall payment as the bank shows it; the bank reference is the key (a
    second entry of the same reference changes nothing)."""

    amount = YuanFormField(label=_("到账金额（元）"))
    paid_on = forms.DateField(
        label=_("到账日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    bank_reference = forms.CharField(label=_("银行流水号"), max_length=100)


class ShortfallAdvanceForm(forms.Form):
    advanced_on = forms.DateField(
        label=_("垫付日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    bank_reference = forms.CharField(label=_("垫付银行流水号"), max_length=100)


class AdvanceAccountForm(forms.Form):
    kind = forms.ChoiceField(label=_("资金性质"), choices=AdvanceAccount.Kind.choices)
    name = forms.CharField(label=_("账户名称"), max_length=200)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100)
    account_no = forms.CharField(label=_("账号"), max_length=60)


# The approval-authority pages (``views.authority``): countersign, filing (备案).


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
