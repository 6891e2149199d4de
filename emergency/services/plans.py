"""Keeping an area's response plan (紧急维修预案, RULES.md §5).

Kept by whoever files emergency applications for the area
(``emergency.apply``: the committee, or the property company or the street /
community office where the area has none). Saving it unchanged writes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.text import clean_text
from estates.models import ManagementArea

from ..models import ResponsePlan

APPLY = "emergency.apply"


def _plan_state(plan: ResponsePlan) -> dict:
    return {"contacts": plan.contacts, "contractors": plan.contractors, "steps": plan.steps}


def plan_save(
    *, area: ManagementArea, contacts: str, contractors: str, steps: str, actor
) -> ResponsePlan:
    permissions.require(actor, APPLY, area)
    values = {
        "contacts": clean_text(
            contacts,
            field="contacts",
            required=True,
            limit=2000,
            label=_("应急联系人"),
            multiline=True,
        ),
        "contractors": clean_text(
            contractors,
            field="contractors",
            required=False,
            limit=2000,
            label=_("待命维修单位"),
            multiline=True,
        ),
        "steps": clean_text(
            steps, field="steps", required=True, limit=5000, label=_("处置步骤"), multiline=True
        ),
    }
    with transaction.atomic():
        plan = ResponsePlan.objects.select_for_update().filter(area=area).first()
        before = _plan_state(plan) if plan else None
        if plan is not None and before == values:
            return plan
        if plan is None:
            plan = ResponsePlan(area=area)
        for name, value in values.items():
            setattr(plan, name, value)
        plan.updated_at = timezone.now()
        plan.updated_by = actor
        plan.save()
        audit_record(
            actor=actor,
            action="emergency.plan_save",
            obj=plan,
            before=before,
            after=values,
            # Contact lines hold phone numbers: the audit page names the area, not the text.
            summary={
                "area": area.code,
                "changed": sorted(k for k in values if not before or before[k] != values[k]),
            },
        )
    return plan
