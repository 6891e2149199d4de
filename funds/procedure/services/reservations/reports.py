"""Unpaid 分摊补缴 past their deadline, reported to the convener and the street (RULES.md §5)."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from accounts.sms import sms_send
from audit.services import audit_record
from core.money import yuan
from funds.models import ShortfallDemand, ShortfallReport
from funds.procedure.services.steps import local_today

logger = logging.getLogger("gongzhi.funds")


def _recipients(area):
    def holders(role, **scope):
        ids = RoleAssignment.objects.filter(role=role, **scope).values("user_id")
        return [(u, role) for u in User.objects.filter(pk__in=ids, is_active=True).order_by("pk")]

    street_id = area.community.street_id if area.community_id else None
    people = holders(Role.COMMITTEE_MEMBER, area=area)
    if street_id is not None:
        people += holders(Role.STREET_OFFICER, street_id=street_id)
    return people


def shortfall_demands_report(*, today: date | None = None) -> dict:
    """Report every unpaid shortfall past its deadline to the convener (the committee) and
    the street as that owner's debt (RULES.md §4); idempotent (one report per person)."""
    today = today or local_today()
    counts = {"demands": 0, "reports": 0}
    overdue = ShortfallDemand.objects.filter(
        status__in=[ShortfallDemand.Status.OPEN, ShortfallDemand.Status.REPORTED],
        due_on__lt=today,
    ).select_related("fund_use__area__community")
    for demand in overdue.order_by("pk"):
        if demand.outstanding_fen <= 0:
            continue
        counts["demands"] += 1
        area = demand.fund_use.area
        with transaction.atomic():
            locked = ShortfallDemand.objects.select_for_update().get(pk=demand.pk)
            if locked.status == ShortfallDemand.Status.OPEN:
                locked.status = ShortfallDemand.Status.REPORTED
                locked.reported_at = timezone.now()
                locked.save(update_fields=["status", "reported_at"])
                audit_record(
                    actor=None,
                    action="fund_use.shortfall_report",
                    obj=locked,
                    after={"status": locked.status},
                    summary={
                        "fund_use": locked.fund_use_id,
                        "unit": locked.unit_code,
                        "owed_fen": locked.outstanding_fen,
                        "due_on": locked.due_on.isoformat(),
                    },
                )
        text = (
            f"【{settings.GONGZHI_BUREAU_NAME}】{area.name}维修事项“{demand.fund_use.title}”："
            f"房屋{demand.unit_code}的分摊补缴{yuan(demand.outstanding_fen)}元已于"
            f"{demand.due_on:%Y年%m月%d日}到期未缴，记为该业主欠款，请督促补缴。"
        )
        for user, role in _recipients(area):
            try:
                with transaction.atomic():
                    ShortfallReport.objects.create(
                        demand=demand, recipient=user, role=role, by_sms=bool(user.phone)
                    )
            except IntegrityError:
                continue
            counts["reports"] += 1
            if user.phone:
                try:
                    sms_send(phone=user.phone, text=text)
                except Exception:
                    logger.exception("shortfall report of demand %s failed", demand.pk)
    return counts
