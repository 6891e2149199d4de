"""Applicants' pages: the list, filing from a phone, one application, the works after approval.

Thin (STYLE.md §3): the forms parse, one service decides and writes; a
refusal comes back as form errors with nothing stored. An application the
user may not see is "not found" (``emergency.selectors``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.errors import DomainError
from core.guards import action_required
from core.natural import natural_sorted
from core.upload_drafts import UploadDraft
from estates.models import Building, ManagementArea
from funds.models import AdvanceAccount
from funds.procedure.selectors.reservations import reservations_context

from .. import selectors, services
from ..forms import AcceptForm, ApplicationForm, EvidenceForm, MomentForm
from ..forms.inputs import evidence_field_name
from ..models import FILING_EVIDENCE, EmergencyApplication, Evidence, ResponsePlan
from ._common import (
    ActionWords,
    action_view,
    any_action_required,
    fallback_context,
    place_refusal,
)

APPLY = "emergency.apply"
OVERSEE = "oversee"
REVIEW = "application.review"
APPROVE = "application.approve"
COMMISSION = "emergency.commission"
ANY = (APPLY, OVERSEE, REVIEW, APPROVE, COMMISSION)
Status = EmergencyApplication.Status


@any_action_required(*ANY)
def index(request):
    """紧急维修: the applications the user may see, newest first, with their state now."""
    now = timezone.now()
    status = request.GET.get("status", "")
    applications = selectors.visible_applications(request.user)
    if status in Status.values:
        applications = applications.filter(status=status)
    rows = [
        {
            "application": application,
            "status_label": application.current_status_label(now),
            "alerts": [d for d in selectors.open_deadlines(application, now) if d.alert],
        }
        for application in applications[:200]
    ]
    return render(
        request,
        "emergency/index.html",
        {
            "rows": rows,
            "statuses": Status.choices,
            "status": status,
            "can_apply": permissions.can(request.user, APPLY),
            "can_oversee": permissions.can(request.user, OVERSEE),
        },
    )


@action_required(APPLY)
def choose_area(request):
    areas = list(permissions.areas_for(request.user, APPLY).order_by("code"))
    if len(areas) == 1:
        return redirect("emergency:apply", code=areas[0].code)
    return render(request, "emergency/choose_area.html", {"areas": areas})


def _area_for_applicant(user, code: str) -> ManagementArea:
    return get_object_or_404(permissions.areas_for(user, APPLY), code=code)


@action_required(APPLY)
@require_http_methods(["GET", "POST"])
def apply(request, code: str):
    """The filing page (375 px first): pick the item, describe, estimate, scope, evidence."""
    area = _area_for_applicant(request.user, code)
    version = services.current_version()
    items = list(version.items.order_by("position")) if version else []
    # Files chosen here survive a page shown again (core.upload_drafts).
    uploads = UploadDraft(
        request,
        form=f"emergency.apply:{area.code}",
        fields=[evidence_field_name(kind) for kind in FILING_EVIDENCE],
    )
    form = ApplicationForm(
        (request.POST if request.method == "POST" else None),
        (uploads.files() if request.method == "POST" else None),
        items=items,
        buildings=natural_sorted(Building.objects.filter(area=area).values_list("name", flat=True)),
        problems=list(selectors.linkable_problems(area)),
    )
    error = None
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_file(
                area=area, actor=request.user, **form.service_arguments()
            )
        except DomainError as exc:
            error = exc
            status = place_refusal(form, exc, aliases={"scope": "scope_unit_codes"})
        else:
            uploads.attached()
            messages.success(
                request,
                _("已提交紧急维修申请，住建局将在%(due)s前完成审核。")
                % {"due": timezone.localtime(application.review_due_at).strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("emergency:detail", pk=application.pk)
    plan = ResponsePlan.objects.filter(area=area).first()
    return render(
        request,
        "emergency/apply.html",
        {
            "area": area,
            "form": form,
            "version": version,
            "items": items,
            "plan": plan,
            "uploads": uploads,
            **fallback_context(error),
        },
        status=status,
    )


def _actions(user, application: EmergencyApplication, now) -> list[dict]:
    """The buttons this user may press on this application now (the services still decide)."""
    status = application.current_status(now)
    buttons = []
    can_apply = permissions.can(user, APPLY, application)
    commissioned = hasattr(application, "commission")
    works_side = can_apply or (commissioned and permissions.can(user, COMMISSION, application))
    if status == Status.FILED and permissions.can(user, REVIEW, application):
        buttons.append({"name": "emergency:review_start", "label": _("受理审核")})
    if (
        status == Status.UNDER_REVIEW
        and application.reviewer_id == user.pk
        and permissions.can(user, REVIEW, application)
    ):
        buttons.append({"name": "emergency:checklist", "label": _("核查清单")})
    if (
        status == Status.UNDER_REVIEW
        and application.checklist_done
        and permissions.can(user, APPROVE, application)
    ):
        buttons.append({"name": "emergency:approve", "label": _("审批")})
    if status in EmergencyApplication.UNDECIDED and (
        permissions.can(user, REVIEW, application) or permissions.can(user, APPROVE, application)
    ):
        buttons.append({"name": "emergency:refuse", "label": _("不予批准"), "secondary": True})
    if status in EmergencyApplication.WORKS_PENDING and works_side:
        if application.works_started_at is None:
            buttons.append({"name": "emergency:works_start", "label": _("登记开工")})
        buttons.append({"name": "emergency:works_done", "label": _("登记完工")})
    if status == Status.WORKS_DONE and works_side:
        buttons.append({"name": "emergency:accept", "label": _("验收")})
    if (
        status in EmergencyApplication.WORKS_PENDING
        and not commissioned
        and permissions.can(user, COMMISSION, application)
        and application.works_start_due_at is not None
        and now >= application.works_start_due_at
    ):
        buttons.append({"name": "emergency:commission", "label": _("代修"), "secondary": True})
    if (
        status in EmergencyApplication.WORKS_PENDING
        and application.prepayment_fen
        and application.fund_use_id
        or status in (Status.SETTLED, Status.PUBLISHED)
    ) and permissions.can(user, APPROVE, application):
        buttons.append({"name": "emergency:payment_instruct", "label": _("下达划款指令")})
    if status == Status.ACCEPTED and permissions.can(user, REVIEW, application):
        buttons.append({"name": "emergency:settle", "label": _("结算分摊")})
    if status == Status.ACCEPTED and permissions.can(user, APPROVE, application):
        # RULES.md §5: above the estimate the settlement needs the approver's consent.
        buttons.append(
            {"name": "emergency:excess_approve", "label": _("同意超预算结算"), "secondary": True}
        )
    if status in (Status.WORKS_DONE, Status.ACCEPTED) and permissions.can(
        user, "assembly.call", application.area
    ):
        # RULES.md §5 fallback: a final cost above the item's cap only after the owners of
        # the 列支范围 approve the excess in a supplementary vote, called by the convener.
        buttons.append(
            {"name": "emergency:supplementary", "label": _("发起超上限补充表决"), "secondary": True}
        )
    if status == Status.SETTLED and permissions.can(user, "publication.issue", application):
        buttons.append({"name": "emergency:publish", "label": _("发布公示")})
    if status not in (Status.FILED, Status.REFUSED) and permissions.can(user, REVIEW, application):
        buttons.append(
            {"name": "emergency:recovery_new", "label": _("登记追偿"), "secondary": True}
        )
    if can_apply and status not in (Status.SETTLED, Status.PUBLISHED, Status.REFUSED):
        buttons.append(
            {"name": "emergency:evidence_add", "label": _("补充材料"), "secondary": True}
        )
    return buttons


def detail(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    application = selectors.application_get(request.user, pk)
    now = timezone.now()
    return render(
        request,
        "emergency/detail.html",
        {
            "application": application,
            "status_label": application.current_status_label(now),
            "deadlines": selectors.deadline_rows(application, now),
            "evidence": application.evidence.order_by("kind", "pk"),
            "plan": ResponsePlan.objects.filter(area=application.area).first(),
            "problems": application.problems.select_related("community__street"),
            "commission": getattr(application, "commission", None),
            "warranty_rows": selectors.warranty_rows(application),
            "deemed_bar": application.deemed_barred_now(now),
            "claims": list(application.recovery_claims.select_related("recorded_by")),
            "can_track_claims": permissions.can(request.user, REVIEW, application),
            "can_abandon_claims": permissions.can(request.user, APPROVE, application),
            "actions": _actions(request.user, application, now),
            "can_edit_plan": permissions.can(request.user, APPLY, application.area),
            **_money(request.user, application),
        },
    )


def _money(user, application: EmergencyApplication) -> dict:
    """The FundUse side shown on the page: instructions, settlement, the notice."""
    fund_use = application.fund_use
    if fund_use is None:
        return {"fund_use": None}
    return {
        "fund_use": fund_use,
        "payments": list(fund_use.payments.order_by("instructed_at", "pk")),
        "can_confirm": permissions.can(user, "payment.confirm", application),
        "shares": natural_sorted(fund_use.shares.all(), key=lambda share: share.unit_code),
        # RULES.md §4: units and areas frozen at approval; later register changes, the
        # shortfall demands (分摊补缴) and the debts reported, shown to the bureau, the
        # convener (committee) and the street officer (``fund.view_area``).
        **reservations_context(
            None,
            fund_use,
            staff=permissions.can(user, "fund.view_area", application)
            or permissions.can(user, "application.review", application)
            or permissions.can(user, "application.approve", application),
            mine=set(),
        ),
        "shortfall_page": "emergency",
        "can_pay_demand": permissions.can(user, "payment.confirm", application),
        # RULES.md §5: an emergency's shortfall is advanced only from the account the
        # bureau names; the approver names it and advances.
        "can_advance": permissions.can(user, "application.approve", application),
        "advance_account": AdvanceAccount.objects.filter(
            area=application.area_id, active=True
        ).first(),
    }


def evidence_file(request, pk: int, evidence_pk: int):
    """One evidence file, to those who may see its application (else 404)."""
    if not request.user.is_authenticated:
        raise Http404
    application = selectors.application_get(request.user, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, application=application)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=not evidence.is_image,
        filename=evidence.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------- works side

# What each works-side page says, in the order it shows it (``ActionWords``): the title, what
# the action sets going, the button (the confirmation), and the message once it is taken.
WORDS = {
    "works_start": ActionWords(
        _("登记开工"),
        _("开工时间用于考核开工时限；可以填写实际开工的时间。"),
        _("确认开工"),
        _("已登记开工。"),
    ),
    "works_done": ActionWords(
        _("登记完工"),
        _("完工后由业委会（物管会）或申请单位组织验收。"),
        _("确认完工"),
        _("已登记完工。"),
    ),
    "accept": ActionWords(
        _("竣工验收"),
        _("上传验收记录（签字的验收单照片或 PDF），验收后进入结算分摊。"),
        _("确认验收"),
        _("已验收。"),
    ),
    "evidence_add": ActionWords(
        _("补充材料"),
        _("补充的材料和原材料一样保存，不能删除。"),
        _("上传"),
        _("已补充材料。"),
    ),
}


@action_view(MomentForm, WORDS["works_start"], multipart=True)
def works_start(application, actor, data):
    services.application_works_start(application=application, actor=actor, at=data.get("at"))


@action_view(MomentForm, WORDS["works_done"], multipart=True)
def works_done(application, actor, data):
    services.application_works_done(application=application, actor=actor, at=data.get("at"))


@action_view(AcceptForm, WORDS["accept"], multipart=True)
def accept(application, actor, data):
    services.application_accept(
        application=application, actor=actor, note=data["note"], evidence=data["files"]
    )


@action_view(EvidenceForm, WORDS["evidence_add"], multipart=True)
def evidence_add(application, actor, data):
    services.evidence_add(
        application=application, actor=actor, kind=data["kind"], upload=data["file"]
    )
