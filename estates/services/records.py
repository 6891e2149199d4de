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
from core.errors import DomainError

from ..models import ManagementArea, PropertyCompany
from ._record_helpers import (
    EDIT,
    _area_state,
    _choice,
    _company_state,
    _contact_phone,
    _rate,
    _save_if_changed,
    _text,
    _uscc,
)
from .committees import (
    committee_create,
    committee_member_add,
    committee_member_remove,
    committee_member_update,
    committee_update,
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
        "name": _text(
            name, field="name", label=_("物业管理区域名称"), max_length=200, required=True
        ),
        "estate_name": _text(
            estate_name, field="estate_name", label=_("小区名称"), max_length=200, required=False
        ),
        "boundaries": _text(
            boundaries, field="boundaries", label=_("四至范围"), max_length=500, required=False
        ),
        "service_form": _choice(
            service_form,
            ManagementArea.ServiceForm,
            field="service_form",
            label=_("物业服务形态"),
        ),
        "committee_status": _choice(
            committee_status,
            ManagementArea.CommitteeStatus,
            field="committee_status",
            label=_("业委会组建情况"),
        ),
        "party_coverage": _choice(
            party_coverage,
            ManagementArea.PartyCoverage,
            field="party_coverage",
            label=_("党的工作覆盖"),
        ),
        "project_manager": _text(
            project_manager,
            field="project_manager",
            label=_("项目负责人"),
            max_length=50,
            required=False,
        ),
        "fee_collection_rate": _rate(fee_collection_rate),
    }
    with transaction.atomic():
        locked = ManagementArea.objects.select_for_update().get(pk=area.pk)
        if (
            property_company is not None
            and not PropertyCompany.objects.filter(pk=property_company.pk).exists()
        ):
            message = _("所选物业服务企业不存在。")
            raise DomainError("unknown_company", message, fields={"property_company": message})
        before = _area_state(locked)
        for key, value in values.items():
            setattr(locked, key, value)
        locked.property_company = property_company
        after = _area_state(locked)
        _save_if_changed(
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
        "name": _text(name, field="name", label=_("企业名称"), max_length=200, required=True),
        "uscc": _uscc(uscc),
        "contact_name": _text(
            contact_name, field="contact_name", label=_("联系人"), max_length=50, required=False
        ),
        "contact_phone": _contact_phone(contact_phone),
    }
    same = PropertyCompany.objects.filter(uscc=values["uscc"])
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        message = _("已有企业使用该统一社会信用代码。")
        raise DomainError("duplicate_uscc", message, fields={"uscc": message})
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
            after=_company_state(company),
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
        before = _company_state(locked)
        for key, value in values.items():
            setattr(locked, key, value)
        after = _company_state(locked)
        _save_if_changed(
            locked,
            before=before,
            after=after,
            actor=actor,
            action="company.update",
            summary={"name": locked.name},
        )
    return locked
