"""Admin: the register can be read here, not written.

Every change to the register must be validated and audited (DESIGN.md
"Conventions"), which only the services do: the import
(``estates.services.importing``) and the record pages
(``estates.services.records``). So the admin is read-only for everyone,
superusers included, and persons appear with their ID number masked — the
encrypted column and its HMAC are not shown at all.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.phones import mask_phone
from core.admin import ReadOnlyAdmin

from .models import (
    Building,
    Committee,
    CommitteeMember,
    Community,
    ManagementArea,
    Ownership,
    Person,
    PropertyCompany,
    Street,
    Unit,
)


@admin.register(Street)
class StreetAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Community)
class CommunityAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "street"]
    list_filter = ["street"]
    search_fields = ["code", "name"]
    list_select_related = ["street"]


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(ReadOnlyAdmin):
    list_display = ["name", "uscc", "contact_name", "masked_contact_phone"]
    search_fields = ["name", "uscc"]
    exclude = ["contact_phone"]

    @admin.display(description=_("联系电话"))
    def masked_contact_phone(self, obj: PropertyCompany) -> str:
        return mask_phone(obj.contact_phone)

    def get_readonly_fields(self, request, obj=None):
        return ["name", "uscc", "contact_name", "masked_contact_phone"]


@admin.register(ManagementArea)
class ManagementAreaAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "name",
        "community",
        "service_form",
        "committee_status",
        "party_coverage",
        "property_company",
        "fee_collection_rate",
    ]
    list_filter = ["service_form", "committee_status", "party_coverage", "community__street"]
    search_fields = ["code", "name", "estate_name"]
    list_select_related = ["community__street", "property_company"]


@admin.register(Building)
class BuildingAdmin(ReadOnlyAdmin):
    list_display = ["name", "area", "completion_date"]
    search_fields = ["name", "area__code", "area__name"]
    list_select_related = ["area"]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "area",
        "use",
        "floor_area",
        "area_basis",
        "delivered",
        "developer_held",
    ]
    list_filter = ["use", "area_basis", "delivered", "developer_held"]
    search_fields = ["code", "area__code"]
    list_select_related = ["area"]
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "masked_id", "masked_phone", "user"]
    search_fields = ["name"]
    fields = ["name", "masked_id", "masked_phone", "user"]
    show_full_result_count = False

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj: Person) -> str:
        return obj.masked_id

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: Person) -> str:
        return mask_phone(obj.phone)

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(Ownership)
class OwnershipAdmin(ReadOnlyAdmin):
    list_display = ["unit", "person", "since", "until"]
    list_filter = ["until"]
    search_fields = ["unit__code", "person__name"]
    list_select_related = ["unit", "person"]
    show_full_result_count = False


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    fields = ["name", "position"]
    readonly_fields = ["name", "position"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyAdmin):
    list_display = ["area", "kind", "term_start", "term_end"]
    list_filter = ["kind"]
    search_fields = ["area__code", "area__name"]
    list_select_related = ["area"]
    inlines = [CommitteeMemberInline]
