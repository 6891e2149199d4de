"""Forms of the area's plan, the whitelist and the problem ledger."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import YuanFormField

from ..models import FILING_EVIDENCE, EvidenceKind, Facility, WhitelistItem
from .inputs import (
    DATE_INPUT,
)


class PlanForm(forms.Form):
    contacts = forms.CharField(
        label=_("应急联系人"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一人：姓名、职务、24 小时电话。"),
    )
    contractors = forms.CharField(
        label=_("待命维修单位"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一家：单位名称、专业（电梯、防水、管道……）、联系电话。"),
    )
    steps = forms.CharField(
        label=_("处置步骤"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一步，如：1. 设置警戒、疏散；2. 关闭阀门或断电；3. 通知维修单位……"),
    )


class WhitelistItemForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=16, help_text=_("如 E10，大写字母开头。"))
    name = forms.CharField(label=_("事项名称"), max_length=100)
    description = forms.CharField(
        label=_("适用情形"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    facility = forms.ChoiceField(label=_("设施类别"), choices=Facility.choices)
    evidence = forms.MultipleChoiceField(
        label=_("必须提交的材料"),
        choices=[(kind.value, kind.label) for kind in FILING_EVIDENCE],
        widget=forms.CheckboxSelectMultiple,
    )
    cap = YuanFormField(allow_zero=True, label=_("费用上限（元）"))
    review_days = forms.IntegerField(label=_("住建局审核时限（工作日）"), min_value=1, initial=2)
    payment_days = forms.IntegerField(label=_("拨付时限（工作日）"), min_value=1, initial=2)
    start_hours = forms.IntegerField(label=_("开工时限（小时）"), min_value=1, initial=24)
    note = forms.CharField(
        label=_("修订说明"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("为什么修订（发布后记入新版本，所有人可见）。"),
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def initial_for(cls, item: WhitelistItem | None, based_on: int) -> dict:
        if item is None:
            return {"based_on": based_on, "evidence": [EvidenceKind.PHOTO, EvidenceKind.BUDGET]}
        return {
            "code": item.code,
            "name": item.name,
            "description": item.description,
            "facility": item.facility,
            "evidence": list(item.evidence),
            "cap": item.cap_fen,
            "review_days": item.review_days,
            "payment_days": item.payment_days,
            "start_hours": item.start_hours,
            "based_on": based_on,
        }

    def item_spec(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name": data["name"],
            "description": data["description"],
            "facility": data["facility"],
            "evidence": list(data["evidence"]),
            "cap_fen": data["cap"],
            "review_days": data["review_days"],
            "payment_days": data["payment_days"],
            "start_hours": data["start_hours"],
        }


class RemoveItemForm(forms.Form):
    note = forms.CharField(
        label=_("修订说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ProblemForm(forms.Form):
    """The annex-2 fields (序号 is the row number of the export)."""

    project_name = forms.CharField(label=_("项目名称"), max_length=200)
    community = forms.ModelChoiceField(label=_("所在街道社区"), queryset=None)
    area = forms.ModelChoiceField(
        label=_("物业管理区域"),
        queryset=None,
        required=False,
        help_text=_("问题属于某个小区时选择，紧急维修申请可以关联它。"),
    )
    company = forms.CharField(
        label=_("物业服务企业"),
        max_length=200,
        required=False,
        help_text=_("留空且选了物业管理区域时，自动填该区域的物业服务企业。"),
    )
    category = forms.CharField(
        label=_("问题类别"),
        max_length=50,
        widget=forms.TextInput(attrs={"list": "problem-categories"}),
    )
    content = forms.CharField(
        label=_("问题内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        label=_("整改措施及进展"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    responsible = forms.CharField(label=_("责任单位/人"), max_length=200, required=False)
    deadline = forms.DateField(label=_("整改完成时限"), required=False, widget=DATE_INPUT)
    closed = forms.BooleanField(label=_("是否销号"), required=False)
    remarks = forms.CharField(
        label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    CATEGORIES = ("安全隐患", "设施设备", "维修资金", "物业服务", "环境卫生", "消防安全", "其他")

    def __init__(self, *args, communities, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["area"].queryset = areas

    @classmethod
    def initial_for(cls, problem) -> dict:
        return {
            "project_name": problem.project_name,
            "community": problem.community_id,
            "area": problem.area_id,
            "company": problem.company,
            "category": problem.category,
            "content": problem.content,
            "measures": problem.measures,
            "responsible": problem.responsible,
            "deadline": problem.deadline,
            "closed": problem.closed,
            "remarks": problem.remarks,
        }


class ProblemFilterForm(forms.Form):
    street = forms.ChoiceField(label=_("街道"), required=False)
    closed = forms.ChoiceField(
        label=_("是否销号"),
        required=False,
        choices=[("", _("全部")), ("no", _("未销号")), ("yes", _("已销号"))],
    )

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [("", _("全部"))] + [(s.code, s.name) for s in streets]
