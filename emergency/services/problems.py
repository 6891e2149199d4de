"""The problem ledger (问题整治工作台账, programme annex 2; RULES.md §8).

Kept by street and community officers for their own streets / communities
and by the bureau for the district (``oversee``). Every entry and every
change is audited; saving an entry unchanged records nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from audit.services import audit_record
from core.errors import DomainError
from core.text import clean_text
from estates.models import Community, ManagementArea

from ..models import Problem

OVERSEE = "oversee"
FIELDS = (
    "project_name",
    "community",
    "area",
    "company",
    "category",
    "content",
    "measures",
    "responsible",
    "deadline",
    "closed",
    "remarks",
)
# The ledger's text columns, checked in this order: (required, the most characters, label).
TEXTS = {
    "project_name": (True, 200, gettext_lazy("项目名称")),
    "company": (False, 200, gettext_lazy("物业服务企业")),
    "category": (True, 50, gettext_lazy("问题类别")),
    "content": (True, 5000, gettext_lazy("问题内容")),
    "measures": (False, 5000, gettext_lazy("整改措施及进展")),
    "responsible": (False, 200, gettext_lazy("责任单位/人")),
    "remarks": (False, 2000, gettext_lazy("备注")),
}


def _state(problem: Problem) -> dict[str, Any]:
    return {
        "project_name": problem.project_name,
        "community": problem.community_id,
        "area": problem.area_id,
        "company": problem.company,
        "category": problem.category,
        "content": problem.content,
        "measures": problem.measures,
        "responsible": problem.responsible,
        "deadline": problem.deadline.isoformat() if problem.deadline else None,
        "closed": problem.closed,
        "remarks": problem.remarks,
    }


def _clean(values: dict[str, Any], actor) -> dict[str, Any]:
    community = values.get("community")
    area = values.get("area")
    if not isinstance(community, Community):
        message = _("请选择所在街道社区。")
        raise DomainError("required", message, fields={"community": message})
    if area is not None and (
        not isinstance(area, ManagementArea) or area.community_id != community.pk
    ):
        message = _("所选物业管理区域不在该社区。")
        raise DomainError("bad_area", message, fields={"area": message})
    # The actor must oversee where the problem sits (an officer: their own street/community).
    permissions.require(actor, OVERSEE, area if area is not None else community)
    deadline = values.get("deadline")
    if deadline is not None and not isinstance(deadline, date):
        message = _("请填写有效的日期。")
        raise DomainError("bad_date", message, fields={"deadline": message})
    company = values.get("company") or ""
    if not company.strip() and area is not None and area.property_company_id:
        company = area.property_company.name
    given = {**values, "company": company}
    texts = {
        name: clean_text(
            given.get(name, ""),
            field=name,
            required=required,
            limit=limit,
            label=label,
            multiline=limit >= 500,
        )
        for name, (required, limit, label) in TEXTS.items()
    }
    return {
        **texts,
        "community": community,
        "area": area,
        "deadline": deadline,
        "closed": bool(values.get("closed", False)),
    }


def problem_create(*, actor, **values) -> Problem:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"problem_create got unknown fields: {', '.join(sorted(unknown))}")
    cleaned = _clean(values, actor)
    with transaction.atomic():
        problem = Problem.objects.create(created_by=actor, **cleaned)
        audit_record(
            actor=actor,
            action="emergency.problem_create",
            obj=problem,
            after=_state(problem),
            summary={"problem": problem.pk, "project": problem.project_name[:50]},
        )
    return problem


def problem_update(*, problem: Problem, actor, **changes) -> Problem:
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"problem_update got unknown fields: {', '.join(sorted(unknown))}")
    # Where it sits now must be the actor's too: an officer cannot take over another street's entry.
    permissions.require(actor, OVERSEE, problem)
    with transaction.atomic():
        locked = Problem.objects.select_for_update().get(pk=problem.pk)
        before = _state(locked)
        current = {name: getattr(locked, name) for name in FIELDS}
        cleaned = _clean({**current, **changes}, actor)
        changed = [name for name in FIELDS if getattr(locked, name) != cleaned[name]]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, cleaned[name])
        locked.updated_at = timezone.now()
        locked.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="emergency.problem_update",
            obj=locked,
            before=before,
            after=_state(locked),
            summary={"problem": locked.pk, "changed": changed},
        )
    return locked
