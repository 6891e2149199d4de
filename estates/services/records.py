"""Writes to the register's records kept by the bureau (``register.edit``).

Each service checks the actor's permission, validates, locks the row it
changes, writes it, and appends an audit event with digests of the state
before and after, all in one transaction (STYLE.md §2, DESIGN.md
"Conventions"). Saving a record unchanged writes nothing and records nothing.

- A management area's annex-1 fields (RULES.md §8, programme annex 1).
- Committees (业委会 / 物管会) with their terms and members.
- Property companies, whose unified social credit code is checked with
  python-stdnum ``cn.uscc``.

Audit summaries name the fields that changed, never their values where the
value is a phone number (personal data stays out of the audit page).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_check
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from accounts.permissions import require
from accounts.phones import is_valid_phone, normalize_phone
from audit.services import audit_record
from gongzhi.errors import DomainError

from ..models import Committee, CommitteeMember, ManagementArea, PropertyCompany

EDIT = "register.edit"
# A company's contact may be a mobile or a landline with its area code (0557-1234567).
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
RATE_MAX = Decimal("100")
CENT = Decimal("0.01")


# --------------------------------------------------------------------------- states


def _area_state(area: ManagementArea) -> dict[str, Any]:
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


def _committee_state(committee: Committee) -> dict[str, Any]:
    return {
        "area": committee.area_id,
        "kind": committee.kind,
        "term_start": committee.term_start.isoformat(),
        "term_end": committee.term_end.isoformat() if committee.term_end else None,
    }


def _member_state(member: CommitteeMember) -> dict[str, Any]:
    return {"committee": member.committee_id, "name": member.name, "position": member.position}


def _company_state(company: PropertyCompany) -> dict[str, Any]:
    return {
        "name": company.name,
        "uscc": company.uscc,
        "contact_name": company.contact_name,
        "contact_phone": company.contact_phone,
    }


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in after if before.get(key) != after[key])


def _save_if_changed(
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


def _text(value: str | None, *, field: str, label: str, max_length: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(
            "required", _("请填写%(label)s。") % {"label": label}, fields={field: _("必填。")}
        )
    if len(text) > max_length:
        message = _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": max_length}
        raise DomainError("too_long", message, fields={field: message})
    return text


def _choice(value: Any, choices: type, *, field: str, label: str) -> int:
    try:
        code = int(value)
    except (TypeError, ValueError):
        code = None
    if code not in choices.values:
        message = _("%(label)s的代码无效。") % {"label": label}
        raise DomainError("invalid_code", message, fields={field: message})
    return code


def _rate(value: Decimal | str | None) -> Decimal | None:
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


def _uscc(value: str) -> str:
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


def _contact_phone(value: str) -> str:
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


def _term(term_start: date | None, term_end: date | None) -> None:
    if term_start is None:
        message = _("请填写任期开始日期。")
        raise DomainError("required", message, fields={"term_start": message})
    if term_end is not None and term_end < term_start:
        message = _("任期结束日期不能早于开始日期。")
        raise DomainError("invalid_term", message, fields={"term_end": message})


def _overlapping(committee: Committee) -> Committee | None:
    """Another committee of the same area whose term overlaps this one.

    One management area has one owners' assembly (物业管理条例 art. 9) and so
    one committee at a time; overlapping records would make "the committee"
    ambiguous for calling assemblies and filing applications (our invariant).
    """
    others = Committee.objects.filter(area_id=committee.area_id).exclude(pk=committee.pk)
    start, end = committee.term_start, committee.term_end or date.max
    for other in others:
        if other.term_start <= end and start <= (other.term_end or date.max):
            return other
    return None


def _is_current(committee: Committee, today: date) -> bool:
    return committee.term_start <= today and (
        committee.term_end is None or committee.term_end >= today
    )


def _sync_committee_status(committee: Committee, *, actor) -> None:
    """Keep annex 1's 业委会组建情况 in step with a committee in office today.

    ``accounts.permissions`` reads this field to decide who may act "where
    there is no committee" (RULES.md §5), so recording a current committee
    must update it. An ended term is not reversed automatically: whether an
    area then has "no committee" is for the bureau to record.
    """
    if not _is_current(committee, timezone.localdate()):
        return
    wanted = (
        ManagementArea.CommitteeStatus.OWNERS_COMMITTEE
        if committee.kind == Committee.Kind.OWNERS
        else ManagementArea.CommitteeStatus.INTERIM_COMMITTEE
    )
    area = ManagementArea.objects.select_for_update().get(pk=committee.area_id)
    if area.committee_status == wanted:
        return
    before = _area_state(area)
    area.committee_status = wanted
    area.save(update_fields=["committee_status"])
    audit_record(
        actor=actor,
        action="area.update",
        obj=area,
        before=before,
        after=_area_state(area),
        summary={"area": area.code, "changed": ["committee_status"], "committee": committee.pk},
    )


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


# --------------------------------------------------------------------------- committees


def committee_create(
    *,
    area: ManagementArea,
    actor,
    kind: str,
    term_start: date,
    term_end: date | None = None,
) -> Committee:
    """Record a committee (业委会 or 物管会) of ``area`` for one term."""
    require(actor, EDIT, area)
    if kind not in Committee.Kind.values:
        message = _("请选择业主委员会或物业管理委员会。")
        raise DomainError("invalid_kind", message, fields={"kind": message})
    _term(term_start, term_end)
    with transaction.atomic():
        # Lock the area: two clerks recording committees at once must not both
        # pass the overlap check.
        locked_area = ManagementArea.objects.select_for_update().get(pk=area.pk)
        committee = Committee(area=locked_area, kind=kind, term_start=term_start, term_end=term_end)
        other = _overlapping(committee)
        if other is not None:
            message = _("与该区域已有的%(kind)s任期（%(start)s 起）重叠。") % {
                "kind": other.get_kind_display(),
                "start": other.term_start.isoformat(),
            }
            raise DomainError("term_overlap", message, fields={"term_start": message})
        committee.save()
        audit_record(
            actor=actor,
            action="committee.create",
            obj=committee,
            after=_committee_state(committee),
            summary={"area": locked_area.code, "kind": kind},
        )
        _sync_committee_status(committee, actor=actor)
    return committee


def committee_update(
    *,
    committee: Committee,
    actor,
    kind: str,
    term_start: date,
    term_end: date | None,
) -> Committee:
    require(actor, EDIT, committee.area)
    if kind not in Committee.Kind.values:
        message = _("请选择业主委员会或物业管理委员会。")
        raise DomainError("invalid_kind", message, fields={"kind": message})
    _term(term_start, term_end)
    with transaction.atomic():
        ManagementArea.objects.select_for_update().get(pk=committee.area_id)
        locked = Committee.objects.select_for_update().get(pk=committee.pk)
        before = _committee_state(locked)
        locked.kind, locked.term_start, locked.term_end = kind, term_start, term_end
        after = _committee_state(locked)

        def no_overlap():
            other = _overlapping(locked)
            if other is not None:
                message = _("与该区域已有的%(kind)s任期（%(start)s 起）重叠。") % {
                    "kind": other.get_kind_display(),
                    "start": other.term_start.isoformat(),
                }
                raise DomainError("term_overlap", message, fields={"term_start": message})

        if _save_if_changed(
            locked,
            before=before,
            after=after,
            actor=actor,
            action="committee.update",
            summary={"area": locked.area.code},
            check=no_overlap,
        ):
            _sync_committee_status(locked, actor=actor)
    return locked


def _member_values(name: str, position: str) -> tuple[str, str]:
    name = _text(name, field="name", label=_("姓名"), max_length=100, required=True)
    if position not in CommitteeMember.Position.values:
        message = _("请选择职务。")
        raise DomainError("invalid_position", message, fields={"position": message})
    return name, position


def _check_one_chair(committee: Committee, position: str, *, exclude: int | None = None) -> None:
    if position != CommitteeMember.Position.CHAIR:
        return
    chairs = committee.members.filter(position=CommitteeMember.Position.CHAIR)
    if exclude is not None:
        chairs = chairs.exclude(pk=exclude)
    if chairs.exists():
        message = _("该委员会已有主任，请先修改原主任的职务。")
        raise DomainError("chair_taken", message, fields={"position": message})


def committee_member_add(
    *, committee: Committee, actor, name: str, position: str
) -> CommitteeMember:
    require(actor, EDIT, committee.area)
    name, position = _member_values(name, position)
    with transaction.atomic():
        locked = Committee.objects.select_for_update().get(pk=committee.pk)
        _check_one_chair(locked, position)
        member = CommitteeMember.objects.create(committee=locked, name=name, position=position)
        audit_record(
            actor=actor,
            action="committee_member.add",
            obj=member,
            after=_member_state(member),
            summary={"committee": locked.pk, "name": name, "position": position},
        )
    return member


def committee_member_update(
    *, member: CommitteeMember, actor, name: str, position: str
) -> CommitteeMember:
    require(actor, EDIT, member.committee.area)
    name, position = _member_values(name, position)
    with transaction.atomic():
        committee = Committee.objects.select_for_update().get(pk=member.committee_id)
        locked = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        before = _member_state(locked)
        locked.name, locked.position = name, position
        after = _member_state(locked)
        _save_if_changed(
            locked,
            before=before,
            after=after,
            actor=actor,
            action="committee_member.update",
            summary={"committee": committee.pk},
            check=lambda: _check_one_chair(committee, position, exclude=locked.pk),
        )
    return locked


def committee_member_remove(*, member: CommitteeMember, actor) -> None:
    """Remove a member from the record; the audit event keeps who it was."""
    require(actor, EDIT, member.committee.area)
    with transaction.atomic():
        Committee.objects.select_for_update().get(pk=member.committee_id)
        locked = CommitteeMember.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None:
            return  # already removed: removing twice changes nothing
        before = _member_state(locked)
        member_pk = locked.pk
        locked.delete()
        audit_record(
            actor=actor,
            action="committee_member.remove",
            object_type=CommitteeMember._meta.label_lower,
            object_id=member_pk,
            before=before,
            summary={
                "committee": before["committee"],
                "name": before["name"],
                "position": before["position"],
            },
        )


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
