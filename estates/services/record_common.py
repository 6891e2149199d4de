"""States, change detection and field validation shared by the register's record services."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_check
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from accounts.phones import is_valid_phone, normalize_phone
from audit.services import audit_record
from core.errors import DomainError

from ..models import Committee, CommitteeMember, ManagementArea, PropertyCompany

EDIT = "register.edit"
# A company's contact may be a mobile or a landline with its area code (0557-1234567).
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
RATE_MAX = Decimal("100")
CENT = Decimal("0.01")


# --------------------------------------------------------------------------- states


def area_state(area: ManagementArea) -> dict[str, Any]:
    return {
        "name": area.name,
        "estate_name": area.estate_name,
        "boundaries": area.boundaries,
        "service_form": area.service_form,
        "committee_status": area.committee_status,
        "party_coverage": area.party_coverage,
        "property_company": area.property_company_id,
        "project_manager": area.project_manager,
        "fee_collection_rate": (
            None if area.fee_collection_rate is None else f"{area.fee_collection_rate:.2f}"
        ),
    }


def committee_state(committee: Committee) -> dict[str, Any]:
    return {
        "area": committee.area_id,
        "kind": committee.kind,
        "term_start": committee.term_start.isoformat(),
        "term_end": committee.term_end.isoformat() if committee.term_end else None,
    }


def member_state(member: CommitteeMember) -> dict[str, Any]:
    return {"committee": member.committee_id, "name": member.name, "position": member.position}


def company_state(company: PropertyCompany) -> dict[str, Any]:
    return {
        "name": company.name,
        "uscc": company.uscc,
        "contact_name": company.contact_name,
        "contact_phone": company.contact_phone,
    }


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in after if before.get(key) != after[key])


def save_if_changed(
    locked, *, before: dict, after: dict, actor, action: str, summary: dict, check=None
) -> bool:
    """Save ``locked`` and audit the change, unless nothing changed (then nothing is written).

    ``check`` runs only for a real change, before saving, and may raise DomainError.
    Returns whether anything was saved.
    """
    changed = _changed(before, after)
    if not changed:
        return False
    if check is not None:
        check()
    locked.save()
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        before=before,
        after=after,
        summary={**summary, "changed": changed},
    )
    return True


# --------------------------------------------------------------------------- validation


def valid_choice(value: Any, choices: type, *, field: str, label: str) -> int:
    try:
        code = int(value)
    except (TypeError, ValueError):
        code = None
    if code not in choices.values:
        message = _("%(label)s的代码无效。") % {"label": label}
        raise DomainError("invalid_code", message, fields={field: message})
    return code


def valid_rate(value: Decimal | str | None) -> Decimal | None:
    """物业费收缴率 as a percentage with two decimals, 0–100 (annex 1)."""
    if value is None or value == "":
        return None
    message = _("物业费收缴率应为 0 到 100 之间、最多两位小数的百分数。")
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(
            "invalid_rate", message, fields={"fee_collection_rate": message}
        ) from None
    if (
        not rate.is_finite() or rate < 0 or rate > RATE_MAX or rate.as_tuple().exponent < -2  # type: ignore[operator]
    ):
        raise DomainError("invalid_rate", message, fields={"fee_collection_rate": message})
    return rate.quantize(CENT)


def valid_uscc(value: str) -> str:
    """The unified social credit code, compacted and checked with stdnum ``cn.uscc``."""
    raw = (value or "").strip()
    if not raw:
        message = _("请填写统一社会信用代码。")
        raise DomainError("required", message, fields={"uscc": message})
    try:
        return uscc_check.validate(raw)
    except InvalidChecksum:
        message = _("统一社会信用代码的校验位不正确，请核对营业执照。")
    except InvalidLength:
        message = _("统一社会信用代码应为 18 位。")
    except ValidationError:
        message = _("统一社会信用代码格式不正确（18 位数字或大写字母，不含 I、O、Z、S、V）。")
    raise DomainError("invalid_uscc", message, fields={"uscc": message})


def valid_contact_phone(value: str) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    mobile = normalize_phone(raw)
    if is_valid_phone(mobile):
        return mobile
    if LANDLINE_RE.match(raw):
        return raw
    message = _("请填写 11 位手机号码，或带区号的固定电话（如 0557-1234567）。")
    raise DomainError("invalid_phone", message, fields={"contact_phone": message})
