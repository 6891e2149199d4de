"""Writing the public-revenue ledger: thin pages over ``revenue.services``.

Each write is one service call; a ``DomainError`` comes back as a form error
with nothing changed. Nothing here can be undone, so each page is its own
confirmation step: the entry and decision forms need an explicit "checked"
box, a reversal shows the entry it cancels before asking for the reason, and
publishing shows what the notice will say before it is signed.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import place_error
from core.guards import action_required
from core.money import yuan
from core.upload_drafts import UploadDraft
from estates.browse import area_get

from .. import selectors, services
from ..actions import ALLOCATE, PUBLISH, RECORD
from ..forms import (
    AllocationForm,
    EntryForm,
    PublishForm,
    QuarterForm,
    ReverseForm,
    decision_motions,
)
from ..models import Allocation
from ..quarters import Quarter, last_finished
from ..services.notices import notice_context
from .ledger import entry_in_scope, period_query


def _ledger_url(area, period: Quarter) -> str:
    return reverse("revenue:ledger", args=[area.code]) + period_query(period.year, period.quarter)


def _chosen_quarter(data) -> Quarter:
    """The quarter in ?year=&quarter= (or the POST), else the last finished one."""
    form = QuarterForm(data or None)
    if data and form.is_valid():
        return form.period()
    return last_finished(selectors.local_today())


@action_required(RECORD)
@require_http_methods(["GET", "POST"])
def entry_new(request, code: str):
    """登记收支: one income or cost, with an optional voucher."""
    area = area_get(request.user, code, action=RECORD)
    today = selectors.local_today()
    # The voucher survives the page shown again (core.upload_drafts).
    uploads = UploadDraft(request, form=f"revenue.entry:{area.code}", fields=["voucher"])
    if request.method == "POST":
        form = EntryForm(request.POST, uploads.files())
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.revenue_entry_record(
                    area=area,
                    direction=data["direction"],
                    category=data["category"],
                    amount_fen=data["amount"],
                    occurred_on=data["occurred_on"],
                    counterparty=data["counterparty"],
                    memo=data["memo"],
                    voucher=data["voucher"],
                    actor=request.user,
                )
            except DomainError as error:
                status = place_error(form, error)
            else:
                uploads.attached()
                messages.success(
                    request,
                    _("已登记第 %(pk)s 号记录：%(category)s %(amount)s 元。")
                    % {
                        "pk": entry.pk,
                        "category": entry.get_category_display(),
                        "amount": yuan(entry.amount_fen),
                    },
                )
                return redirect(_ledger_url(area, entry.quarter))
    else:
        form = EntryForm(initial={"occurred_on": today, "direction": "income"})
        status = 200
    return render(
        request,
        "revenue/entry_form.html",
        {"area": area, "form": form, "uploads": uploads},
        status=status,
    )


@action_required(RECORD)
@require_http_methods(["GET", "POST"])
def entry_reverse(request, pk: int):
    """冲正: the entry is shown, then cancelled by a reversing entry with a reason."""
    entry = entry_in_scope(request.user, pk, RECORD)
    form = ReverseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                reversal = services.revenue_entry_reverse(
                    entry=entry, reason=form.cleaned_data["reason"], actor=request.user
                )
            except DomainError as error:
                status = place_error(form, error)
            else:
                messages.success(
                    request,
                    _("已冲正第 %(pk)s 号记录（冲正记录第 %(new)s 号）。")
                    % {"pk": entry.pk, "new": reversal.pk},
                )
                return redirect(_ledger_url(entry.area, entry.quarter))
    already = entry.is_reversal or hasattr(entry, "reversal")
    return render(
        request,
        "revenue/reverse.html",
        {
            "entry": entry,
            "area": entry.area,
            "amount": yuan(entry.amount_fen),
            "form": form,
            "already": already,
        },
        status=status,
    )


@action_required(ALLOCATE)
@require_http_methods(["GET", "POST"])
def allocate(request, code: str):
    """登记分配决定 for a finished quarter: how the owners decided its net is used."""
    area = area_get(request.user, code, action=ALLOCATE)
    period = _chosen_quarter(request.POST if request.method == "POST" else request.GET)
    motions = decision_motions(area)
    status = 200
    uploads = UploadDraft(request, form=f"revenue.allocate:{area.code}", fields=["decision_file"])
    if request.method == "POST":
        form = AllocationForm(request.POST, uploads.files(), motions=motions)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                allocation = services.revenue_allocation_record(
                    area=area,
                    year=period.year,
                    quarter=period.quarter,
                    method=data["method"],
                    motion=form.chosen_motion(),
                    decision_text=data["decision_text"],
                    decision_file=data["decision_file"],
                    decision_result=data["decision_result"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except DomainError as error:
                status = place_error(form, error)
            else:
                uploads.attached()
                messages.success(
                    request,
                    _("已登记%(period)s的分配决定。") % {"period": period.label},
                )
                return redirect("revenue:allocation", pk=allocation.pk)
    else:
        form = AllocationForm(initial={"method": Allocation.Method.SHARE_BY_AREA}, motions=motions)
    state = selectors.quarter_state(area, period)
    return render(
        request,
        "revenue/allocation_form.html",
        {
            "area": area,
            "period": period,
            "state": state,
            "net": yuan(state.totals.net_fen),
            "form": form,
            "quarter_form": QuarterForm(initial={"year": period.year, "quarter": period.quarter}),
            "uploads": uploads,
        },
        status=status,
    )


@action_required(PUBLISH)
@require_http_methods(["GET", "POST"])
def publish(request, code: str):
    """发布季度公示: what the notice will say, then the signed notice (bureau, after TOTP)."""
    area = area_get(request.user, code, action=PUBLISH)
    period = _chosen_quarter(request.POST if request.method == "POST" else request.GET)
    status = 200
    form = PublishForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                notice = services.revenue_quarter_publish(
                    area=area,
                    year=period.year,
                    quarter=period.quarter,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except DomainError as error:
                status = place_error(form, error)
            else:
                messages.success(
                    request,
                    _("已发布%(period)s公共收益公示，编号 %(serial)s。")
                    % {"period": period.label, "serial": notice.publication.serial},
                )
                return redirect("publications:detail", serial=notice.publication.serial)
    state = selectors.quarter_state(area, period)
    return render(
        request,
        "revenue/publish.html",
        {
            "area": area,
            "period": period,
            "state": state,
            "preview": notice_context(state),
            "form": form,
            "quarter_form": QuarterForm(initial={"year": period.year, "quarter": period.quarter}),
        },
        status=status,
    )


routes = [
    path("areas/<str:code>/entries/new/", entry_new, name="entry_new"),
    path("entries/<int:pk>/reverse/", entry_reverse, name="entry_reverse"),
    path("areas/<str:code>/allocate/", allocate, name="allocate"),
    path("areas/<str:code>/publish/", publish, name="publish"),
]
