"""The pages of the settlement's limits (RULES.md §4 "use"; ``services.settlement_limits``).

- the settlement page's lead: the ceiling, approved excesses, the 审价 threshold
  and the 质保金, with links to the two steps below;
- a supplementary owners' vote on the excess (the convener, ``assembly.call``),
  which creates the draft assembly the voting pages then notice, open and count;
- uploading the 审价 report (the bureau, ``application.review``), a separate step
  because a file cannot ride along a confirmation page;
- releasing the 质保金 after the works' warranty (the bureau).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.errors import DomainError
from core.forms import place_error
from core.guards import action_required
from core.money import yuan
from funds.models import FundApplication, FundUse
from funds.procedure import services
from funds.procedure.forms import AuditReportForm, SupplementaryVoteForm
from funds.procedure.services.settlement_limits import settlement_state
from funds.procedure.views.bureau import REVIEW, scoped
from funds.procedure.views.pages import (
    application_for,
    confirm_or_act,
    detail_redirect,
    refusal,
)

CALL = "assembly.call"
Status = FundApplication.Status


def settlement_lead(fund_use: FundUse) -> str:
    state = settlement_state(fund_use)
    lines = [
        _("批准金额 %(y)s 元；业主同意的超支比例 %(n)d%%，结算上限 %(c)s 元。")
        % {
            "y": yuan(state["budget_fen"]),
            "n": state["tolerance_pct"],
            "c": yuan(state["ceiling_fen"]),
        }
    ]
    if state["approved_excess_fen"]:
        lines.append(
            _("业主补充表决同意超出 %(x)s 元，结算不得超过 %(l)s 元。")
            % {"x": yuan(state["approved_excess_fen"]), "l": yuan(state["limit_fen"])}
        )
    else:
        lines.append(_("超过上限的部分须由业委会（召集人）发起补充表决，经业主同意后才能结算。"))
    lines.append(
        _("结算金额超过 %(t)s 元的须先上传审价报告（已上传 %(n)d 份）。")
        % {"t": yuan(state["audit_above_fen"]), "n": len(state["audit_reports"])}
    )
    lines.append(
        _("结算后按结算金额的 %(r)d%% 预留质保金，工程保修期届满后才能支付。")
        % {"r": state["retention_pct"]}
    )
    return "\n".join(lines)


def settlement_links(user, application: FundApplication) -> list[tuple[str, str]]:
    links = [
        (
            reverse("funds:application_audit_report", args=[application.pk]),
            _("上传审价报告"),
        )
    ]
    if permissions.can(user, CALL, application.area):
        links.append(
            (
                reverse("funds:application_supplementary", args=[application.pk]),
                _("发起超支补充表决"),
            )
        )
    return links


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def application_supplementary(request, pk: int):
    """The convener puts an excess above the ceiling to the owners of the 列支范围."""
    application = application_for(request.user, pk)
    if not permissions.can(request.user, CALL, application.area):
        raise Http404
    fund_use = application.fund_use
    if fund_use is None:
        raise Http404
    form = SupplementaryVoteForm(request.POST or None)

    def act():
        data = form.cleaned_data
        vote = services.supplementary_vote_create(
            fund_use=fund_use,
            excess_fen=data["excess"],
            reason=data["reason"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            actor=request.user,
        )
        messages.success(request, _("已生成补充表决的业主大会会议草稿，请发布公告。"))
        return redirect("voting:manage_detail", pk=vote.assembly_id)

    def summary():
        data = form.cleaned_data
        state = settlement_state(fund_use)
        return [
            (_("表决范围"), fund_use.scope_text()),
            (_("现结算上限"), _("%(y)s 元") % {"y": yuan(state["limit_fen"])}),
            (_("表决超出部分"), _("%(y)s 元") % {"y": yuan(data["excess"])}),
            (
                _("同意后结算上限"),
                _("%(y)s 元") % {"y": yuan(state["limit_fen"] + data["excess"])},
            ),
            (_("议题"), _("使用维修资金（《民法典》第二百七十八条第一款第（五）项，双过半）")),
        ]

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/simple_form.html",
        context={
            "application": application,
            "heading": _("超支补充表决"),
            "button": _("下一步"),
            "lead": settlement_lead(fund_use),
        },
        summary=summary,
    )


@action_required(REVIEW)
@require_http_methods(["GET", "POST"])
def application_audit_report(request, pk: int):
    application = scoped(request, pk, REVIEW)
    if application.fund_use is None:
        raise Http404
    form = AuditReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.settlement_audit_report_add(
                    fund_use=application.fund_use,
                    file=form.cleaned_data["audit_report"],
                    actor=request.user,
                )
            except DomainError as error:
                status = place_error(form, error)
            else:
                messages.success(request, _("已上传审价报告。"))
                return redirect("funds:application_settle", pk=application.pk)
    return render(
        request,
        "funds/applications/simple_form.html",
        {
            "application": application,
            "heading": _("上传审价报告"),
            "button": _("上传"),
            "multipart": True,
            "form": form,
        },
        status=status,
    )


@action_required(REVIEW)
@require_http_methods(["GET", "POST"])
def application_retention_release(request, pk: int):
    application = scoped(request, pk, REVIEW)
    fund_use = application.fund_use
    if fund_use is None:
        raise Http404
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.retention_release(fund_use=fund_use, actor=request.user)
        except DomainError as refused:
            error, status = refusal(refused), refused.status
        else:
            messages.success(request, _("已释放质保金，可向施工单位划付。"))
            return detail_redirect(application)
    return render(
        request,
        "funds/applications/step.html",
        {
            "application": application,
            "heading": _("释放质保金"),
            "text": _("质保金 %(y)s 元，工程保修期至 %(day)s；届满后才能释放并划付给施工单位。")
            % {
                "y": yuan(fund_use.retention_fen),
                "day": fund_use.warranty_ends_on.isoformat() if fund_use.warranty_ends_on else "—",
            },
            "error": error,
        },
        status=status,
    )
