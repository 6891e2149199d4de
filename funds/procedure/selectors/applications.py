"""Reads of the use procedure: who sees which application, queues, owners' shares.

Visibility (RULES.md §4 and DESIGN.md "People and roles"):

- bureau roles: every application of the district;
- committee members, property staff and street/community officers: the
  applications of the areas in their reach (``register.view`` — staff only;
  ``fund.apply`` is not used here because owners may apply too);
- the applicant: their own applications, drafts included;
- owners: the applications whose 列支范围 holds one of their units, once put
  to the vote (a draft is the applicant's own) — owners see what is being
  spent in their building and their share.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from accounts import permissions
from core.money import yuan
from funds.ledger.selectors import owner_units
from funds.models import FundApplication, FundUse, PaymentInstruction
from funds.procedure.selectors.approval import step_areas

Status = FundApplication.Status
STAFF_ACTIONS = ("register.view", "fund.view_area")
# Owners see an application from the vote on (RULES §4: they see before they vote).
OWNER_VISIBLE = frozenset(set(Status.values) - {Status.DRAFT, Status.WITHDRAWN})


def _staff_areas(user):
    areas = None
    for action in STAFF_ACTIONS:
        part = permissions.areas_for(user, action)
        areas = part if areas is None else areas | part
    return areas


def owner_application_ids(user) -> list[int]:
    # JSON containment is not portable across SQLite/PostgreSQL for list elements;
    # the scope test is done in Python over the (few) applications of the owner's areas.
    units = owner_units(user)
    if not units:
        return []
    areas = {u.area_id for u in units}
    ids = []
    for pk, area_id, buildings, codes in FundApplication.objects.filter(
        area_id__in=areas, status__in=OWNER_VISIBLE
    ).values_list("pk", "area_id", "scope_buildings", "scope_unit_codes"):
        for unit in units:
            if unit.area_id == area_id and (
                (not buildings and not codes)
                or unit.building.name in buildings
                or unit.code in codes
            ):
                ids.append(pk)
                break
    return ids


def applications_for(user) -> QuerySet:
    """The applications ``user`` may see, newest first."""
    if not getattr(user, "is_authenticated", False):
        return FundApplication.objects.none()
    condition = Q(area__in=_staff_areas(user)) | Q(applicant=user)
    if permissions.can(user, "fund.view_own"):
        condition |= Q(pk__in=owner_application_ids(user))
    return (
        FundApplication.objects.filter(condition)
        .select_related("area", "fund_use", "assembly")
        .distinct()
        .order_by("-created_at", "-pk")
    )


def application_visible(user, pk: int) -> FundApplication | None:
    return applications_for(user).filter(pk=pk).first()


def is_staff_viewer(user, application: FundApplication) -> bool:
    return any(permissions.can(user, action, application.area) for action in STAFF_ACTIONS)


def review_queue(user) -> QuerySet:
    return (
        FundApplication.objects.filter(status=Status.SUBMITTED, area__in=step_areas(user, "review"))
        .exclude(applicant=user)
        .select_related("area")
        .order_by("submitted_at", "pk")
    )


def approval_queue(user) -> QuerySet:
    """Reviewed applications this approver may still approve (not theirs, not reviewed by them)."""
    return (
        FundApplication.objects.filter(status=Status.REVIEWED, area__in=step_areas(user, "approve"))
        .exclude(Q(applicant=user) | Q(reviewer=user) | Q(approvals__approver=user))
        .select_related("area")
        .order_by("reviewed_at", "pk")
    )


def payment_queue(user) -> QuerySet:
    """Instructions waiting for the bank's confirmation, in the user's reach: the reviewer
    records the bank's receipt (``payment.confirm``), the approver exports the bank file
    (``application.approve``)."""
    # A normal application's money by custody regime (Order 165 arts. 22–23); emergency
    # and 代修 money stays with the bureau.
    areas = step_areas(user, "confirm") | step_areas(user, "approve")
    bureau = permissions.areas_for(user, "payment.confirm") | permissions.areas_for(
        user, "application.approve"
    )
    reach = Q(fund_use__source=FundUse.Source.APPLICATION, fund_use__area__in=areas) | (
        ~Q(fund_use__source=FundUse.Source.APPLICATION) & Q(fund_use__area__in=bureau)
    )
    return (
        PaymentInstruction.objects.filter(reach, status=PaymentInstruction.Status.INSTRUCTED)
        .select_related("fund_use__area")
        .order_by("instructed_at", "pk")
    )


def instructions_to_issue(user) -> QuerySet:
    """Approved fund uses with money still to instruct, for the approver."""
    return (
        FundUse.objects.filter(area__in=permissions.areas_for(user, "application.approve"))
        .exclude(status=FundUse.Status.PUBLISHED)
        .select_related("area")
        .order_by("opened_at", "pk")
    )


@dataclass(frozen=True)
class FundUseSummary:
    budget_fen: int
    instructed_fen: int  # live: instructed or confirmed
    paid_fen: int
    final_cost_fen: int | None
    shortfall_outstanding_fen: int

    @property
    def owed_to_contractor_fen(self) -> int:
        if self.final_cost_fen is None:
            return 0
        return self.final_cost_fen - self.paid_fen


def fund_use_summary(fund_use: FundUse) -> FundUseSummary:
    payments = fund_use.payments.values("status").annotate(total=Sum("amount_fen")).order_by()
    totals = {row["status"]: row["total"] for row in payments}
    confirmed = totals.get(PaymentInstruction.Status.CONFIRMED, 0)
    shares = fund_use.shares.aggregate(
        share=Sum("share_fen"), charged=Sum("charged_fen"), collected=Sum("collected_fen")
    )
    outstanding = (shares["share"] or 0) - (shares["charged"] or 0) - (shares["collected"] or 0)
    return FundUseSummary(
        budget_fen=fund_use.budget_fen,
        instructed_fen=confirmed + totals.get(PaymentInstruction.Status.INSTRUCTED, 0),
        paid_fen=confirmed,
        final_cost_fen=fund_use.final_cost_fen,
        shortfall_outstanding_fen=outstanding,
    )


# --------------------------------------------------------------------------- owners' shares


def estimated_shares(obj, unit_codes, cost_fen: int | None = None) -> dict[str, int]:
    """Each given unit's estimated share (fen) of ``obj``'s budget (or of ``cost_fen``),
    for units in its scope."""
    from funds.procedure.services.apportionment import apportionment_compute

    wanted = set(unit_codes)
    if not wanted:
        return {}
    cost = obj.budget_fen if cost_fen is None else cost_fen
    result = apportionment_compute(obj, cost, balances={})
    return {row.code: row.share_fen for row in result.rows if row.code in wanted}


def ballot_fund_uses(*, assembly, rights, user) -> dict[str, dict]:
    """What the ballot page shows per fund-use motion (RULES §4: owners see before they vote).

    motion code → budget, 列支范围 and the owner's own estimated share in yuan,
    from the units of their rights in the frozen roll (before opening: the
    units they own now in the assembly's area). Motions of other kinds are absent.
    """
    from funds.models import SupplementaryVote
    from funds.procedure import ceiling

    applications = list(
        FundApplication.objects.filter(assembly=assembly, motion__isnull=False).select_related(
            "motion", "area"
        )
    )
    supplementary = list(
        SupplementaryVote.objects.filter(assembly=assembly).select_related(
            "motion", "fund_use__area"
        )
    )
    if not applications and not supplementary:
        return {}
    codes = {code for right in rights for code in right.unit_codes}
    if not codes:
        codes = {u.code for u in owner_units(user) if u.area_id == assembly.area_id}
    info = {}
    for application in applications:
        mine = estimated_shares(application, codes)
        # RULES §4 "use": the owner's share at the budget and at the owners' ceiling.
        top = ceiling.ceiling_fen(application.budget_fen, application.tolerance_pct)
        at_ceiling = (
            estimated_shares(application, codes, top) if top != application.budget_fen else {}
        )
        info[application.motion.code] = {
            "application": application,
            "budget_yuan": yuan(application.budget_fen),
            "scope": application.scope_text(),
            "units": sorted(mine),
            "share_yuan": yuan(sum(mine.values())) if mine else None,
            "tolerance_pct": application.tolerance_pct,
            "ceiling_yuan": yuan(top),
            "ceiling_share_yuan": yuan(sum(at_ceiling.values())) if at_ceiling else None,
            "items": list(application.items.all()),
        }
    for vote in supplementary:
        # A supplementary vote: the owner's share of the excess voted on.
        mine = estimated_shares(vote.fund_use, codes, vote.excess_fen)
        info[vote.motion.code] = {
            "supplementary": vote,
            "budget_yuan": yuan(vote.fund_use.budget_fen),
            "excess_yuan": yuan(vote.excess_fen),
            "scope": vote.fund_use.scope_text(),
            "units": sorted(mine),
            "share_yuan": yuan(sum(mine.values())) if mine else None,
        }
    return info


def scope_area_total(obj) -> Decimal:
    from funds.procedure.services.scope import scope_units

    total = scope_units(obj.area, obj.scope_buildings, obj.scope_unit_codes).aggregate(
        total=Sum("floor_area")
    )["total"]
    return total or Decimal("0.00")
