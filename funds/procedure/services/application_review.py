"""After the vote: bureau review, approval, works, acceptance, settlement, publication.

RULES.md §4 (Order 165 arts. 18, 22–25):

- **review** (``application.review``): the four exclusions of art. 25 are a
  checklist; a ticked one cannot pass (the reviewer refuses instead). The
  warranty of the repaired part (art. 18; 质量管理条例 art. 40,
  ``funds.procedure.warranty``) is computed for every building of the 列支范围 from its
  completion date and the repair type; inside warranty (or with no
  completion date on record) the reviewer must write why the fund still
  pays, or refuse. Materials must be complete, else the reviewer returns it.
- **approval** (``application.approve``, after TOTP), maker ≠ checker: the
  approver is neither the reviewer nor the applicant; above
  ``GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN`` (strictly above; default
  200,000.00 元) two distinct approvers. The last approval opens the
  application's ``FundUse``; money then moves through ``payments``, where
  the two-approver rule is checked again on the cumulative amount at every
  instruction (``authority.instruction_authorise``). The approver is shown
  (and the approval's audit event keeps) the split flag: other uses of the
  area on the same parts within 90 days (``funds.procedure.splitting``).
- **who** reviews and approves depends on the area's custody regime
  (``funds.procedure.services.authority``): the bureau under its custody (代管,
  Order 165 art. 22); under the assembly's own account (art. 23) committee
  members (``application.committee_approve``), reviewer ≠ approver ≠
  applicant still, and the approval is filed with the bureau (备案,
  ``UseFiling``), which may order a correction.
- works done (``fund.apply``), acceptance by the owners' side
  (``assembly.call``: the committee, or the street/community office where
  there is none) with the acceptance report and photos; settlement and
  publication: ``application_close``.

Lock order everywhere: the FundUse row before the application row (the
payment confirmation takes them in that order too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text
from funds.models import ApplicationApproval, ApplicationAttachment, FundApplication, FundUse
from funds.procedure import warranty
from funds.procedure.models.applications import EXCLUSIONS
from funds.procedure.selectors.approval import committee_decides, split_flag
from funds.procedure.services.applications import (
    application_lock,
    attachment_check,
    attachment_store,
    editor_require,
)
from funds.procedure.services.authority import (
    APPROVE,
    DEFAULT_TWO_APPROVERS_ABOVE_FEN,  # noqa: F401 (re-exported)
    REVIEW,
    approvals_needed,
    filing_create,
    step_require,
    two_approvers_above_fen,  # noqa: F401 (re-exported)
)
from funds.procedure.services.fund_use import fund_use_open
from funds.procedure.services.scope import scope_buildings_of
from funds.procedure.services.steps import local_today, transition

Status = FundApplication.Status
PASS, RETURN, REFUSE = "pass", "return", "refuse"


def scope_warranty_checks(
    *, area, scope_buildings: list[str], scope_unit_codes: list[str], repair_type: str, on: date
) -> list[warranty.WarrantyCheck]:
    """Each building of a 列支范围 checked on ``on`` (art. 18; also the emergency path's)."""
    periods = {}
    for name, key in (("GONGZHI_HEATING_SEASON", "heating"), ("GONGZHI_COOLING_SEASON", "cooling")):
        value = getattr(settings, name, None)
        if value is not None:
            periods[key] = tuple(value)
    buildings = scope_buildings_of(area, scope_buildings, scope_unit_codes)
    return warranty.warranty_check(repair_type, buildings, on, **periods)


def warranty_checks(application: FundApplication) -> list[warranty.WarrantyCheck]:
    """Each building of the scope checked on the day the application was filed."""
    return scope_warranty_checks(
        area=application.area,
        scope_buildings=application.scope_buildings,
        scope_unit_codes=application.scope_unit_codes,
        repair_type=application.repair_type,
        on=timezone.localdate(application.created_at),
    )


def exclusions_clean(exclusions: Mapping[str, bool]) -> dict[str, bool]:
    """The art. 25 checklist (``EXCLUSIONS``) as ticked; an unknown item is refused."""
    names = [name for name, _label in EXCLUSIONS]
    unknown = set(exclusions) - set(names)
    if unknown:
        raise DomainError("bad_checklist", _("未知的核查项：%(n)s") % {"n": ", ".join(unknown)})
    return {name: bool(exclusions.get(name, False)) for name in names}


def application_review(
    *,
    application: FundApplication,
    actor,
    decision: str,
    exclusions: Mapping[str, bool],
    materials_complete: bool,
    warranty_note: str = "",
    note: str = "",
) -> FundApplication:
    """Record the review (the bureau's, or the committee's under art. 23): pass, return for
    completion, or refuse (module docstring)."""
    step_require(actor, application.area, REVIEW)
    if decision not in (PASS, RETURN, REFUSE):
        raise DomainError("bad_decision", _("请选择审核结论。"), fields={"decision": _("必选。")})
    if application.applicant_id == getattr(actor, "pk", None):
        raise DomainError("maker_checker", _("申请人不能审核自己的申请。"))
    ticked = exclusions_clean(exclusions)
    warranty_note = clean_text(
        warranty_note, field="warranty_note", required=False, limit=2000, multiline=True
    )
    note = clean_text(note, field="note", required=decision != PASS, limit=2000, multiline=True)
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status != Status.SUBMITTED:
            raise Conflict("not_submitted", _("该申请不在待审核状态。"))
        checks = warranty_checks(locked)
        flagged = any(c.flagged for c in checks)
        fields = {
            "reviewer": actor,
            "reviewed_at": timezone.now(),
            "review_note": note,
            **ticked,
            "materials_complete": bool(materials_complete),
            "warranty": {
                c.building: [
                    c.status,
                    c.completed_on.isoformat() if c.completed_on else None,
                    c.ends_on.isoformat() if c.ends_on else None,
                ]
                for c in checks
            },
            "in_warranty": flagged,
            "warranty_note": warranty_note,
        }
        if decision == PASS:
            _pass_refusals(ticked, materials_complete, flagged, warranty_note)
            fields["required_approvals"] = approvals_needed(locked.budget_fen)
            new, action = Status.REVIEWED, "fund_application.review_pass"
        elif decision == RETURN:
            new, action = Status.RETURNED, "fund_application.review_return"
        else:
            fields.update(refused_by=actor, refused_at=timezone.now(), refusal_reason=note)
            new, action = Status.REFUSED, "fund_application.review_refuse"
        return transition(
            locked,
            new,
            actor=actor,
            action=action,
            fields=fields,
            summary={"in_warranty": flagged, "exclusions": [k for k, v in ticked.items() if v]},
        )


def _pass_refusals(ticked: dict, materials_complete: bool, flagged: bool, warranty_note: str):
    """A pass is refused with an art. 25 exclusion ticked, materials incomplete, or a
    building in warranty without the reason (Order 165 art. 18)."""
    if any(ticked.values()):
        raise DomainError(
            "excluded",
            _(
                "已勾选《住宅专项维修资金管理办法》第二十五条规定的不得列支情形，"
                "不能审核通过；请作出不予批准的审核结论。"
            ),
            fields={"exclusions": _("有不得列支的情形。")},
        )
    if not materials_complete:
        raise DomainError(
            "materials_incomplete",
            _("申请材料不齐全的，请退回补正。"),
            fields={"materials_complete": _("须确认材料齐全。")},
        )
    if flagged and not warranty_note:
        message = _(
            "列支范围内的房屋仍在保修期内（或竣工验收日期不明），须说明仍由维修资金列支的"
            "理由，否则不予批准（《住宅专项维修资金管理办法》第十八条）。"
        )
        raise DomainError("warranty_reason", message, fields={"warranty_note": message})


def application_resubmit(*, application: FundApplication, actor) -> FundApplication:
    """Send back an application the reviewer returned for more material."""
    editor_require(actor, application)
    with transaction.atomic():
        locked = application_lock(application)
        return transition(
            locked,
            Status.SUBMITTED,
            actor=actor,
            action="fund_application.resubmit",
            fields={"submitted_at": timezone.now()},
        )


def application_approve(*, application: FundApplication, actor, note: str = "") -> FundApplication:
    """One approver's approval; the last one needed opens the FundUse (module docstring)."""
    step_require(actor, application.area, APPROVE)
    note = clean_text(note, field="note", required=False, limit=2000, multiline=True)
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status != Status.REVIEWED:
            raise Conflict(
                "not_reviewed",
                _("该申请当前为“%(status)s”，不在待审批状态。")
                % {"status": locked.get_status_display()},
            )
        if getattr(actor, "pk", None) in (locked.reviewer_id, locked.applicant_id):
            raise DomainError(
                "maker_checker",
                _("审批人不能是本申请的审核人或申请人（审核与审批须由不同的人作出）。"),
            )
        if locked.approvals.filter(approver=actor).exists():
            raise Conflict("already_approved", _("您已审批过本申请，须由另一名审批人审批。"))
        approval = ApplicationApproval.objects.create(application=locked, approver=actor, note=note)
        count = locked.approvals.count()
        # The split flag the approver was shown (funds.procedure.splitting), kept with the approval.
        split = split_flag(locked)
        audit_record(
            actor=actor,
            action="fund_application.approval",
            obj=approval,
            after={"approver": actor.pk, "count": count, "required": locked.required_approvals},
            summary={
                "application": locked.pk,
                "count": count,
                "required": locked.required_approvals,
                "split_with": [a.pk for a in split.suspects],
            },
        )
        if count < locked.required_approvals:
            return locked
        fund_use = fund_use_open(
            area=locked.area,
            source=FundUse.Source.APPLICATION,
            source_key=f"application:{locked.pk}",
            title=locked.title,
            budget_fen=locked.budget_fen,
            scope_buildings=locked.scope_buildings,
            scope_unit_codes=locked.scope_unit_codes,
            actor=actor,
            # RULES.md §4: shared over the roll frozen for the owners' vote.
            roll_assembly=locked.assembly,
        )
        # RULES §4 "use": the ceiling is the tolerance printed in the motion the owners approved.
        tolerance = int((locked.motion.fund or {}).get("tolerance_pct", 0)) if locked.motion else 0
        if fund_use.tolerance_pct != tolerance:
            FundUse.objects.filter(pk=fund_use.pk).update(tolerance_pct=tolerance)
            fund_use.tolerance_pct = tolerance
        transition(
            locked,
            Status.APPROVED,
            actor=actor,
            action="fund_application.approve",
            fields={"approved_at": timezone.now(), "fund_use": fund_use},
            summary={"fund_use": fund_use.pk, "approvals": count},
        )
        if committee_decides(locked.area):
            # Order 165 art. 23 (5): the committee's approval is filed with the bureau.
            filing_create(application=locked, fund_use=fund_use, actor=actor)
        return locked


def application_refuse(*, application: FundApplication, actor, reason: str) -> FundApplication:
    """The approver refuses a reviewed application."""
    step_require(actor, application.area, APPROVE)
    reason = clean_text(reason, field="reason", limit=2000, multiline=True)
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status != Status.REVIEWED:
            raise Conflict("not_reviewed", _("该申请不在待审批状态。"))
        return transition(
            locked,
            Status.REFUSED,
            actor=actor,
            action="fund_application.refuse",
            fields={"refused_by": actor, "refused_at": timezone.now(), "refusal_reason": reason},
        )


# --------------------------------------------------------------------------- works


def _clean_day(day: date, field: str, earliest: date | None = None) -> date:
    if not isinstance(day, date) or day > local_today() or (earliest and day < earliest):
        message = _("日期无效（不能晚于今天，也不能早于批准日期）。")
        raise DomainError("bad_date", message, fields={field: message})
    return day


def application_works_done(
    *, application: FundApplication, actor, done_on: date, note: str = ""
) -> FundApplication:
    """The applicant reports the works finished (``fund.apply``, and the applicant only:
    any owner of the area holds ``fund.apply``, none may move another's application)."""
    permissions.require(actor, "fund.apply", application.area)
    if application.applicant_id != getattr(actor, "pk", None):
        raise DomainError("not_applicant", _("只有申请人可以报告维修完工。"))
    note = clean_text(note, field="note", required=False, limit=2000, multiline=True)
    with transaction.atomic():
        locked = application_lock(application)
        earliest = timezone.localdate(locked.approved_at) if locked.approved_at else None
        return transition(
            locked,
            Status.WORKS_DONE,
            actor=actor,
            action="fund_application.works_done",
            fields={"works_done_on": _clean_day(done_on, "done_on", earliest), "works_note": note},
        )


def application_accept(
    *,
    application: FundApplication,
    actor,
    accepted_on: date,
    note: str,
    files: Sequence[tuple[str, str, object]],
) -> FundApplication:
    """Acceptance by the owners' side with its report (and photos): (kind, title, upload) each."""
    permissions.require(actor, "assembly.call", application.area)
    note = clean_text(note, field="note", limit=2000, multiline=True)
    kinds = [kind for kind, _title, _file in files]
    if any(kind not in ApplicationAttachment.ACCEPTANCE_KINDS for kind in kinds):
        raise DomainError(
            "bad_kind", _("验收材料只能是验收报告或照片。"), fields={"files": _("无效。")}
        )
    if ApplicationAttachment.Kind.ACCEPTANCE_REPORT not in kinds:
        message = _("请上传验收报告（PDF 或照片）。")
        raise DomainError("no_report", message, fields={"files": message})
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status != Status.WORKS_DONE:
            raise Conflict("not_done", _("完工后才能验收。"))
        day = _clean_day(accepted_on, "accepted_on", locked.works_done_on)
        for kind, _title, upload in files:
            attachment_check(kind=kind, file=upload)
        for kind, title, upload in files:
            attachment_store(locked, kind=kind, title=title, file=upload, actor=actor)
        return transition(
            locked,
            Status.ACCEPTED,
            actor=actor,
            action="fund_application.accept",
            fields={"accepted_on": day, "accepted_by": actor, "acceptance_note": note},
            summary={"files": len(files)},
        )
