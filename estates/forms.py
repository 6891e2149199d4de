"""Forms of the register pages. They parse input only; the rules live in the services
(``estates.services.records``), whose ``DomainError`` the views show as form errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import permissions

from .models import Committee, CommitteeMember, ManagementArea, PropertyCompany

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("房屋编码或业主姓名"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("如 1栋-1单元-101 或 张三")}
        ),
    )


class AreaForm(forms.Form):
    """Annex 1 fields of one management area (RULES.md §8)."""

    name = forms.CharField(label=_("物业管理区域名称"), max_length=200)
    estate_name = forms.CharField(label=_("小区名称"), max_length=200, required=False)
    boundaries = forms.CharField(
        label=_("四至范围"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：东至××路，南至××街，西至××小区，北至××河。"),
    )
    service_form = forms.TypedChoiceField(
        label=_("物业服务形态"), choices=ManagementArea.ServiceForm.choices, coerce=int
    )
    committee_status = forms.TypedChoiceField(
        label=_("业委会组建情况"), choices=ManagementArea.CommitteeStatus.choices, coerce=int
    )
    party_coverage = forms.TypedChoiceField(
        label=_("党的工作覆盖"), choices=ManagementArea.PartyCoverage.choices, coerce=int
    )
    property_company = forms.ModelChoiceField(
        label=_("物业服务企业"),
        queryset=PropertyCompany.objects.order_by("name"),
        required=False,
        empty_label=_("（无）"),
    )
    project_manager = forms.CharField(label=_("项目负责人"), max_length=50, required=False)
    fee_collection_rate = forms.DecimalField(
        label=_("物业费收缴率(%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("百分数，最多两位小数，如 92.50。"),
    )

    @classmethod
    def initial_for(cls, area: ManagementArea) -> dict:
        return {
            "name": area.name,
            "estate_name": area.estate_name,
            "boundaries": area.boundaries,
            "service_form": area.service_form,
            "committee_status": area.committee_status,
            "party_coverage": area.party_coverage,
            "property_company": area.property_company_id,
            "project_manager": area.project_manager,
            "fee_collection_rate": area.fee_collection_rate,
        }


class CommitteeForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Committee.Kind.choices)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE_INPUT)
    term_end = forms.DateField(
        label=_("任期结束"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("尚未确定可留空。"),
    )

    @classmethod
    def initial_for(cls, committee: Committee) -> dict:
        return {
            "kind": committee.kind,
            "term_start": committee.term_start,
            "term_end": committee.term_end,
        }


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    position = forms.ChoiceField(label=_("职务"), choices=CommitteeMember.Position.choices)


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("企业名称"), max_length=200)
    # Longer than 18 so that a mistyped code reaches the service's checksum
    # message instead of a generic length error.
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    @classmethod
    def initial_for(cls, company: PropertyCompany) -> dict:
        return {
            "name": company.name,
            "uscc": company.uscc,
            "contact_name": company.contact_name,
            "contact_phone": company.contact_phone,
        }


class Annex1Form(forms.Form):
    """Which part of the district to export; the choices are the user's own streets."""

    street = forms.ChoiceField(label=_("范围"), required=False)

    def __init__(self, *args, streets, district_choice: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", district_choice)] if district_choice else []
        choices += [(street.code, street.name) for street in streets]
        self.fields["street"].choices = choices
        if not district_choice:
            self.fields["street"].required = bool(choices)


class AreaRegisterIssueForm(forms.Form):
    area = forms.ModelChoiceField(label=_("物业管理区域"), queryset=ManagementArea.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = permissions.areas_for(user, "publication.issue").order_by(
            "code"
        )
