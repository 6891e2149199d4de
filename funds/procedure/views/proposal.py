"""The applicant's and the committee's pages: file, track, vote, works, acceptance (RULES.md §4).

Who: ``fund.apply`` (property company, committee, owners) files and edits a
draft; ``assembly.call`` (the committee, or the street/community office where
there is none) puts it to the owners and accepts the finished works. The
pages decide nothing; the services do, and their refusals come back on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.errors import DomainError
from core.forms import place_error
from core.guards import action_required
from core.money import yuan
from core.upload_drafts import UploadDraft
from estates.browse import buildings_with_counts
from funds.models import FundApplication
from funds.procedure import services
from funds.procedure.forms import (
    AcceptForm,
    ApplicationForm,
    AttachmentForm,
    DoneForm,
    ReasonForm,
    VoteForm,
    items_text,
)
from funds.procedure.selectors import applications as reads
from funds.procedure.views.detail import detail_context
from funds.procedure.views.pages import (
    application_for,
    confirm_or_act,
    detail_redirect,
    file_response,
)

APPLY = "fund.apply"
CALL = "assembly.call"
Status = FundApplication.Status
PER_PAGE = 30


@login_required
def application_list(request):
    """维修资金使用申请: every application the user may see, newest first, by status."""
    applications = reads.applications_for(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        applications = applications.filter(status=status)
    page = Paginator(applications, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/applications/list.html",
        {
            "page_obj": page,
            "statuses": Status.choices,
            "status": status,
            "can_apply": permissions.can(request.user, APPLY),
            "can_review": permissions.can(request.user, "application.review"),
            "can_approve": permissions.can(request.user, "application.approve"),
            "can_confirm": permissions.can(request.user, "payment.confirm"),
        },
    )


@login_required
def application_detail(request, pk: int):
    application = application_for(request.user, pk)
    return render(
        request, "funds/applications/detail.html", detail_context(request.user, application)
    )


def _form_page(request, form, area, application=None, *, status: int = 200):
    return render(
        request,
        "funds/applications/form.html",
        {"form": form, "area": area, "application": application},
        status=status,
    )


@action_required(APPLY)
@require_http_methods(["GET", "POST"])
def application_create(request):
    """A new draft; with more than one area in reach the area is chosen first."""
    areas = permissions.areas_for(request.user, APPLY).order_by("name")
    chosen = request.GET.get("area", "")
    if not chosen and len(areas) == 1:
        chosen = str(areas[0].pk)
    if not chosen:
        return render(request, "funds/applications/area_pick.html", {"areas": areas})
    area = areas.filter(pk=chosen).first() if chosen.isdigit() else None
    if area is None:
        raise Http404
    buildings = [b.name for b in buildings_with_counts(area)]
    form = ApplicationForm(request.POST or None, buildings=buildings)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                area=area, actor=request.user, **form.service_kwargs()
            )
        except DomainError as error:
            status = place_error(form, error)
        else:
            messages.success(request, _("已保存申请草稿。请上传报价单，再提交业主表决。"))
            return detail_redirect(application)
    return _form_page(request, form, area, status=status)


@action_required(APPLY)
@require_http_methods(["GET", "POST"])
def application_edit(request, pk: int):
    application = application_for(request.user, pk)
    buildings = [b.name for b in buildings_with_counts(application.area)]
    initial = {
        "title": application.title,
        "repair_type": application.repair_type,
        "description": application.description,
        "scope_buildings": application.scope_buildings,
        "scope_unit_codes": "\n".join(application.scope_unit_codes),
        "contractor": application.contractor,
        "tolerance_pct": application.tolerance_pct,
        "items": items_text(application),
    }
    form = ApplicationForm(request.POST or None, initial=initial, buildings=buildings)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                application=application, actor=request.user, **form.service_kwargs()
            )
        except DomainError as error:
            status = place_error(form, error)
        else:
            messages.success(request, _("已保存申请草稿。"))
            return detail_redirect(application)
    return _form_page(request, form, application.area, application, status=status)


@action_required(APPLY)
@require_http_methods(["GET", "POST"])
def application_attach(request, pk: int):
    application = application_for(request.user, pk)
    # A file chosen here survives the page shown again (core.upload_drafts).
    uploads = UploadDraft(request, form=f"funds.attach:{application.pk}", fields=["file"])
    form = AttachmentForm(request.POST or None, uploads.files() or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.application_attach(
                application=application, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            status = place_error(form, error)
        else:
            uploads.attached()
            messages.success(request, _("已上传材料。"))
            return detail_redirect(application)
    return render(
        request,
        "funds/applications/simple_form.html",
        {
            "application": application,
            "form": form,
            "heading": _("上传申请材料"),
            "multipart": True,
            "uploads": uploads,
            "button": _("上传"),
        },
        status=status,
    )


@login_required
def application_file(request, pk: int, attachment: int):
    return file_response(application_for(request.user, pk), attachment)


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def application_vote(request, pk: int):
    """The committee puts the application to the owners of its 列支范围 (a draft assembly)."""
    application = application_for(request.user, pk)
    if not permissions.can(request.user, CALL, application.area):
        raise Http404
    form = VoteForm(request.POST or None)

    def act():
        services.application_vote_create(
            application=application, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("已生成业主大会会议草稿和表决议题，请在“业主大会”中发布公告。"))
        return detail_redirect(application)

    def summary():
        data = form.cleaned_data
        rows = [
            (_("表决范围"), application.scope_text()),
            (_("预算金额"), _("%(y)s 元") % {"y": yuan(application.budget_fen)}),
            (
                _("表决时间"),
                f"{data['opens_at']:%Y-%m-%d %H:%M} — {data['closes_at']:%Y-%m-%d %H:%M}",
            ),
            (_("议题"), _("使用维修资金（《民法典》第二百七十八条第一款第（五）项，双过半）")),
        ]
        if data["include_topup"]:
            rows.append((_("议题"), _("续筹维修资金（第（六）项，双四分之三）")))
        rows.append((_("提示"), _("提交表决后，预算和列支范围不能再修改。")))
        return rows

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/simple_form.html",
        context={"application": application, "heading": _("提交业主表决"), "button": _("下一步")},
        summary=summary,
        check=lambda: services.application_vote_check(
            application=application, actor=request.user, **form.cleaned_data
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_conclude(request, pk: int):
    """Take the vote's result (approved → to the bureau; failed → ended; cancelled → draft)."""
    application = application_for(request.user, pk)
    if not (
        permissions.can(request.user, APPLY, application.area)
        or permissions.can(request.user, CALL, application.area)
    ):
        raise PermissionDenied
    error = ""
    status = 200
    if request.method == "POST":
        try:
            application = services.application_vote_conclude(
                application=application, actor=request.user
            )
        except DomainError as refused:
            error, status = refused.message, refused.status
        else:
            messages.success(
                request,
                _("已登记表决结果：%(status)s。") % {"status": application.get_status_display()},
            )
            return detail_redirect(application)
    from funds.procedure.services.application_vote import vote_state

    return render(
        request,
        "funds/applications/conclude.html",
        {"application": application, "state": vote_state(application), "error": error},
        status=status,
    )


