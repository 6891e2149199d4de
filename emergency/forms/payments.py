"""Forms of the money steps: payment instructions, settlement, consent above the estimate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import YuanFormField

from ..models import EvidenceKind
from .inputs import (
    DATE_INPUT,
    MultipleFileField,
)


class PaymentForm(forms.Form):
    amount = YuanFormField(allow_zero=True, label=_("金额（元）"))
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
    final_cost = YuanFormField(allow_zero=True, label=_("结算金额（元）"))
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

    final_cost = YuanFormField(
        allow_zero=True,
        label=_("同意的结算金额（元）"),
        help_text=_("超过申请时的预算、不超过事项费用上限（或业主补充表决同意后的上限）。"),
    )
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
