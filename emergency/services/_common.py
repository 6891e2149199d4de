"""What every emergency service shares: the clock, locking, the transition table, money text."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict

from ..models import EmergencyApplication
from ..models.applications import EXCLUSION_FIELDS

Status = EmergencyApplication.Status

# The page of the normal procedure (RULES.md §4: vote, then apply), built by the funds app.
NORMAL_PROCEDURE_URL_NAME = "funds:application_create"


def district_tz():
    # Days are the district's days (Asia/Shanghai), whatever the request's time zone.
    return timezone.get_default_timezone()


def normal_procedure_url() -> str | None:
    """The funds application page, once the funds app has one (else None)."""
    try:
        return reverse(NORMAL_PROCEDURE_URL_NAME)
    except NoReverseMatch:
        return None


def normal_procedure_text() -> str:
    return _(
        "可改走维修资金一般使用程序：由业主在列支范围内表决通过后，"
        "在“维修资金使用申请”页面提出申请（《住宅专项维修资金管理办法》第二十二条、第二十三条）。"
    )


def application_lock(application: EmergencyApplication) -> EmergencyApplication:
    """The application row, locked for the rest of the transaction (a fresh copy)."""
    return (
        EmergencyApplication.objects.select_for_update(of=("self",))
        .select_related("area__community__street", "item__version")
        .get(pk=application.pk)
    )


def state(application: EmergencyApplication) -> dict:
    return {
        "status": application.status,
        "area": application.area_id,
        "item": application.item_id,
        "estimate_fen": application.estimate_fen,
        "prepayment_fen": application.prepayment_fen,
        "scope_buildings": application.scope_buildings,
        "scope_unit_codes": application.scope_unit_codes,
        "review_due_at": application.review_due_at,
        "reviewer": application.reviewer_id,
        "approver": application.approver_id,
        "approved_at": application.approved_at,
        "deemed_approved": application.deemed_approved,
        "repair_type": application.repair_type,
        "warranty_status": application.warranty_status,
        "exclusions": [name for name in EXCLUSION_FIELDS if getattr(application, name)],
        "checked_by": application.checked_by_id,
        "checked_at": application.checked_at,
        "refused_at": application.refused_at,
        "works_started_at": application.works_started_at,
        "works_done_at": application.works_done_at,
        "accepted_at": application.accepted_at,
        "paid_at": application.paid_at,
        "settled_at": application.settled_at,
        "final_cost_fen": application.final_cost_fen,
        "published_at": application.published_at,
    }


def transition(
    application: EmergencyApplication,
    new: str,
    *,
    actor,
    action: str,
    fields: dict | None = None,
    summary: dict | None = None,
) -> EmergencyApplication:
    """Move a locked application to ``new`` if the table allows it; save, audit (STYLE.md §5)."""
    old = application.status
    if new not in EmergencyApplication.TRANSITIONS[old]:
        raise Conflict(
            "bad_transition",
            _("申请当前状态为“%(old)s”，不能变为“%(new)s”。")
            % {"old": Status(old).label, "new": Status(new).label},
        )
    before = state(application)
    application.status = new
    for name, value in (fields or {}).items():
        setattr(application, name, value)
    application.save(update_fields=["status", *(fields or {})])
    audit_record(
        actor=actor,
        action=action,
        obj=application,
        before=before,
        after=state(application),
        summary={"application": application.pk, "from": old, "to": new, **(summary or {})},
    )
    return application


def record(
    application: EmergencyApplication,
    *,
    actor,
    action: str,
    fields: dict,
    summary: dict | None = None,
) -> EmergencyApplication:
    """Save facts of a locked application that do not change its status, and audit them."""
    before = state(application)
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=list(fields))
    audit_record(
        actor=actor,
        action=action,
        obj=application,
        before=before,
        after=state(application),
        summary={"application": application.pk, **(summary or {})},
    )
    return application
