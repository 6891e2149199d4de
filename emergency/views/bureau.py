"""The bureau's decision pages: take under review, the checklist, approve, refuse, 代修.

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
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.guards import action_required
from core.money import yuan
from core.upload_drafts import UploadDraft
from funds.models import PaymentInstruction
from funds.procedure.forms import SupplementaryVoteForm

from .. import selectors, services
from ..forms import (
    ChecklistForm,
    CommissionForm,
    ConfirmPaymentForm,
    ExcessApproveForm,
    NoteForm,
    PaymentForm,
    ReasonForm,
    SettleForm,
)
from ..models import EmergencyApplication
from ._common import (
    ActionWords,
    action_page,
    action_view,
    any_action_required,
    form_page,
    place_refusal,
)

REVIEW = "application.review"
APPROVE = "application.approve"
COMMISSION = "emergency.commission"
SETTLE = "application.review"


class ConfirmForm(forms.Form):
    """No field: the button is the decision."""


# What each page here says, in the order it shows it (``ActionWords``): the title, what the
# decision sets going, the button (the confirmation), and the message once it is taken.
WORDS = {
    "review_start": ActionWords(
        _("受理审核"),
        _("受理后由另一名审批人审批；受理人不能审批本申请。"),
        _("确认受理"),
        _("已受理审核。"),
    ),
    "approve": ActionWords(
        _("审批：批准紧急维修"),
        _("批准后开始计算开工时限；申请了预拨资金的，同时开始计算拨付时限。"),
        _("确认批准"),
        _("已批准。"),
    ),
    "refuse": ActionWords(
        _("不予批准"),
        _("不予批准后申请结束；申请人可以补正后重新申请，或改走一般使用程序。"),
        _("确认不予批准"),
        _("已作出不予批准决定。"),
    ),
    "commission": ActionWords(
        _("代修（住建局组织维修）"),
        _(
            "《住宅专项维修资金管理办法》第二十四条：未按规定实施维修的，"
            "由住建局组织代修，费用从相关业主的分户账中列支。"
        ),
        _("确认代修"),
        _("已决定代修。"),
    ),
    "payment_instruct": ActionWords(
        _("下达划款指令"),
        _(
            "施工前只能预拨申请时提出的预拨金额；其余款项在结算后拨付。"
            "指令导出给托管银行，银行划款后由审核员登记确认。"
        ),
        _("确认下达"),
        _("已发出划款指令，待银行确认。"),
    ),
    "payment_confirm": ActionWords(
        _("登记银行划款：%(amount)s 元"),
        _("按银行回单登记流水号和划款日期；登记后记入维修资金账。"),
        _("确认银行已划款"),
        _("已登记银行划款。"),
    ),
    "excess_approve": ActionWords(
        _("审批：超过预算结算"),
        _(
            "结算金额超过批准的预算，须由审批人（不是审核员）同意按该金额结算；"
            "超过两名审批人门槛的须两名审批人同意。不能超过事项的费用上限，"
            "超过上限的须经列支范围内业主补充表决。"
        ),
        _("同意按该金额结算"),
        _("已同意按该金额结算。"),
    ),
    "supplementary": ActionWords(
        _("超上限补充表决"),
        _(
            "结算金额超过事项的费用上限时，只有列支范围内的业主在补充表决中同意超出部分，"
            "才能按更高的金额结算（《住宅专项维修资金管理办法》第二十四条：超出部分改走一般程序）。"
            "确认后生成同一列支范围的业主大会会议草稿，请到“业主大会”发布公告、表决、计票。"
        ),
        _("生成补充表决会议草稿"),
        _("已生成补充表决的业主大会会议草稿，请在“业主大会”中发布公告。"),
    ),
    "publish": ActionWords(
        _("发布紧急维修公示"),
        _("生成带电子签章的公示文件（含各户分摊金额），公示期不少于 5 日，发布后不能撤回。"),
        _("签发公示"),
        _("已发布公示。"),
    ),
}


@action_required(REVIEW)
@action_view(ConfirmForm, WORDS["review_start"], summary=True)
def review_start(application, actor, data):
    services.application_review_start(application=application, actor=actor)


@action_required(REVIEW)
@require_http_methods(["GET", "POST"])
def checklist(request, pk: int):
    """The reviewer's checklist (RULES.md §5 last paragraph): art. 25 exclusions, the art. 18
    warranty of each building (a missing completion date reads "未知"), and the 追偿."""
    application = selectors.application_get(request.user, pk)
    initial = {
        "repair_type": application.repair_type,
        "exclusion_note": application.exclusion_note,
        "warranty_note": application.warranty_note,
        "recovery_amount": application.estimate_fen,
        **{name: getattr(application, name) for name in ChecklistForm().exclusions_names()},
    }
    form = ChecklistForm(request.POST if request.method == "POST" else None, initial=initial)
    return form_page(
        request,
        "emergency/checklist.html",
        {
            "application": application,
            "warranty_rows": selectors.warranty_rows(application),
            "claims": list(application.recovery_claims.all()),
        },
        form=form,
        perform=lambda data: services.application_checklist_record(
            application=application,
            actor=request.user,
            repair_type=data["repair_type"],
            exclusions=form.exclusions(),
            exclusion_note=data.get("exclusion_note", ""),
            warranty_note=data.get("warranty_note", ""),
            recovery=form.recovery(application.estimate_fen),
        ),
        done=_("已保存核查清单。"),
        then=reverse("emergency:detail", kwargs={"pk": application.pk}),
    )


@action_required(APPROVE)
@action_view(NoteForm, WORDS["approve"], summary=True)
def approve(application, actor, data):
    services.application_approve(application=application, actor=actor, note=data.get("note", ""))


@any_action_required(REVIEW, APPROVE)
@action_view(ReasonForm, WORDS["refuse"], summary=True, danger=True)
def refuse(application, actor, data):
    services.application_refuse(application=application, actor=actor, reason=data["reason"])


@action_required(COMMISSION)
@action_view(CommissionForm, WORDS["commission"], summary=True, danger=True)
def commission(application, actor, data):
    services.commission_create(
        application=application,
        actor=actor,
        contractor=data["contractor"],
        contractor_contact=data.get("contractor_contact", ""),
        estimate_fen=data["estimate"],
        reason=data["reason"],
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
        initial["amount"] = application.prepayment_fen
    form = PaymentForm(request.POST if request.method == "POST" else None, initial=initial)
    return action_page(
        request,
        application,
        form,
        WORDS["payment_instruct"],
        lambda data: services.application_payment_instruct(
            application=application,
            actor=request.user,
            amount_fen=data["amount"],
            payee_name=data["payee_name"],
            payee_bank=data["payee_bank"],
            payee_account=data["payee_account"],
            key=data["key"],
        ),
        aliases={"amount_fen": "amount"},
        summary=True,
    )


@action_required(CONFIRM)
@require_http_methods(["GET", "POST"])
def payment_confirm(request, pk: int, instruction_pk: int):
    application = selectors.application_get(request.user, pk)
    instruction = get_object_or_404(
        PaymentInstruction, pk=instruction_pk, fund_use_id=application.fund_use_id or 0
    )
    form = ConfirmPaymentForm(request.POST if request.method == "POST" else None)
    words = WORDS["payment_confirm"]
    title = words.title % {"amount": yuan(instruction.amount_fen)}
    return action_page(
        request,
        application,
        form,
        words._replace(title=title),
        lambda data: services.application_payment_confirm(
            application=application,
            instruction=instruction,
            actor=request.user,
            bank_reference=data["bank_reference"],
            paid_on=data["paid_on"],
        ),
        summary=True,
    )


@action_required("assembly.call")
@action_view(SupplementaryVoteForm, WORDS["supplementary"], summary=True)
def supplementary(application, actor, data):
    services.application_supplementary_vote_create(
        application=application,
        excess_fen=data["excess"],
        reason=data["reason"],
        opens_at=data["opens_at"],
        closes_at=data["closes_at"],
        actor=actor,
    )


@action_required(APPROVE)
@action_view(ExcessApproveForm, WORDS["excess_approve"], summary=True)
def excess_approve(application, actor, data):
    services.application_excess_approve(
        application=application,
        cost_fen=data["final_cost"],
        actor=actor,
        note=data.get("note", ""),
    )


@action_required(SETTLE)
@require_http_methods(["GET", "POST"])
def settle(request, pk: int):
    """Final cost → preview of every unit's share (shortfalls shown) → 确认结算."""
    application = selectors.application_get(request.user, pk)
    # The settlement papers chosen with the preview are still there at the confirmation.
    uploads = UploadDraft(
        request, form=f"emergency.settle:{application.pk}", fields=["files", "audit_report"]
    )
    form = SettleForm(
        request.POST if request.method == "POST" else None,
        uploads.files() if request.method == "POST" else None,
    )
    context = {"application": application, "form": form, "uploads": uploads}
    status = 400 if request.method == "POST" and form.errors else 200
    if request.method == "POST" and form.is_valid():
        cost = form.cleaned_data["final_cost"]
        try:
            if request.POST.get("step") == "confirm":
                services.application_settle(
                    application=application,
                    actor=request.user,
                    final_cost_fen=cost,
                    settled_on=form.cleaned_data["settled_on"],
                    evidence=form.cleaned_data["files"],
                    over_budget_reason=form.cleaned_data.get("over_budget_reason", ""),
                    audit_report=form.cleaned_data.get("audit_report"),
                    warranty_ends_on=form.cleaned_data.get("warranty_ends_on"),
                )
                uploads.attached()
                messages.success(request, _("已结算并分摊到各户分户账。"))
                return redirect("emergency:detail", pk=application.pk)
            context["preview"] = services.apportionment_preview(application, cost)
        except DomainError as exc:
            status = place_refusal(form, exc, aliases={"final_cost_fen": "final_cost"})
    return render(request, "emergency/settle.html", context, status=status)


@action_required(ISSUE)
@action_view(ConfirmForm, WORDS["publish"], summary=True)
def publish(application, actor, data):
    services.application_publish(application=application, actor=actor)
