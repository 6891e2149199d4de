"""分摊补缴 pages (RULES.md §4 "use", §5): the reviewer records a shortfall the owner paid;
the approver names the account emergency shortfalls may be advanced from and advances one.

Thin (STYLE.md): a form, one service call (``funds.procedure.services.reservations``), a refusal on
the form with 400 and nothing changed. Each step posts money or replaces the named account,
so it shows a confirmation page first (``confirm_or_act``). The same pages serve the
fund-use application (``funds:``) and the emergency application (``emergency:``): the
caller finds the demand in the user's scope and says where to go back to.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.errors import DomainError, PermissionDeniedError
from core.guards import action_required
from core.money import yuan
from funds.models import AdvanceAccount, ShortfallDemand
from funds.procedure.forms import AdvanceAccountForm, ShortfallAdvanceForm, ShortfallPayForm
from funds.procedure.services.reservations import (
    advance_account_name,
    shortfall_advance,
    shortfall_demand_pay,
)
from funds.procedure.views.pages import application_for, confirm_or_act

PAY, ADVANCE = "payment.confirm", "application.approve"
TEMPLATE = "funds/applications/shortfall_form.html"


def demand_of(fund_use_id, pk: int) -> ShortfallDemand:
    demand = (
        ShortfallDemand.objects.filter(pk=pk, fund_use_id=fund_use_id or 0)
        .select_related("fund_use__area", "advance_account")
        .first()
    )
    if demand is None:
        raise Http404
    return demand


def demand_lead(demand: ShortfallDemand) -> str:
    return _(
        "%(unit)s：预计分摊 %(share)s 元，应补缴 %(amount)s 元，已补缴 %(paid)s 元，"
        "已垫付 %(advanced)s 元，尚欠 %(owed)s 元，期限 %(due)s（%(status)s）。"
    ) % {
        "unit": demand.unit_code,
        "share": yuan(demand.share_fen),
        "amount": yuan(demand.amount_fen),
        "paid": yuan(demand.paid_fen),
        "advanced": yuan(demand.advanced_fen),
        "owed": yuan(demand.outstanding_fen),
        "due": demand.due_on.isoformat(),
        "status": demand.get_status_display(),
    }


def _renamed(error: DomainError, aliases: dict[str, str]) -> DomainError:
    """The service names its arguments (``amount_fen``); the form its fields (``amount``)."""
    if isinstance(error, PermissionDeniedError) or not error.fields:
        return error
    fields = {aliases.get(k, k): v for k, v in error.fields.items()}
    return type(error)(error.code, error.message, fields=fields)  # a Conflict stays a 409


def demand_pay_page(request, *, demand: ShortfallDemand, back: str, context: dict):
    """登记补缴到账: money the owner paid in, posted to the unit's sub-ledger and reserved."""
    form = ShortfallPayForm(request.POST or None)

    def act():
        data = form.cleaned_data
        try:
            done = shortfall_demand_pay(
                demand=demand,
                amount_fen=data["amount"],
                paid_on=data["paid_on"],
                key=data["bank_reference"],
                actor=request.user,
            )
        except DomainError as error:
            raise _renamed(error, {"amount_fen": "amount", "key": "bank_reference"}) from None
        messages.success(
            request,
            _("已登记 %(unit)s 补缴到账 %(y)s 元，尚欠 %(owed)s 元。")
            % {
                "unit": done.unit_code,
                "y": yuan(data["amount"]),
                "owed": yuan(done.outstanding_fen),
            },
        )
        return redirect(back)

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template=TEMPLATE,
        context={
            **context,
            "heading": _("登记补缴到账"),
            "lead": demand_lead(demand),
            "back": back,
        },
        summary=lambda: [
            (_("房屋"), demand.unit_code),
            (_("到账金额"), _("%(y)s 元") % {"y": yuan(form.cleaned_data["amount"])}),
            (_("到账日期"), form.cleaned_data["paid_on"].isoformat()),
            (_("银行流水号"), form.cleaned_data["bank_reference"]),
            (
                _("记账"),
                _("存入该户分户账并冻结用于本事项：%(y)s 元")
                % {"y": yuan(form.cleaned_data["amount"])},
            ),
        ],
    )


