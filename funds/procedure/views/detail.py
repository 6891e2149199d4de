"""The application page's data: everything about one application, and what the user may do next.

Owners (who see an application once it is put to the vote, if its 列支范围
holds one of their units) get the public facts and their own share; the
bank details of payments and the apportionment of other units are for the
people who run or oversee the procedure (RULES.md §4: owners see their own).
"""

from __future__ import annotations

from django.db.models import F

from accounts import permissions
from funds.ledger.selectors import owner_units
from funds.models import ApplicationAttachment, FundApplication, FundUse
from funds.procedure.selectors import applications as reads
from funds.procedure.selectors.approval import fund_use_approvers
from funds.procedure.selectors.reservations import reservations_context
from funds.procedure.services.application_review import warranty_checks
from funds.procedure.services.application_vote import vote_state
from funds.procedure.services.authority import APPROVE, COMMITTEE_ACTION, REVIEW, step_can

Status = FundApplication.Status
SHARES_SHOWN = 200


def _actions(user, application: FundApplication, fund_use: FundUse | None) -> dict[str, bool]:
    area, status = application.area, application.status
    applicant = application.applicant_id == user.pk
    can = permissions.can
    open_money = fund_use is not None and fund_use.status != FundUse.Status.PUBLISHED
    return {
        "edit": applicant and status == Status.DRAFT and can(user, "fund.apply", area),
        "attach": applicant
        and status in (Status.DRAFT, Status.RETURNED)
        and can(user, "fund.apply", area),
        "withdraw": applicant
        and status in (Status.DRAFT, Status.RETURNED)
        and can(user, "fund.apply", area),
        "vote": status == Status.DRAFT and can(user, "assembly.call", area),
        "conclude": status == Status.VOTING
        and (can(user, "fund.apply", area) or can(user, "assembly.call", area)),
        "resubmit": applicant and status == Status.RETURNED,
        # Review, approval and payment by custody regime (Order 165 arts. 22–23).
        "review": status == Status.SUBMITTED and step_can(user, area, REVIEW),
        "approve": status == Status.REVIEWED and step_can(user, area, APPROVE),
        "pay": open_money and status in FundApplication.PAYABLE and step_can(user, area, APPROVE),
        "countersign": open_money
        and status in FundApplication.PAYABLE
        and step_can(user, area, APPROVE)
        and user.pk not in fund_use_approvers(fund_use),
        "filing": hasattr(application, "filing")
        and (can(user, "fund.filing", area) or can(user, COMMITTEE_ACTION, area)),
        "works_done": status in (Status.APPROVED, Status.PAID) and can(user, "fund.apply", area),
        "accept": status == Status.WORKS_DONE and can(user, "assembly.call", area),
        "settle": status == Status.ACCEPTED and can(user, "application.review", area),
        "publish": status == Status.SETTLED and can(user, "publication.issue", area),
        # 分摊补缴 (RULES.md §4): the reviewer records what an owner paid in.
        "demand_pay": fund_use is not None and can(user, "payment.confirm", area),
        "collect": fund_use is not None
        and fund_use.status != FundUse.Status.OPEN
        and can(user, "application.review", area),
        # RULES §4 "use": above the ceiling only a supplementary owners' vote.
        "supplementary": fund_use is not None
        and fund_use.status == FundUse.Status.OPEN
        and status in (Status.APPROVED, Status.PAID, Status.WORKS_DONE, Status.ACCEPTED)
        and can(user, "assembly.call", area),
        "retention": fund_use is not None
        and fund_use.status != FundUse.Status.OPEN
        and fund_use.retention_fen > 0
        and fund_use.retention_released_at is None
        and can(user, "application.review", area),
    }


def detail_context(user, application: FundApplication) -> dict:
    staff = reads.is_staff_viewer(user, application) or application.applicant_id == user.pk
    fund_use = application.fund_use
    attachments = list(application.attachments.all())
    context = {
        "application": application,
        "staff": staff,
        "items": list(application.items.all()),
        "proposal_files": [
            a for a in attachments if a.kind in ApplicationAttachment.PROPOSAL_KINDS
        ],
        "acceptance_files": [
            a for a in attachments if a.kind in ApplicationAttachment.ACCEPTANCE_KINDS
        ],
        "vote_state": vote_state(application),
        "approvals": list(application.approvals.select_related("approver")),
        "warranty": warranty_checks(application) if staff else [],
        "fund_use": fund_use,
        "summary": reads.fund_use_summary(fund_use) if fund_use else None,
        "payments": list(fund_use.payments.all()) if fund_use and staff else [],
        "actions": _actions(user, application, fund_use),
        "can_manage_vote": application.assembly_id
        and permissions.can(user, "assembly.call", application.area),
    }
    mine = {u.code for u in owner_units(user) if u.area_id == application.area_id}
    context.update(reservations_context(application, fund_use, staff=staff, mine=mine))
    context["shortfall_page"] = "funds"
    if fund_use is not None and fund_use.status != FundUse.Status.OPEN:
        shares = fund_use.shares.order_by("unit_code")
        context["my_shares"] = list(shares.filter(unit_code__in=mine))
        if staff:
            context["shares"] = list(shares[:SHARES_SHOWN])
            context["shares_total"] = shares.count()
            context["shortfalls"] = list(
                shares.filter(share_fen__gt=F("charged_fen") + F("collected_fen"))[:SHARES_SHOWN]
            )
    elif mine and application.status not in (Status.DRAFT, Status.WITHDRAWN):
        estimate = reads.estimated_shares(application, mine)
        context["my_estimate"] = sorted(estimate.items())
        context["my_estimate_fen"] = sum(estimate.values())
    return context
