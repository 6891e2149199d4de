"""The bureau's record pages: annex-1 fields of an area, committees, property companies.

Thin views (STYLE.md §3): a form parses the input, one service in
``estates.services.records`` validates, writes and audits; a ``DomainError``
comes back as a form error with nothing changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from accounts.permissions import areas_for
from accounts.phones import mask_phone
from core.guards import ActionRequiredMixin
from core.views import DomainErrorMixin

from .. import browse
from ..forms import AreaForm, CommitteeForm, CompanyForm, MemberForm
from ..models import Committee, CommitteeMember, PropertyCompany
from ..services import records

EDIT = "register.edit"


class ServiceFormView(FormView):
    """``perform(form)`` calls the service inside ``DomainErrorMixin``'s guard.

    ``load()`` fetches the object the page is about; it runs after
    ``ActionRequiredMixin`` (earlier in the MRO) has checked the action, so
    a user without it gets 403 before anything is looked up.
    """

    success_message = ""

    def load(self) -> None:
        pass

    def dispatch(self, request, *args, **kwargs):
        self.load()
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form) -> None:
        raise NotImplementedError

    def form_invalid(self, form):
        # An invalid form is invalid input (BRIEF rule 1): the page answers 400.
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        self.perform(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return super().form_valid(form)


class EditView(ActionRequiredMixin, DomainErrorMixin, ServiceFormView):
    action = EDIT


def _committee_get(user, pk: int) -> Committee:
    # Out of the editor's scope is "not found", like the browse pages.
    return get_object_or_404(
        Committee.objects.select_related("area__community__street"),
        pk=pk,
        area__in=areas_for(user, EDIT).values("pk"),
    )


def _member_get(user, pk: int) -> CommitteeMember:
    return get_object_or_404(
        CommitteeMember.objects.select_related("committee__area__community__street"),
        pk=pk,
        committee__area__in=areas_for(user, EDIT).values("pk"),
    )


# --------------------------------------------------------------------------- areas


class AreaEditView(EditView):
    template_name = "estates/area_form.html"
    form_class = AreaForm

    def load(self):
        self.area = browse.area_get(self.request.user, self.kwargs["code"], action=EDIT)

    def get_initial(self):
        return AreaForm.initial_for(self.area)

    def get_context_data(self, **kwargs):
        return super().get_context_data(area=self.area, **kwargs)

    def perform(self, form):
        records.area_update(area=self.area, actor=self.request.user, **form.cleaned_data)
        self.success_message = _("已保存“%(name)s”的台账信息。") % {"name": self.area.name}

    def get_success_url(self):
        return reverse("estates:area", args=[self.area.code])


# --------------------------------------------------------------------------- committees


class CommitteeCreateView(EditView):
    template_name = "estates/committee_form.html"
    form_class = CommitteeForm

    def load(self):
        self.area = browse.area_get(self.request.user, self.kwargs["code"], action=EDIT)

    def get_context_data(self, **kwargs):
        return super().get_context_data(area=self.area, committee=None, **kwargs)

    def perform(self, form):
        self.committee = records.committee_create(
            area=self.area, actor=self.request.user, **form.cleaned_data
        )
        self.success_message = _("已登记%(kind)s。") % {"kind": self.committee.get_kind_display()}

    def get_success_url(self):
        return reverse("estates:committee", args=[self.committee.pk])


class CommitteeView(ActionRequiredMixin, TemplateView):
    """One committee with its members, and a form to add a member."""

    action = EDIT
    template_name = "estates/committee.html"

    def get_context_data(self, **kwargs):
        committee = _committee_get(self.request.user, self.kwargs["pk"])
        return super().get_context_data(
            committee=committee,
            area=committee.area,
            members=committee.members.order_by("position", "name"),
            member_form=MemberForm(),
            **kwargs,
        )


class CommitteeEditView(EditView):
    template_name = "estates/committee_form.html"
    form_class = CommitteeForm
    success_message = _("已保存任期信息。")

    def load(self):
        self.committee = _committee_get(self.request.user, self.kwargs["pk"])

    def get_initial(self):
        return CommitteeForm.initial_for(self.committee)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            area=self.committee.area, committee=self.committee, **kwargs
        )

    def perform(self, form):
        records.committee_update(
            committee=self.committee, actor=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("estates:committee", args=[self.committee.pk])


class MemberAddView(EditView):
    template_name = "estates/member_form.html"
    form_class = MemberForm

    def load(self):
        self.committee = _committee_get(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(committee=self.committee, member=None, **kwargs)

    def perform(self, form):
        member = records.committee_member_add(
            committee=self.committee, actor=self.request.user, **form.cleaned_data
        )
        self.success_message = _("已添加委员 %(name)s。") % {"name": member.name}

    def get_success_url(self):
        return reverse("estates:committee", args=[self.committee.pk])


class MemberEditView(EditView):
    template_name = "estates/member_form.html"
    form_class = MemberForm
    success_message = _("已保存委员信息。")

    def load(self):
        self.member = _member_get(self.request.user, self.kwargs["pk"])

    def get_initial(self):
        return {"name": self.member.name, "position": self.member.position}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            committee=self.member.committee, member=self.member, **kwargs
        )

    def perform(self, form):
        records.committee_member_update(
            member=self.member, actor=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("estates:committee", args=[self.member.committee_id])


class MemberRemoveView(ActionRequiredMixin, TemplateView):
    """GET asks for confirmation; POST removes the member (audited)."""

    action = EDIT
    template_name = "estates/member_remove.html"

    def get_context_data(self, **kwargs):
        member = _member_get(self.request.user, self.kwargs["pk"])
        return super().get_context_data(member=member, committee=member.committee, **kwargs)

    def post(self, request, *args, **kwargs):
        member = _member_get(request.user, kwargs["pk"])
        committee_id = member.committee_id
        records.committee_member_remove(member=member, actor=request.user)
        messages.success(request, _("已移除委员 %(name)s。") % {"name": member.name})
        return redirect("estates:committee", committee_id)


# --------------------------------------------------------------------------- companies


class CompanyListView(ActionRequiredMixin, TemplateView):
    action = EDIT
    template_name = "estates/company_list.html"

    def get_context_data(self, **kwargs):
        companies = list(PropertyCompany.objects.order_by("name"))
        for company in companies:
            # Lists show phones masked (DESIGN.md "Personal data"); the edit form shows it whole.
            company.masked_phone = mask_phone(company.contact_phone)
        return super().get_context_data(companies=companies, **kwargs)


class CompanyCreateView(EditView):
    template_name = "estates/company_form.html"
    form_class = CompanyForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(company=None, **kwargs)

    def perform(self, form):
        company = records.company_create(actor=self.request.user, **form.cleaned_data)
        self.success_message = _("已登记物业服务企业“%(name)s”。") % {"name": company.name}

    def get_success_url(self):
        return reverse("estates:companies")


class CompanyEditView(EditView):
    template_name = "estates/company_form.html"
    form_class = CompanyForm
    success_message = _("已保存企业信息。")

    def load(self):
        self.company = get_object_or_404(PropertyCompany, pk=self.kwargs["pk"])

    def get_initial(self):
        return CompanyForm.initial_for(self.company)

    def get_context_data(self, **kwargs):
        return super().get_context_data(company=self.company, **kwargs)

    def perform(self, form):
        records.company_update(company=self.company, actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("estates:companies")