def demand_advance_page(request, *, demand: ShortfallDemand, back: str, context: dict):
    """垫付: an emergency's outstanding shortfall, from the account the bureau named only."""
    form = ShortfallAdvanceForm(request.POST or None)
    account = AdvanceAccount.objects.filter(area=demand.fund_use.area, active=True).first()

    def act():
        data = form.cleaned_data
        try:
            done = shortfall_advance(
                demand=demand,
                advanced_on=data["advanced_on"],
                key=data["bank_reference"],
                actor=request.user,
            )
        except DomainError as error:
            raise _renamed(error, {"key": "bank_reference"}) from None
        messages.success(
            request,
            _("已由 %(account)s 垫付 %(unit)s 的分摊差额，共垫付 %(y)s 元。")
            % {
                "account": done.advance_account,
                "unit": done.unit_code,
                "y": yuan(done.advanced_fen),
            },
        )
        return redirect(back)

    lead = (
        demand_lead(demand)
        + "\n"
        + (
            _("垫付账户：%(account)s，%(bank)s %(no)s。")
            % {"account": account, "bank": account.bank_name, "no": account.account_no}
            if account
            else _("住建局尚未为本区域指定垫付账户，不能垫付。")
        )
    )
    return confirm_or_act(
        request,
        form=form,
        act=act,
        template=TEMPLATE,
        context={**context, "heading": _("垫付分摊差额"), "lead": lead, "back": back},
        summary=lambda: [
            (_("房屋"), demand.unit_code),
            (_("垫付金额"), _("%(y)s 元（尚欠全额）") % {"y": yuan(demand.outstanding_fen)}),
            (_("垫付账户"), str(account) if account else "—"),
            (_("垫付日期"), form.cleaned_data["advanced_on"].isoformat()),
            (_("银行流水号"), form.cleaned_data["bank_reference"]),
        ],
    )


def advance_account_page(request, *, area, back: str, context: dict):
    """指定垫付账户: replaces the one in force for the area (kept, inactive, for the record)."""
    current = AdvanceAccount.objects.filter(area=area, active=True).first()
    form = AdvanceAccountForm(request.POST or None)

    def act():
        data = form.cleaned_data
        account = advance_account_name(
            area=area,
            kind=data["kind"],
            name=data["name"],
            bank_name=data["bank_name"],
            account_no=data["account_no"],
            actor=request.user,
        )
        messages.success(request, _("已指定垫付账户：%(a)s。") % {"a": account})
        return redirect(back)

    lead = (
        (
            _("现指定账户：%(a)s，%(bank)s %(no)s；新指定的账户将取代它。")
            % {"a": current, "bank": current.bank_name, "no": current.account_no}
            if current
            else _("本区域尚未指定垫付账户。")
        )
        + "\n"
        + _(
            "紧急维修的分摊差额只能由住建局指定的公共资金或街道资金账户垫付，"
            "不得以其他业主分户账的资金垫付。"
        )
    )
    return confirm_or_act(
        request,
        form=form,
        act=act,
        template=TEMPLATE,
        context={**context, "heading": _("指定垫付账户"), "lead": lead, "back": back},
        summary=lambda: [
            (_("区域"), area.name),
            (
                _("资金性质"),
                dict(AdvanceAccount.Kind.choices)[form.cleaned_data["kind"]],
            ),
            (_("账户名称"), form.cleaned_data["name"]),
            (_("开户银行"), form.cleaned_data["bank_name"]),
            (_("账号"), form.cleaned_data["account_no"]),
        ],
    )


# --------------------------------------------------------------------------- fund-use application


@action_required(PAY)
@require_http_methods(["GET", "POST"])
def application_demand_pay(request, pk: int, demand: int):
    """The reviewer (``payment.confirm`` in the area, else 404) records a shortfall paid."""
    application = application_for(request.user, pk)
    if not permissions.can(request.user, PAY, application.area):
        raise Http404
    row = demand_of(application.fund_use_id, demand)
    return demand_pay_page(
        request,
        demand=row,
        back=reverse("funds:application_detail", kwargs={"pk": application.pk}),
        context={"application": application},
    )
