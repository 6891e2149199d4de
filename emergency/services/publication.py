"""An emergency repair's public notice (RULES.md §5): the funds notice of its use
(``funds.procedure.services.use_publication``) with the emergency's own header rows,
posted at least ``POSTED_DAYS`` days."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Role
from core.errors import Conflict
from core.text import cn_date
from funds.procedure.services.fund_use import fund_use_lock
from funds.procedure.services.use_publication import fund_use_publish
from publications.models import Kind

from ..models import EmergencyApplication
from ._common import application_lock, transition
from .money import ISSUE, POSTED_DAYS, fund_use_of

Status = EmergencyApplication.Status


def _notice_rows(locked: EmergencyApplication, posted_until: date) -> list[tuple[str, str]]:
    """Header rows our notice adds to the funds notice (no person's name: roles only)."""
    local = timezone.localdate
    approval = cn_date(local(locked.approved_at))
    if locked.deemed_approved:
        approval += "（住建局审核逾期，视为批准）"
    rows = [
        (
            "紧急维修事项",
            f"{locked.item.code} {locked.item.name}（紧急维修事项清单第{locked.item.version.number}版）",
        ),
        ("申请人", str(Role(locked.applicant_role).label) if locked.applicant_role else ""),
        ("申请日期", cn_date(local(locked.filed_at))),
        ("批准日期", approval),
    ]
    commission = getattr(locked, "commission", None)
    if commission is not None:
        rows.append(
            (
                "代修",
                f"住建局组织代修（《住宅专项维修资金管理办法》第二十四条），施工单位：{commission.contractor}",
            )
        )
    if locked.accepted_at:
        rows.append(("验收日期", cn_date(local(locked.accepted_at))))
    rows.append(("公示期", f"自发布之日起不少于{POSTED_DAYS}日（至{cn_date(posted_until)}）"))
    return rows


def application_publish(*, application: EmergencyApplication, actor) -> EmergencyApplication:
    """Issue the signed emergency-repair notice (settled → published), posted ≥ 5 days."""
    permissions.require(actor, ISSUE, application)
    fund_use = fund_use_of(application)
    with transaction.atomic():
        fund_use_lock(fund_use)
        locked = application_lock(application)
        if locked.status != Status.SETTLED:
            raise Conflict(
                "not_settled",
                _("申请当前状态为“%(status)s”，须结算分摊后才能公示。")
                % {"status": locked.get_status_display()},
            )
        now = timezone.now()
        posted_until = timezone.localdate(now) + timedelta(days=POSTED_DAYS)
        published = fund_use_publish(
            fund_use=fund_use,
            actor=actor,
            kind=Kind.EMERGENCY_REPAIR,
            title=f"{locked.area.name}紧急维修公示（第{locked.pk}号）",
            extra=_notice_rows(locked, posted_until),
            intro=[
                f"根据《住宅专项维修资金管理办法》第二十四条，{locked.area.name}“{locked.item.name}”"
                "紧急维修已完工并验收，维修费用从列支范围内各户专项维修资金分户账中列支，"
                "按专有部分面积分摊。现予公示。"
            ],
        )
        return transition(
            locked,
            Status.PUBLISHED,
            actor=actor,
            action="emergency.publish",
            fields={"published_at": now, "posted_until": posted_until},
            summary={"serial": published.publication.serial},
        )