def _reason_step(request, pk, *, service, heading, done, button):
    application = application_for(request.user, pk)
    form = ReasonForm(request.POST or None)

    def act():
        service(application=application, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, done)
        return detail_redirect(application)

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/simple_form.html",
        context={"application": application, "heading": heading, "button": button},
        summary=lambda: [(_("理由"), form.cleaned_data["reason"])],
    )


@action_required(APPLY)
@require_http_methods(["GET", "POST"])
def application_withdraw(request, pk: int):
    return _reason_step(
        request,
        pk,
        service=services.application_withdraw,
        heading=_("撤回申请"),
        done=_("申请已撤回。"),
        button=_("下一步"),
    )


@action_required(APPLY)
@require_http_methods(["GET", "POST"])
def application_resubmit(request, pk: int):
    application = application_for(request.user, pk)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.application_resubmit(application=application, actor=request.user)
        except DomainError as refused:
            error, status = refused.message, refused.status
        else:
            messages.success(request, _("已重新报送住建部门审核。"))
            return detail_redirect(application)
    return render(
        request,
        "funds/applications/step.html",
        {
            "application": application,
            "heading": _("补正后重新报送"),
            "text": _("确认已按审核意见补充材料，重新报送审核？"),
            "error": error,
        },
        status=status,
    )


@action_required(APPLY)
@require_http_methods(["GET", "POST"])
def application_works_done(request, pk: int):
    application = application_for(request.user, pk)
    form = DoneForm(request.POST or None)

    def act():
        services.application_works_done(
            application=application, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("已登记完工，请业委会组织验收。"))
        return detail_redirect(application)

    return confirm_or_act(
        request,
        form=form,
        act=act,
        template="funds/applications/simple_form.html",
        context={"application": application, "heading": _("登记完工"), "button": _("下一步")},
        summary=lambda: [(_("完工日期"), form.cleaned_data["done_on"].isoformat())],
    )


@action_required(CALL)
@require_http_methods(["GET", "POST"])
def application_accept(request, pk: int):
    """Acceptance with the report and photos; the confirmation is a ticked box (files cannot
    ride along on a second page)."""
    application = application_for(request.user, pk)
    uploads = UploadDraft(
        request, form=f"funds.accept:{application.pk}", fields=["report", "photos"]
    )
    form = AcceptForm(request.POST or None, uploads.files() or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") != "1":
            form.add_error(None, _("请勾选“确认验收合格”。"))
        else:
            try:
                services.application_accept(
                    application=application,
                    actor=request.user,
                    accepted_on=form.cleaned_data["accepted_on"],
                    note=form.cleaned_data["note"],
                    files=form.acceptance_files(),
                )
            except DomainError as error:
                status = place_error(form, error)
            else:
                uploads.attached()
                messages.success(request, _("已登记验收，等待住建部门结算。"))
                return detail_redirect(application)
    return render(
        request,
        "funds/applications/accept.html",
        {"application": application, "form": form, "uploads": uploads},
        status=status,
    )
