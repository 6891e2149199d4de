"""The bureau's pages: review queue with the checklist, approval queue (TOTP), payment
instruction and bank file, bank confirmation (RULES.md §4); settlement and publication
are in ``closing``.

Every decision goes through a confirmation page first (``confirm_or_act``).
Approvers and admins reach their pages only after TOTP
(``core.guards.action_required`` sends them to the code page).
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from core.errors import DomainError
from core.money import yuan
from funds.models import FundApplication, PaymentInstruction
from funds.procedure import services
from funds.procedure.forms import (
    ApproveForm,
    ConfirmPaymentForm,
    InstructForm,
    ReviewForm,
)
from funds.procedure.models.applications import EXCLUSIONS
from funds.procedure.selectors import applications as reads
from funds.procedure.services.application_review import approvals_needed, warranty_checks
from funds.procedure.services.authority import COMMITTEE_ACTION
from funds.procedure.views.authority import split_context, step_required, step_scoped
from funds.procedure.views.pages import confirm_or_act, detail_redirect, refusal

REVIEW, APPROVE, CONFIRM, PUBLISH = (
    "application.review",
    "application.approve",
    "payment.confirm",
    "publication.issue",
)


def scoped(request, pk: int, action: str) -> FundApplication:
    # The bureau's role for the step, or a committee seat (Order 165 art. 23): the
    # service decides by the area's custody regime (views.authority).
    return step_scoped(request, pk, action)


# --------------------------------------------------------------------------- queues


@step_required(REVIEW)
def review_queue(request):
    return render(
        request,
        "funds/applications/queue.html",
        {
            "heading": _("待审核的维修资金申请"),
            "rows": reads.review_queue(request.user),
            "link": "funds:application_review",
            "empty": _("没有待审核的申请。"),
        },
    )


@step_required(APPROVE)
def approval_queue(request):
    return render(
        request,
        "funds/applications/queue.html",
        {
            "heading": _("待审批的维修资金申请"),
            "rows": reads.approval_queue(request.user),
            "link": "funds:application_approve",
            "empty": _("没有待您审批的申请（您审核或提出的申请须由其他人审批）。"),
        },
    )


# --------------------------------------------------------------------------- review


@step_required(REVIEW)
@require_http_methods(["GET", "POST"])
def application_review(request, pk: int):
    application = scoped(request, pk, REVIEW)
    form = ReviewForm(request.POST or None)
    checks = warranty_checks(application)

    def act():
        data = form.cleaned_data
        services.application_review(
            application=application,
            actor=request.user,
            decision=data["decision"],
            exclusions=form.exclusions(),
            materials_complete=data["materials_complete"],
            warranty_note=data["warranty_note"],
            note=data["note"],
        )
        messages.success(request, _("已登记审核结论。"))
        return redirect("funds:review_queue")

    def summary():
        data = form.cleaned_data
        ticked = [str(label) for name, label in EXCLUSIONS if data.get(name)]
        return [
            (_("审核结论"), dict(ReviewForm.DECISIONS)[data["decision"]]),
            (_("不得列支情形"), "；".join(ticked) or _("无")),
            (_("材料齐全"), _("是") if data["materials_complete"] else _("否")),
            (_("保修期说明"), data["warranty_note"] or "—"),
            (_("审核意见"), data["note"] or "—"),
        ]

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/review.html",
        context={
            "application": application,
            "checks": checks,
            "flagged": any(c.flagged for c in checks),
            "items": list(application.items.all()),
            "files": list(application.attachments.all()),
            "approvals_needed": approvals_needed(application.budget_fen),
            "heading": _("审核"),
        },
        summary=summary,
    )


# --------------------------------------------------------------------------- approval


@step_required(APPROVE)
@require_http_methods(["GET", "POST"])
def application_approve(request, pk: int):
    application = scoped(request, pk, APPROVE)
    form = ApproveForm(request.POST or None)

    def act():
        data = form.cleaned_data
        if data["decision"] == "approve":
            done = services.application_approve(
                application=application, actor=request.user, note=data["note"]
            )
            if done.status == FundApplication.Status.APPROVED:
                messages.success(request, _("已批准。可以向专户银行发出划款指令。"))
            else:
                messages.success(request, _("已审批，还需另一名审批人审批。"))
        else:
            services.application_refuse(
                application=application, actor=request.user, reason=data["note"]
            )
            messages.success(request, _("已作出不予批准决定。"))
        return redirect("funds:approval_queue")

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/approve.html",
        context={
            "application": application,
            "approvals": list(application.approvals.select_related("approver")),
            "heading": _("审批"),
            **split_context(application),
        },
        summary=lambda: [
            (
                _("审批结论"),
                dict(ApproveForm.base_fields["decision"].choices)[form.cleaned_data["decision"]],
            ),
            (_("预算金额"), _("%(y)s 元") % {"y": yuan(application.budget_fen)}),
            (_("审批意见"), form.cleaned_data["note"] or "—"),
        ],
    )


# --------------------------------------------------------------------------- payment


@step_required(APPROVE)
@require_http_methods(["GET", "POST"])
def application_pay(request, pk: int):
    """A payment instruction; its key is fixed when the form is first shown, so a double
    submit is the same instruction (DESIGN.md "Idempotency")."""
    application = scoped(request, pk, APPROVE)
    fund_use = application.fund_use
    if fund_use is None:
        raise Http404
    summary_row = reads.fund_use_summary(fund_use)
    initial = {
        "key": f"A{application.pk}-{secrets.token_hex(6).upper()}",
        "payee_name": application.contractor,
        "memo": application.title,
    }
    form = InstructForm(request.POST or None, initial=initial)

    def act():
        data = form.cleaned_data
        services.payment_instruct(
            fund_use=fund_use,
            amount_fen=data["amount"],
            payee_name=data["payee_name"],
            payee_bank=data["payee_bank"],
            payee_account=data["payee_account"],
            memo=data["memo"],
            key=data["key"],
            actor=request.user,
        )
        messages.success(request, _("划款指令已发出，请在“待银行确认”中导出划款文件。"))
        return detail_redirect(application)

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/simple_form.html",
        context={
            "application": application,
            "heading": _("发出划款指令"),
            "button": _("下一步"),
            "lead": _("批准金额 %(b)s 元，已发出 %(i)s 元，已划款 %(p)s 元。")
            % {
                "b": yuan(summary_row.budget_fen),
                "i": yuan(summary_row.instructed_fen),
                "p": yuan(summary_row.paid_fen),
            },
        },
        summary=lambda: [
            (_("指令编号"), form.cleaned_data["key"]),
            (_("金额"), _("%(y)s 元") % {"y": yuan(form.cleaned_data["amount"])}),
            (_("收款人"), form.cleaned_data["payee_name"]),
            (
                _("收款行/账号"),
                f"{form.cleaned_data['payee_bank']} {form.cleaned_data['payee_account']}",
            ),
        ],
    )


def payment_queue(request):
    """Waiting instructions: the approver exports the bank file, the reviewer records the
    bank's receipt; either may open the page (maker ≠ checker stays with the services)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    committee = permissions.can(request.user, COMMITTEE_ACTION)
    can_export = permissions.can(request.user, APPROVE) or committee
    can_confirm = permissions.can(request.user, CONFIRM) or committee
    if not (can_export or can_confirm):
        raise PermissionDenied  # (an unverified approver never gets here: OTPRequiredMiddleware)
    return render(
        request,
        "funds/applications/payments.html",
        {
            "rows": reads.payment_queue(request.user),
            "can_export": can_export,
            "can_confirm": can_confirm,
        },
    )


