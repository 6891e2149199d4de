"""Forms of the public-revenue pages: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core import money
from voting import counting
from voting.models import Assembly, Motion

from . import ledger
from .models import COST_CATEGORIES, INCOME_CATEGORIES, Allocation, Category, Direction
from .quarters import FIRST_YEAR, Quarter

QUARTER_CHOICES = [
    (1, _("第一季度")),
    (2, _("第二季度")),
    (3, _("第三季度")),
    (4, _("第四季度")),
]
CONFIRM_ENTRY = _("我已核对以上内容。登记后不能修改或删除，只能冲正。")


class PeriodForm(forms.Form):
    """The ledger's filter: a year, and a quarter of it or the whole year."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("全年")), *QUARTER_CHOICES],
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]


class QuarterForm(forms.Form):
    """A finished quarter to allocate or publish (the service checks it is finished)."""

    year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR, max_value=9998)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=QUARTER_CHOICES)

    def period(self) -> Quarter:
        return Quarter(self.cleaned_data["year"], self.cleaned_data["quarter"])


class EntryForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("收支"), choices=Direction.choices, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(
        label=_("类别"),
        choices=[
            (_("收入"), [(code, Category(code).label) for code in INCOME_CATEGORIES]),
            (_("成本支出"), [(code, Category(code).label) for code in COST_CATEGORIES]),
        ],
        help_text=_(
            "收入类别：停车、广告、场地租赁、其他收入；成本类别：管理成本、维修、其他支出。"
        ),
    )
    amount = forms.CharField(
        label=_("金额（元）"),
        max_length=20,
        help_text=_("以元为单位，最多两位小数，如 1280.50。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    counterparty = forms.CharField(
        label=_("对方单位或个人"),
        max_length=200,
        help_text=_(
            "公示时会公开。个人请写姓氏加“先生/女士”或汇总说明（如“临时停车车主”），"
            "不要填写身份证号或手机号。"
        ),
    )
    memo = forms.CharField(
        label=_("摘要"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    voucher = forms.FileField(
        label=_("凭证（可选）"),
        required=False,
        help_text=_("发票、收据、合同或转账记录：PDF、JPG 或 PNG，不超过 10 MB。"),
    )
    confirm = forms.BooleanField(label=CONFIRM_ENTRY)

    def clean_amount(self) -> int:
        try:
            amount = money.parse_yuan(self.cleaned_data["amount"])
        except ValueError:
            amount = None
        if amount is None or amount > ledger.MAX_FEN:
            raise forms.ValidationError(
                _("请填写大于零的金额，以元为单位，最多两位小数（不超过 %(max)s 元）。")
                % {"max": money.yuan(ledger.MAX_FEN)}
            )
        return amount


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("冲正原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


def decision_motions(area):
    """Motions that may carry the decision: approved, final, whole-area, not elections."""
    candidates = (
        Motion.objects.filter(
            assembly__area=area,
            assembly__status=Assembly.Status.FINAL,
            assembly__scope_buildings=[],
            assembly__scope_unit_codes=[],
        )
        .exclude(kind=counting.ELECTION)
        .select_related("assembly")
        .order_by("-assembly__closes_at", "position")
    )
    return [
        motion
        for motion in candidates
        if (motion.assembly.result or {}).get(motion.code, {}).get("outcome") == counting.APPROVED
    ]


class AllocationForm(forms.Form):
    method = forms.ChoiceField(
        label=_("分配方式"), choices=Allocation.Method.choices, widget=forms.RadioSelect
    )
    motion = forms.TypedChoiceField(
        label=_("业主大会表决议题"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("只列出本区域全体业主表决通过、结果已确定的议题。"),
    )
    decision_text = forms.CharField(
        label=_("决定内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "其他用途须写明；在平台外作出的决定（如纸质表决、管理规约的约定）须写明决定名称、日期和条款。"
        ),
    )
    decision_file = forms.FileField(
        label=_("业主决定的书面记录"),
        required=False,
        help_text=_(
            "在平台外作出的决定（如纸质表决）：上传表决记录或会议纪要，PDF、JPG 或 PNG，不超过 10 MB。"
        ),
    )
    decision_result = forms.CharField(
        label=_("表决结果"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("上传书面记录时必填：参与表决和同意的人数、专有部分面积。"),
    )
    reason = forms.CharField(
        label=_("更正原因"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("本季度已登记过分配决定时必填；新决定将取代原决定，原决定仍保留可查。"),
    )
    confirm = forms.BooleanField(label=_("我已核对以上内容。登记后不能修改或删除。"))

    def __init__(self, *args, motions: list[Motion], **kwargs):
        super().__init__(*args, **kwargs)
        self.motions = {motion.pk: motion for motion in motions}
        self.fields["motion"].choices = [("", _("（不选择）"))] + [
            (motion.pk, f"{motion.assembly.title} · {motion.code} {motion.title}")
            for motion in motions
        ]

    def chosen_motion(self) -> Motion | None:
        pk = self.cleaned_data.get("motion")
        return self.motions.get(pk) if pk is not None else None


class PublishForm(forms.Form):
    reason = forms.CharField(
        label=_("更正原因"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("本季度已公示过时必填：新公示将取代原公示，原公示仍公开可查。"),
    )
    confirm = forms.BooleanField(
        label=_("我已核对公示内容。公示签章发布后不能撤回，只能以新公示更正。")
    )
