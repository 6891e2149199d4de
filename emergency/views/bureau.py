"""The bureau's decision pages: take under review, approve, refuse, commission (代修).

Each decision has its own page reached from the application: it shows what
is decided and its button is the confirmation step (STYLE: a confirmation
before anything irreversible). The services check role, scope, state and
maker ≠ checker; the pages only show their refusals.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.mixins import action_required
from funds.models import PaymentInstruction
from gongzhi.errors import DomainError

from .. import selectors, services
from ..forms import (
    CommissionForm,
    ConfirmPaymentForm,
    NoteForm,
    PaymentForm,
    ReasonForm,
    SettleForm,
    fen,
    yuan_value,
)
from ..models import EmergencyApplication
from ..services._common import yuan
from ._common import any_action_required, place_error

REVIEW = "application.review"
APPROVE = "application.approve"
COMMISSION = "emergency.commission"
SETTLE = "application.review"


class ConfirmForm(forms.Form):
    """No field: the button is the decision."""


def _decision_page(
    request, pk: int, *, form_class, title, button, help_text, perform, done, danger=False
):
    application = selectors.application_get(request.user, pk)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            perform(application, form.cleaned_data)
        except DomainError as exc:
            place_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("emergency:detail", pk=application.pk)
    return render(
        request,
        "emergency/action.html",
        {
            "application": application,
            "form": form,
            "title": title,
            "button": button,
            "help_text": help_text,
            "danger": danger,
            "show_summary": True,
        },
        status=400 if request.method == "POST" else 200,
    )


@action_required(REVIEW)
@require_http_methods(["GET", "POST"])
def review_start(request, pk: int):
    return _decision_page(
        request,
        pk,
        form_class=ConfirmForm,
        title=_("受理审核"),
        button=_("确认受理"),
        help_text=_("受理后由另一名审批人审批；受理人不能审批本申请。"),
        perform=lambda app, data: services.application_review_start(
            application=app, actor=request.user
        ),
        done=_("已受理审核。"),
    )


@action_required(APPROVE)
@require_http_methods(["GET", "POST"])
def approve(request, pk: int):
    return _decision_page(
        request,
        pk,
        form_class=NoteForm,
        title=_("审批：批准紧急维修"),
        button=_("确认批准"),
        help_text=_("批准后开始计算开工时限；申请了预拨资金的，同时开始计算拨付时限。"),
        perform=lambda app, data: services.application_approve(
            application=app, actor=request.user, note=data.get("note", "")
        ),
        done=_("已批准。"),
    )


@any_action_required(REVIEW, APPROVE)
@require_http_methods(["GET", "POST"])
def refuse(request, pk: int):
    return _decision_page(
        request,
        pk,
        form_class=ReasonForm,
        title=_("不予批准"),
        button=_("确认不予批准"),
        help_text=_("不予批准后申请结束；申请人可以补正后重新申请，或改走一般使用程序。"),
        perform=lambda app, data: services.application_refuse(
            application=app, actor=request.user, reason=data["reason"]
        ),
        done=_("已作出不予批准决定。"),
        danger=True,
    )


@action_required(COMMISSION)
@require_http_methods(["GET", "POST"])
def commission(request, pk: int):
    return _decision_page(
        request,
        pk,
        form_class=CommissionForm,
        title=_("代修（住建局组织维修）"),
        button=_("确认代修"),
        help_text=_(
            "《住宅专项维修资金管理办法》第二十四条：未按规定实施维修的，"
            "由住建局组织代修，费用从相关业主的分户账中列支。"
        ),
        perform=lambda app, data: services.commission_create(
            application=app,
            actor=request.user,
            contractor=data["contractor"],
            contractor_contact=data.get("contractor_contact", ""),
            estimate_fen=fen(data["estimate"]),
            reason=data["reason"],
        ),
        done=_("已决定代修。"),
        danger=True,
    )


# --------------------------------------------------------------------------- the money

CONFIRM = "payment.confirm"
ISSUE = "publication.issue"


@action_required(APPROVE)
@require_http_methods(["GET", "POST"])
def payment_instruct(request, pk: int):
    """A payment instruction to the custody bank (prepayment, or the balance after settlement)."""
    application = selectors.application_get(request.user, pk)
    initial = {"key": secrets.token_hex(16)}
    if application.status in EmergencyApplication.WORKS_PENDING:
        initial["amount"] = yuan_value(application.prepayment_fen)
    form = PaymentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_payment_instruct(
                application=application,
                actor=request.user,
                amount_fen=fen(data["amount"]),
                payee_name=data["payee_name"],
                payee_bank=data["payee_bank"],
                payee_account=data["payee_account"],
                key=data["key"],
            )
        except DomainError as exc:
            place_error(form, exc, aliases={"amount_fen": "amount"})
        else:
            messages.success(request, _("已发出划款指令，待银行确认。"))
            return redirect("emergency:detail", pk=application.pk)
    return render(
        request,
        "emergency/action.html",
        {
            "application": application,
            "form": form,
            "title": _("下达划款指令"),
            "button": _("确认下达"),
            "help_text": _(
                "施工前只能预拨申请时提出的预拨金额；其余款项在结算后拨付。"
                "指令导出给托管银行，银行划款后由审核员登记确认。"
            ),
            "show_summary": True,
        },
        status=400 if request.method == "POST" else 200,
    )


@action_required(CONFIRM)
@require_http_methods(["GET", "POST"])
def payment_confirm(request, pk: int, instruction_pk: int):
    application = selectors.application_get(request.user, pk)
    instruction = get_object_or_404(
        PaymentInstruction, pk=instruction_pk, fund_use_id=application.fund_use_id or 0
    )
    return _decision_page(
        request,
        pk,
        form_class=ConfirmPaymentForm,
        title=_("登记银行划款：%(amount)s 元") % {"amount": yuan(instruction.amount_fen)},
        button=_("确认银行已划款"),
        help_text=_("按银行回单登记流水号和划款日期；登记后记入维修资金账。"),
        perform=lambda app, data: services.application_payment_confirm(
            application=app,
            instruction=instruction,
            actor=request.user,
            bank_reference=data["bank_reference"],
            paid_on=data["paid_on"],
        ),
        done=_("已登记银行划款。"),
    )


@action_required(SETTLE)
@require_http_methods(["GET", "POST"])
def settle(request, pk: int):
    """Final cost → preview of every unit's share (shortfalls shown) → 确认结算."""
    application = selectors.application_get(request.user, pk)
    form = SettleForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    context = {"application": application, "form": form}
    if request.method == "POST" and form.is_valid():
        cost = fen(form.cleaned_data["final_cost"])
        try:
            if request.POST.get("step") == "confirm":
                services.application_settle(
                    application=application,
                    actor=request.user,
                    final_cost_fen=cost,
                    settled_on=form.cleaned_data["settled_on"],
                    evidence=form.cleaned_data["files"],
                    over_budget_reason=form.cleaned_data.get("over_budget_reason", ""),
                )
                messages.success(request, _("已结算并分摊到各户分户账。"))
                return redirect("emergency:detail", pk=application.pk)
            context["preview"] = services.apportionment_preview(application, cost)
        except DomainError as exc:
            place_error(form, exc, aliases={"final_cost_fen": "final_cost"})
    return render(
        request,
        "emergency/settle.html",
        context,
        status=400 if request.method == "POST" and form.errors else 200,
    )


@action_required(ISSUE)
@require_http_methods(["GET", "POST"])
def publish(request, pk: int):
    return _decision_page(
        request,
        pk,
        form_class=ConfirmForm,
        title=_("发布紧急维修公示"),
        button=_("签发公示"),
        help_text=_(
            "生成带电子签章的公示文件（含各户分摊金额），公示期不少于 5 日，发布后不能撤回。"
        ),
        perform=lambda app, data: services.application_publish(application=app, actor=request.user),
        done=_("已发布公示。"),
    )