@step_required(APPROVE)
@require_POST
def payment_export(request):
    """The bank file of the chosen waiting instructions (CSV, formula-safe)."""
    ids = [int(v) for v in request.POST.getlist("instruction") if v.isdigit()]
    instructions = list(
        PaymentInstruction.objects.filter(
            pk__in=ids,
            fund_use__area__in=permissions.areas_for(request.user, APPROVE)
            | permissions.areas_for(request.user, COMMITTEE_ACTION),
        )
    )
    try:
        data = services.payment_file_export(instructions=instructions, actor=request.user)
    except DomainError as error:
        messages.error(request, refusal(error))
        return redirect("funds:payment_queue")
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="payments-{stamp}.csv"'
    return response


@step_required(CONFIRM)
@require_http_methods(["GET", "POST"])
def payment_confirm(request, pk: int):
    instruction = (
        PaymentInstruction.objects.filter(
            pk=pk,
            fund_use__area__in=permissions.areas_for(request.user, CONFIRM)
            | permissions.areas_for(request.user, COMMITTEE_ACTION),
        )
        .select_related("fund_use__area")
        .first()
    )
    if instruction is None:
        raise Http404
    form = ConfirmPaymentForm(request.POST or None)

    def act():
        services.payment_confirm(instruction=instruction, actor=request.user, **form.cleaned_data)
        messages.success(request, _("已登记银行划款，分户账和专户已记账。"))
        return redirect("funds:payment_queue")

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/simple_form.html",
        context={
            "instruction": instruction,
            "heading": _("登记银行划款确认"),
            "button": _("下一步"),
            "lead": _("指令 %(key)s：向 %(payee)s 划款 %(y)s 元（%(title)s）。")
            % {
                "key": instruction.key,
                "payee": instruction.payee_name,
                "y": yuan(instruction.amount_fen),
                "title": instruction.fund_use.title,
            },
        },
        summary=lambda: [
            (_("银行流水号"), form.cleaned_data["bank_reference"]),
            (_("划款日期"), form.cleaned_data["paid_on"].isoformat()),
            (_("记账"), _("专户存款减少 %(y)s 元") % {"y": yuan(instruction.amount_fen)}),
        ],
    )
