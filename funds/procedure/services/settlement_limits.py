"""No money past what the owners decided: the settlement's ceiling and what may lift it.

RULES.md §4 "use" (Order 165 arts. 22–23; Civil Code art. 278 item 5) and §5
(art. 24), with the pure arithmetic in ``funds.procedure.ceiling``:

- **the ceiling**: budget + floor(budget × N / 100), N the owners' tolerance
  printed in the motion they approved (0 by default, at most
  ``GONGZHI_FUND_TOLERANCE_CAP_PCT``); an emergency's base is its whitelist
  item's cap instead;
- **a supplementary owners' vote** (``supplementary_vote_create``): started
  from the settlement page by the convener (``assembly.call``), a real
  assembly of the same 列支范围 with one item-5 motion on the excess; once its
  final result approves it, the settlement may exceed the base by at most
  that excess (``approved_excesses``);
- **审价**: a final cost strictly above ``GONGZHI_FUND_AUDIT_ABOVE_FEN`` needs an
  audited final account uploaded (``SettlementAuditReport``);
- **质保金**: ``GONGZHI_FUND_RETENTION_PCT`` % of the final cost is held back
  from the contractor (payment instructions stop short of it, before and after
  settlement: ``funds.procedure.services.fund_use.payable_limit``) until
  ``retention_release``, recorded only after the works' warranty has ended;
- **emergency above its estimate** (RULES §5): the approver's consent
  (``settlement_excess_approve``; never the reviewer who settles), two
  distinct approvers above ``GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN``.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.money import yuan
from core.text import clean_text
from core.uploads import validate_upload
from funds.models import (
    FundUse,
    SettlementAuditReport,
    SettlementExcessApproval,
)
from funds.procedure import ceiling, warranty
from funds.procedure.services.authority import approvals_needed
from funds.procedure.services.fund_use import fund_use_lock
from funds.procedure.services.limit_settings import (
    audit_above_fen,
    ceiling_of,
    retention_pct,
)
from funds.procedure.services.steps import clean_fen, local_today
from funds.procedure.services.supplementary_votes import approved_excesses, supplementary_approved

USE_ITEM = 5  # Civil Code art. 278 para 1 item (5): using the fund — ordinary (RULES §2)
DEFAULT_WARRANTY_YEARS = 2  # 质量管理条例 art. 40: the shortest period in years; our default


# --------------------------------------------------------------------------- the checks at settlement


def limit_check(fund_use: FundUse, cost_fen: int, *, base_fen: int | None = None) -> int:
    """Refuse a final cost above the base plus the approved excesses; return that limit.

    The caller holds the FundUse's row lock (a vote concluded meanwhile is read fresh).
    """
    base = ceiling_of(fund_use) if base_fen is None else base_fen
    excesses = approved_excesses(fund_use)
    limit = ceiling.settlement_limit_fen(base, excesses)
    if cost_fen > limit:
        if base_fen is None:
            what = _("业主表决同意的上限 %(limit)s 元（预算 %(budget)s 元，超支不超过 %(n)d%%") % {
                "limit": yuan(limit),
                "budget": yuan(fund_use.budget_fen),
                "n": fund_use.tolerance_pct,
            }
        else:
            what = _("上限 %(limit)s 元（费用上限 %(base)s 元") % {
                "limit": yuan(limit),
                "base": yuan(base),
            }
        if excesses:
            what += _("，补充表决同意超出 %(x)s 元") % {"x": yuan(sum(excesses))}
        message = _(
            "结算金额 %(cost)s 元超过%(what)s）。超出部分须在同一列支范围内经业主补充表决同意"
            "后才能结算（《民法典》第二百七十八条，《住宅专项维修资金管理办法》第二十二条）。"
        ) % {"cost": yuan(cost_fen), "what": what}
        raise DomainError("over_ceiling", message, fields={"final_cost": message})
    return limit


def audit_report_check(fund_use: FundUse, cost_fen: int, upload) -> bool:
    """Refuse a final cost above the threshold without a 审价 report; validate an upload.

    Returns whether the upload is to be stored. Nothing is written here.
    """
    if upload is not None:
        try:
            validate_upload(upload)
        except ValidationError as exc:
            message = exc.messages[0]
            raise DomainError("bad_file", message, fields={"audit_report": message}) from None
        return True
    if ceiling.needs_audit(cost_fen, audit_above_fen()) and not fund_use.audit_reports.exists():
        message = _(
            "结算金额 %(cost)s 元超过 %(limit)s 元，须上传审价报告（经审计的工程结算）后才能结算。"
        ) % {"cost": yuan(cost_fen), "limit": yuan(audit_above_fen())}
        raise DomainError("audit_required", message, fields={"audit_report": message})
    return False


def audit_report_store(fund_use: FundUse, upload, actor) -> SettlementAuditReport:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        digest.update(chunk)
    upload.seek(0)
    original = (getattr(upload, "name", "") or "report").rsplit("/", 1)[-1][:200]
    report = SettlementAuditReport(
        fund_use=fund_use,
        original_name=original,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    report.file.save(original, upload, save=False)
    try:
        report.save()
        audit_record(
            actor=actor,
            action="fund_use.audit_report",
            obj=report,
            after={"sha256": report.sha256, "size": report.size},
            summary={"fund_use": fund_use.pk},
        )
    except BaseException:
        report.file.storage.delete(report.file.name)
        raise
    return report


def warranty_end_default(settled_on: date, repair_type: str | None = None) -> date:
    """The works' warranty end: art. 40's period for the repair type from the settlement
    day when it has one in years (waterproofing 5), else two years (our policy)."""
    if repair_type in warranty.RULES and warranty.RULES[repair_type]:
        how, value = warranty.RULES[repair_type]
        if how == "years":
            return warranty.add_years(settled_on, int(value))
    return warranty.add_years(settled_on, DEFAULT_WARRANTY_YEARS)


def clean_warranty_end(value, settled_on: date) -> date:
    if not isinstance(value, date) or isinstance(value, datetime) or value <= settled_on:
        message = _("工程保修期届满日须晚于结算日期。")
        raise DomainError("bad_date", message, fields={"warranty_ends_on": message})
    return value


# --------------------------------------------------------------------------- retention


def retention_release(*, fund_use: FundUse, actor, note: str = "") -> FundUse:
    """Release the 质保金 once the works' warranty has ended (the day after its last day).

    Bureau (``application.review``). Refused before settlement, with nothing
    held, when already released, and on or before ``warranty_ends_on``. After
    it the held amount may be instructed to the contractor (``payable_limit``).
    """
    permissions.require(actor, "application.review", fund_use.area)
    note = clean_text(note, field="note", limit=500, required=False, multiline=True)
    today = local_today()
    with transaction.atomic():
        locked = fund_use_lock(fund_use)
        if locked.status == FundUse.Status.OPEN:
            raise Conflict("not_settled", _("结算后才有质保金。"))
        if locked.retention_released_at is not None:
            raise Conflict("already_released", _("质保金已释放。"))
        if locked.retention_fen <= 0:
            raise DomainError("no_retention", _("该事项未预留质保金。"))
        if locked.warranty_ends_on is None or today <= locked.warranty_ends_on:
            raise Conflict(
                "in_warranty",
                _("工程保修期至 %(day)s 届满，届满后才能释放质保金 %(y)s 元。")
                % {
                    "day": locked.warranty_ends_on.isoformat() if locked.warranty_ends_on else "?",
                    "y": yuan(locked.retention_fen),
                },
            )
        locked.retention_released_at = timezone.now()
        locked.retention_released_by = actor
        locked.save(update_fields=["retention_released_at", "retention_released_by"])
        audit_record(
            actor=actor,
            action="fund_use.retention_release",
            obj=locked,
            before={"retention_held_fen": locked.retention_fen},
            after={"retention_held_fen": 0, "note": note},
            summary={
                "fund_use": locked.pk,
                "retention_fen": locked.retention_fen,
                "warranty_ends_on": locked.warranty_ends_on.isoformat(),
            },
        )
    return locked


# --------------------------------------------------------------------------- emergency excess


def excess_approvals_needed(cost_fen: int) -> int:
    """Two distinct approvers strictly above the two-approver threshold, else one (RULES §5)."""
    return approvals_needed(cost_fen)


def settlement_excess_approve(
    *, fund_use: FundUse, cost_fen: int, actor, note: str = ""
) -> SettlementExcessApproval:
    """An approver consents to settling ``fund_use`` at ``cost_fen`` above its estimate.

    RULES §5: settlement above the approved estimate needs the approver, not
    the reviewer (``application.approve``, after TOTP); one consent per person
    and cost. It does not lift the cap: above it only a supplementary vote.
    """
    permissions.require(actor, "application.approve", fund_use.area)
    cost = clean_fen(cost_fen, field="final_cost")
    note = clean_text(note, field="note", limit=1000, required=False, multiline=True)
    with transaction.atomic():
        locked = fund_use_lock(fund_use)
        if locked.status != FundUse.Status.OPEN:
            raise Conflict("already_settled", _("该事项已结算。"))
        if cost <= locked.budget_fen:
            raise DomainError(
                "not_over_estimate",
                _("结算金额未超过批准金额 %(y)s 元，无须审批。") % {"y": yuan(locked.budget_fen)},
                fields={"final_cost": _("未超过批准金额。")},
            )
        if locked.excess_approvals.filter(cost_fen=cost, approver=actor).exists():
            raise Conflict("already_approved", _("您已同意按该金额结算，须由另一名审批人审批。"))
        try:
            with transaction.atomic():
                approval = SettlementExcessApproval.objects.create(
                    fund_use=locked, cost_fen=cost, approver=actor, note=note
                )
        except IntegrityError:
            raise Conflict(
                "already_approved", _("您已同意按该金额结算，须由另一名审批人审批。")
            ) from None
        audit_record(
            actor=actor,
            action="fund_use.excess_approve",
            obj=approval,
            after={"cost_fen": cost},
            summary={"fund_use": locked.pk, "cost_fen": cost, "budget_fen": locked.budget_fen},
        )
    return approval


def excess_approvals_check(fund_use: FundUse, cost_fen: int, settler) -> None:
    """Above the estimate: enough distinct approvers (not the one who settles) for this cost."""
    if cost_fen <= fund_use.budget_fen:
        return
    needed = excess_approvals_needed(cost_fen)
    approvers = set(
        fund_use.excess_approvals.filter(cost_fen=cost_fen)
        .exclude(approver_id=getattr(settler, "pk", None))
        .values_list("approver_id", flat=True)
    )
    if len(approvers) < needed:
        message = _(
            "结算金额 %(cost)s 元超过批准的预算 %(budget)s 元，须经 %(n)d 名审批人（不是审核人）"
            "同意按该金额结算，现有 %(have)d 名。"
        ) % {
            "cost": yuan(cost_fen),
            "budget": yuan(fund_use.budget_fen),
            "n": needed,
            "have": len(approvers),
        }
        raise DomainError("excess_approval_required", message, fields={"final_cost": message})


def settlement_audit_report_add(*, fund_use: FundUse, file, actor) -> SettlementAuditReport:
    """Upload the 审价 report before settling (the settlement page's separate step)."""
    permissions.require(actor, "application.review", fund_use.area)
    if file is None:
        message = _("请选择审价报告文件。")
        raise DomainError("required", message, fields={"audit_report": message})
    audit_report_check(fund_use, 0, file)
    with transaction.atomic():
        locked = fund_use_lock(fund_use)
        if locked.status != FundUse.Status.OPEN:
            raise Conflict("already_settled", _("该事项已结算。"))
        return audit_report_store(locked, file, actor)


def settlement_state(fund_use: FundUse) -> dict:
    """What the settlement page shows: the ceiling, the approved excesses, the limit,
    the 审价 threshold and whether a report is on file, the 质保金 rate."""
    top = ceiling_of(fund_use)
    excesses = approved_excesses(fund_use)
    return {
        "budget_fen": fund_use.budget_fen,
        "tolerance_pct": fund_use.tolerance_pct,
        "ceiling_fen": top,
        "approved_excess_fen": sum(excesses),
        "limit_fen": ceiling.settlement_limit_fen(top, excesses),
        "audit_above_fen": audit_above_fen(),
        "audit_reports": list(fund_use.audit_reports.all()),
        "retention_pct": retention_pct(),
        "pending_votes": [
            v
            for v in fund_use.supplementary_votes.select_related("assembly", "motion")
            if not supplementary_approved(v)
        ],
    }
