"""The bureau's closing pages: settlement with its apportionment preview, the signed
publication, and charging a shortfall once the owner has paid (RULES.md §4)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.guards import action_required
from core.money import yuan
from funds.models import FundUseShare
from funds.procedure import services
from funds.procedure.forms import SettleForm
from funds.procedure.views.bureau import PUBLISH, REVIEW, scoped
from funds.procedure.views.pages import confirm_or_act, detail_redirect, refusal
from funds.procedure.views.settlement_limits import settlement_lead, settlement_links

# --------------------------------------------------------------------------- settlement, publication


@action_required(REVIEW)
@require_http_methods(["GET", "POST"])
def application_settle(request, pk: int):
    application = scoped(request, pk, REVIEW)
    form = SettleForm(request.POST or None)

    def act():
        data = form.cleaned_data
        services.application_settle(
            application=application,
            actor=request.user,
            final_cost_fen=data["final_cost"],
            over_budget_reason=data["over_budget_reason"],
            settled_on=data["settled_on"],
            warranty_ends_on=data["warranty_ends_on"],
        )
        messages.success(request, _("已结算并分摊到各户分户账。"))
        return detail_redirect(application)

    def summary():
        preview = services.apportionment_preview(
            fund_use=application.fund_use, cost_fen=form.cleaned_data["final_cost"]
        )
        rows = [
            (_("结算金额"), _("%(y)s 元") % {"y": yuan(preview.total_fen)}),
            (
                _("分摊"),
                _("%(n)d 套房屋，%(a)s ㎡") % {"n": len(preview.rows), "a": preview.area_total},
            ),
            (_("可从分户账扣划"), _("%(y)s 元") % {"y": yuan(preview.charged_fen)}),
        ]
        if preview.shortfalls:
            rows.append(
                (
                    _("余额不足"),
                    _("%(n)d 套房屋合计 %(y)s 元，记为应补交，不记负数")
                    % {"n": len(preview.shortfalls), "y": yuan(preview.shortfall_fen)},
                )
            )
        return rows

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/simple_form.html",
        context={
            "application": application,
            "heading": _("结算与分摊"),
            "button": _("预览分摊"),
            "lead": settlement_lead(application.fund_use),
            "links": settlement_links(request.user, application),
        },
        summary=summary,
    )


@action_required(PUBLISH)
@require_http_methods(["GET", "POST"])
def application_publish(request, pk: int):
    application = scoped(request, pk, PUBLISH)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.application_publish(application=application, actor=request.user)
        except DomainError as refused:
            error, status = refusal(refused), refused.status
        else:
            messages.success(request, _("已签发维修资金使用及分摊公示。"))
            return detail_redirect(application)
    return render(
        request,
        "funds/applications/step.html",
        {
            "application": application,
            "heading": _("签发公示"),
            "text": _(
                "将以住建部门电子签章签发本次维修资金使用及各户分摊公示（PDF），签发后不能删除。"
            ),
            "error": error,
        },
        status=status,
    )


@action_required(REVIEW)
@require_POST
def shortfall_collect(request, pk: int, share: int):
    application = scoped(request, pk, REVIEW)
    row = FundUseShare.objects.filter(pk=share, fund_use=application.fund_use).first()
    if row is None:
        raise Http404
    try:
        collection = services.shortfall_collect(share=row, actor=request.user)
    except DomainError as error:
        messages.error(request, refusal(error))
    else:
        messages.success(
            request,
            _("已从 %(unit)s 分户账补扣 %(y)s 元。")
            % {"unit": row.unit_code, "y": yuan(collection.amount_fen)},
        )
    return detail_redirect(application)
