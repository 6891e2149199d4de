"""Forms of the emergency pages. They parse input only (yuan → fen, lists, files); the
rules live in ``emergency.services``, whose ``DomainError`` the views show as form errors."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from funds.models import RepairType
from funds.procedure.models.applications import EXCLUSIONS

from .models import FILING_EVIDENCE, EvidenceKind, Facility, RecoveryClaim, WhitelistItem

NOT_LISTED = "__other__"
SPLIT_RE = re.compile(r"[,，、;；\s]+")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def yuan_value(fen_amount: int) -> Decimal:
    """Fen → a yuan Decimal with two places, for a form's initial value (400000 → 4000.00)."""
    return Decimal(fen_amount).scaleb(-2)


def fen(value: Decimal | None) -> int:
    """Yuan typed with at most two decimals → integer fen (exact: Decimal, never float)."""
    return 0 if value is None else int(value * 100)


def split_list(text: str) -> list[str]:
    return [part for part in SPLIT_RE.split(text or "") if part]


class YuanField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault(
            "widget", forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})
        )
        super().__init__(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def evidence_field_name(kind: str) -> str:
    return f"evidence_{kind}"


class ApplicationForm(forms.Form):
    """The phone page of a filing: item, description, estimate, scope, evidence by kind."""

    item = forms.ChoiceField(label=_("紧急维修事项"))
    description = forms.CharField(
        label=_("情况说明"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("发生了什么、在哪里、影响哪些住户、已采取的应急措施。"),
    )
    estimate = YuanField(label=_("预算金额（元）"), help_text=_("按维修方案及预算填写，精确到分。"))
    prepayment = YuanField(
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
                _("以下事项必须提交：%(codes)s") % {"codes": "、".join(required_by)}
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
            "estimate_fen": fen(data["estimate"]),
            "prepayment_fen": fen(data.get("prepayment")),
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
    recovery_amount = YuanField(label=_("追偿金额（元）"), required=False)

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
        from .services import ClaimInput

        data = self.cleaned_data
        if not data.get("recovery_against"):
            return None
        amount = data.get("recovery_amount")
        return ClaimInput(
            against=data["recovery_against"],
            party_name=data.get("recovery_party", ""),
            amount_fen=default_amount_fen if amount is None else fen(amount),
        )


class RecoveryClaimForm(forms.Form):
    """A new claim on its own (e.g. a second party, or one found after the review)."""

    against = forms.ChoiceField(label=_("追偿对象"), choices=RecoveryClaim.Against.choices)
    party_name = forms.CharField(label=_("单位名称"), max_length=200)
    amount = YuanField(label=_("追偿金额（元）"))
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
    amount = YuanField(label=_("金额（元）"), required=False)


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
    estimate = YuanField(label=_("代修预算（元）"))
    reason = forms.CharField(
        label=_("代修原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：批准后超过开工时限仍未开工，经督促仍未组织维修。"),
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
    cap = YuanField(label=_("费用上限（元）"))
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
            "cap": yuan_value(item.cap_fen),
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
            "cap_fen": fen(data["cap"]),
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


class PaymentForm(forms.Form):
    amount = YuanField(label=_("金额（元）"))
    payee_name = forms.CharField(label=_("收款人（施工单位）"), max_length=200)
    payee_bank = forms.CharField(label=_("收款行"), max_length=100)
    payee_account = forms.CharField(
        label=_("收款账号"), max_length=40, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    # Idempotency: a double submit of this page is one instruction (DESIGN.md).
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)


class ConfirmPaymentForm(forms.Form):
    bank_reference = forms.CharField(label=_("银行流水号"), max_length=60)
    paid_on = forms.DateField(
        label=_("银行划款日期"), widget=DATE_INPUT, help_text=_("以银行回单的日期为准。")
    )


class SettleForm(forms.Form):
    final_cost = YuanField(label=_("结算金额（元）"))
    settled_on = forms.DateField(label=_("结算日期"), widget=DATE_INPUT)
    over_budget_reason = forms.CharField(
        label=_("超出预算的理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("结算金额超过申请时的预算才需填写（不能超过事项的费用上限）。"),
    )
    files = MultipleFileField(
        label=EvidenceKind.SETTLEMENT.label, help_text=_("PDF、JPG 或 PNG，每个文件不超过 10 MB。")
    )
    audit_report = forms.FileField(
        label=_("审价报告"),
        required=False,
        help_text=_("结算金额超过审价门槛（默认 200,000.00 元）时必须上传。"),
    )
    warranty_ends_on = forms.DateField(
        label=_("工程保修期届满日"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("质保金留至该日之后才能支付；不填则自结算日起 2 年。"),
    )


class ExcessApproveForm(forms.Form):
    """The approver's consent to settle above the approved estimate (RULES.md §5)."""

    final_cost = YuanField(
        label=_("同意的结算金额（元）"),
        help_text=_("超过申请时的预算、不超过事项费用上限（或业主补充表决同意后的上限）。"),
    )
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
