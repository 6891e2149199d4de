"""Pages of approval authority (RULES.md §4; Order 165 arts. 22–23): the second approver's
countersignature, the filing (备案) of the committee's approvals with the bureau, and the
gate the procedure pages share between the bureau and the committee.

The pages of review, approval, instruction and confirmation are open to the
bureau's role for the step and to committee members; which of them may act in
an area is the custody regime's (``funds.procedure.services.authority``), decided by the
service, which refuses the other with a clear message (the form shows it).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.guards import action_required
from core.money import yuan
from funds.models import CustodyRegime, UseFiling
from funds.procedure import services
from funds.procedure.forms import CountersignForm, FilingForm, FilingReplyForm
from funds.procedure.selectors.approval import (
    fund_use_approvers,
    regime_of,
    split_flag,
    split_window_days,
)
from funds.procedure.services.authority import COMMITTEE_ACTION, FILING_ACTION
from funds.procedure.views.pages import application_for, confirm_or_act, detail_redirect


def step_required(action: str):
    """``action_required(action)``, or a committee member (who acts under art. 23)."""
    bureau = action_required(action)

    def decorator(view):
        guarded = bureau(view)

        def wrapped(request, *args, **kwargs):
            if request.user.is_authenticated and permissions.can(request.user, COMMITTEE_ACTION):
                return view(request, *args, **kwargs)
            return guarded(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def step_scoped(request, pk: int, action: str):
    """The application, if the user's bureau role or committee seat reaches its area (else 404)."""
    application = application_for(request.user, pk)
    area = application.area
    if not (
        permissions.can(request.user, action, area)
        or permissions.can(request.user, COMMITTEE_ACTION, area)
    ):
        raise Http404
    return application


def regime_lead(area) -> str:
    if regime_of(area) == CustodyRegime.ASSEMBLY:
        return _(
            "本区域维修资金由业主大会自管（《住宅专项维修资金管理办法》第二十三条）："
            "业委会审核、审批并通知银行划款，报住建局备案。"
        )
    return _(
        "本区域维修资金由住建部门代管（《住宅专项维修资金管理办法》第二十二条）："
        "住建局审核、审批并通知银行划款。"
    )


def split_context(application) -> dict:
    return {
        "split": split_flag(application),
        "window": split_window_days(),
        "regime_lead": regime_lead(application.area),
    }


# --------------------------------------------------------------------------- countersign


@step_required("application.approve")
@require_http_methods(["GET", "POST"])
def application_countersign(request, pk: int):
    """A second approver signs off a use whose cumulative instructions pass the threshold."""
    application = step_scoped(request, pk, "application.approve")
    fund_use = application.fund_use
    if fund_use is None:
        raise Http404
    form = CountersignForm(request.POST or None)

    def act():
        services.fund_use_countersign(
            fund_use=fund_use, actor=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, _("已复核批准，本事项现有两名以上审批人。"))
        return detail_redirect(application)

    approvers = fund_use_approvers(fund_use)
    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/countersign.html",
        context={
            "application": application,
            "heading": _("第二审批人复核"),
            "approver_count": len(approvers),
            **split_context(application),
        },
        summary=lambda: [
            (_("事项"), fund_use.title),
            (_("批准金额"), _("%(y)s 元") % {"y": yuan(fund_use.budget_fen)}),
            (_("复核意见"), form.cleaned_data["note"] or "—"),
        ],
    )


# --------------------------------------------------------------------------- filing (备案)


@action_required(FILING_ACTION)
def filing_queue(request):
    """Filings of committee approvals waiting for the bureau (filed, or corrected)."""
    rows = (
        UseFiling.objects.filter(
            status__in=(UseFiling.Status.FILED, UseFiling.Status.CORRECTED),
            application__area__in=permissions.areas_for(request.user, FILING_ACTION),
        )
        .select_related("application__area")
        .order_by("filed_at", "pk")
    )
    return render(request, "funds/applications/filings.html", {"rows": list(rows)})


@step_required(FILING_ACTION)
@require_http_methods(["GET", "POST"])
def application_filing(request, pk: int):
    """The bureau receives the filing or orders a correction; the committee reports it."""
    user = request.user
    application = application_for(user, pk)
    area = application.area
    bureau = permissions.can(user, FILING_ACTION, area)
    committee = permissions.can(user, COMMITTEE_ACTION, area)
    if not (bureau or committee):
        raise Http404
    filing = UseFiling.objects.filter(application=application).first()
    form_class = FilingForm if bureau else FilingReplyForm
    form = form_class(request.POST or None) if filing is not None else None
    context = {
        "application": application,
        "filing": filing,
        "heading": _("维修资金使用备案"),
        "regime_lead": regime_lead(area),
    }
    if form is None:
        return render(request, "funds/applications/filing.html", {**context, "form": None})

    def act():
        data = form.cleaned_data
        if bureau and data["decision"] == "receive":
            services.filing_receive(filing=filing, actor=user)
            messages.success(request, _("已备案。"))
        elif bureau:
            services.filing_order_correction(filing=filing, actor=user, order=data["text"])
            messages.success(request, _("已责令改正；改正前本事项不能发出划款通知。"))
        else:
            services.filing_reply(filing=filing, actor=user, reply=data["text"])
            messages.success(request, _("已报告改正情况。"))
        return detail_redirect(application)

    def summary():
        data = form.cleaned_data
        rows = []
        if bureau:
            rows.append((_("结论"), dict(FilingForm.DECISIONS)[data["decision"]]))
        rows.append((_("说明"), data["text"] or "—"))
        return rows

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/filing.html",
        context=context,
        summary=summary,
    )
