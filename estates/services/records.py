"""Writes to the register's records kept by the bureau (``register.edit``).

Each service checks the actor's permission, validates, locks the row it
changes, writes it, and appends an audit event with digests of the state
before and after, all in one transaction (STYLE.md §2, DESIGN.md
"Conventions"). Saving a record unchanged writes nothing and records nothing.

- A management area's annex-1 fields (RULES.md §8, programme annex 1).
- Committees (业委会 / 物管会) with their terms and members (``committees``, re-exported here).
- Property companies, whose unified social credit code is checked with
  python-stdnum ``cn.uscc``.

Audit summaries name the fields that changed, never their values where the
value is a phone number (personal data stays out of the audit page).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text

from ..models import ManagementArea, PropertyCompany
from .committees import (
    committee_create,
    committee_member_add,
    committee_member_remove,
    committee_member_update,
    committee_update,
)
from .record_common import (
    EDIT,
    area_state,
    company_state,
    save_if_changed,
    valid_choice,
    valid_contact_phone,
    valid_rate,
    valid_uscc,
)

__all__ = [
    "area_update",
    "committee_create",
    "committee_member_add",
    "committee_member_remove",
    "committee_member_update",
    "committee_update",
    "company_create",
    "company_update",
]


# --------------------------------------------------------------------------- areas


def area_update(
    *,
    area: ManagementArea,
    actor,
    name: str,
    estate_name: str,
    boundaries: str,
    service_form: int,
    committee_status: int,
    party_coverage: int,
    property_company: PropertyCompany | None,
    project_manager: str,
    fee_collection_rate: Decimal | str | None,
) -> ManagementArea:
    """Edit a management area's annex-1 fields (RULES.md §8)."""
    require(actor, EDIT, area)
    values = {
        "name": clean_text(
            name, field="name", label=_("物业管理区域名称"), limit=200, required=True
        ),
        "estate_name": clean_text(
            estate_name, field="estate_name", label=_("小区名称"), limit=200, required=False
        ),
        "boundaries": clean_text(
            boundaries, field="boundaries", label=_("四至范围"), limit=500, required=False
        ),
        "service_form": valid_choice(
            service_form,
            ManagementArea.ServiceForm,
            field="service_form",
            label=_("物业服务形态"),
        ),
        "committee_status": valid_choice(
            committee_status,
            ManagementArea.CommitteeStatus,
            field="committee_status",
            label=_("业委会组建情况"),
        ),
        "party_coverage": valid_choice(
            party_coverage,
            ManagementArea.PartyCoverage,
            field="party_coverage",
            label=_("党的工作覆盖"),
        ),
        "project_manager": clean_text(
            project_manager,
            field="project_manager",
            label=_("项目负责人"),
            limit=50,
            required=False,
        ),
        "fee_collection_rate": valid_rate(fee_collection_rate),
    }
    with transaction.atomic():
        locked = ManagementArea.objects.select_for_update().get(pk=area.pk)
        if (
            property_company is not None
            and not PropertyCompany.objects.filter(pk=property_company.pk).exists()
        ):
            message = _("所选物业服务企业不存在。")
            raise DomainError("unknown_company", message, fields={"property_company": message})
        before = area_state(locked)
        for key, value in values.items():
            setattr(locked, key, value)
        locked.property_company = property_company
        after = area_state(locked)
        save_if_changed(
            locked,
            before=before,
            after=after,
            actor=actor,
            action="area.update",
            summary={"area": locked.code},
        )
    return locked


# --------------------------------------------------------------------------- companies


def _company_values(
    *, name: str, uscc: str, contact_name: str, contact_phone: str, exclude: int | None
) -> dict[str, str]:
    values = {
        "name": clean_text(name, field="name", label=_("企业名称"), limit=200, required=True),
        "uscc": valid_uscc(uscc),
        "contact_name": clean_text(
            contact_name, field="contact_name", label=_("联系人"), limit=50, required=False
        ),
        "contact_phone": valid_contact_phone(contact_phone),
    }
    same = PropertyCompany.objects.filter(uscc=values["uscc"])
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        message = _("已有企业使用该统一社会信用代码。")
        raise Conflict("duplicate_uscc", message, fields={"uscc": message})
    return values


def company_create(
    *, actor, name: str, uscc: str, contact_name: str = "", contact_phone: str = ""
) -> PropertyCompany:
    """Record a property company (物业服务企业)."""
    require(actor, EDIT)
    with transaction.atomic():
        values = _company_values(
            name=name,
            uscc=uscc,
            contact_name=contact_name,
            contact_phone=contact_phone,
            exclude=None,
        )
        company = PropertyCompany.objects.create(**values)
        audit_record(
            actor=actor,
            action="company.create",
            obj=company,
            after=company_state(company),
            summary={"name": company.name, "uscc": company.uscc},
        )
    return company


def company_update(
    *,
    company: PropertyCompany,
    actor,
    name: str,
    uscc: str,
    contact_name: str,
    contact_phone: str,
) -> PropertyCompany:
    require(actor, EDIT)
    with transaction.atomic():
        locked = PropertyCompany.objects.select_for_update().get(pk=company.pk)
        values = _company_values(
            name=name,
            uscc=uscc,
            contact_name=contact_name,
            contact_phone=contact_phone,
            exclude=locked.pk,
        )
        before = company_state(locked)
        for key, value in values.items():
            setattr(locked, key, value)
        after = company_state(locked)
        save_if_changed(
            locked,
            before=before,
            after=after,
            actor=actor,
            action="company.update",
            summary={"name": locked.name},
        )
    return locked
