"""Reads for the approver: the custody regime, who approved a use, the split flag.

RULES.md §4 (Order 165 arts. 22–23) and ``funds.procedure.splitting``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accounts import permissions
from funds.models import (
    ApplicationApproval,
    CustodyRegime,
    FundApplication,
    FundProfile,
    FundUse,
    FundUseCountersign,
)
from funds.procedure import splitting

# Who authorises money out (``funds.procedure.services.authority``): the bureau's
# permission per step under its custody, the committee's under the assembly's own account.
DEFAULT_TWO_APPROVERS_ABOVE_FEN = 20_000_000  # 200,000.00 元 (policy; a setting)
REVIEW, APPROVE, CONFIRM = "review", "approve", "confirm"
BUREAU_ACTIONS = {
    REVIEW: "application.review",
    APPROVE: "application.approve",
    CONFIRM: "payment.confirm",
}
COMMITTEE_ACTION = "application.committee_approve"

Status = FundApplication.Status
# Applications that are or were on their way to money: a draft is not yet a use, and a
# failed vote, a refusal or a withdrawal never became one.
SPLIT_CANDIDATES = frozenset(Status.values) - {
    Status.DRAFT,
    Status.VOTE_FAILED,
    Status.REFUSED,
    Status.WITHDRAWN,
}


def two_approvers_above_fen() -> int:
    value = getattr(
        settings, "GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN", DEFAULT_TWO_APPROVERS_ABOVE_FEN
    )
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ImproperlyConfigured(
            f"GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN must be a whole number of fen ≥ 0, not {value!r}."
        )
    return value


def regime_of(area) -> str:
    """The custody regime in force (bureau custody 代管 when the area has no fund profile)."""
    regime = FundProfile.objects.filter(area=area).values_list("regime", flat=True).first()
    return regime or CustodyRegime.BUREAU


def committee_decides(area, source: str = FundUse.Source.APPLICATION) -> bool:
    """True when the committee approves and instructs (art. 23): a normal application in an
    area whose fund is in the assembly's own account. Emergency and 代修 money stays with the
    bureau (RULES.md §5)."""
    return source == FundUse.Source.APPLICATION and regime_of(area) == CustodyRegime.ASSEMBLY


# Who made and who approved a use, per FundUse source: the procedure that approved it
# registers them (funds: the normal application; emergency: its applications).
_MAKERS: dict[str, Callable[[FundUse], set[int]]] = {}
_APPROVERS: dict[str, Callable[[FundUse], set[int]]] = {}


def fund_use_people_register(
    source: str,
    *,
    makers: Callable[[FundUse], set[int]],
    approvers: Callable[[FundUse], set[int]] | None = None,
) -> None:
    """Register who made a source's uses (applicant, reviewer: they never approve or
    instruct them) and who approved them (default: whoever opened the use)."""
    if source not in FundUse.Source.values:
        raise ValueError(f"unknown FundUse source {source!r}")
    _MAKERS[source] = makers
    if approvers is not None:
        _APPROVERS[source] = approvers


def fund_use_makers(fund_use: FundUse) -> set[int]:
    makers = _MAKERS.get(fund_use.source)
    return makers(fund_use) if makers else set()


def fund_use_approvers(fund_use: FundUse) -> set[int]:
    """The distinct people who approved the use: its approval(s) and its countersignatures,
    never one of its makers. A deemed approval (an emergency the bureau did not review in
    time) is no person."""
    approvers = _APPROVERS.get(fund_use.source)
    people = approvers(fund_use) if approvers else {fund_use.opened_by_id}
    people |= set(
        FundUseCountersign.objects.filter(fund_use=fund_use).values_list("approver_id", flat=True)
    )
    return people - {None} - fund_use_makers(fund_use)


def _application_makers(fund_use: FundUse) -> set[int]:
    row = (
        FundApplication.objects.filter(fund_use=fund_use)
        .values_list("applicant_id", "reviewer_id")
        .first()
    )
    return set(row or ()) - {None}


def _application_approvers(fund_use: FundUse) -> set[int]:
    return set(
        ApplicationApproval.objects.filter(application__fund_use=fund_use).values_list(
            "approver_id", flat=True
        )
    )


fund_use_people_register(
    FundUse.Source.APPLICATION, makers=_application_makers, approvers=_application_approvers
)


def split_window_days() -> int:
    return getattr(settings, "GONGZHI_FUND_SPLIT_WINDOW_DAYS", splitting.WINDOW_DAYS)


@dataclass(frozen=True)
class SplitFlag:
    suspects: list[FundApplication]
    combined_fen: int
    over_threshold: bool

    def __bool__(self) -> bool:
        return bool(self.suspects)


def _facts(application: FundApplication) -> splitting.UseFacts:
    from funds.procedure.services.scope import scope_units

    units = scope_units(
        application.area, application.scope_buildings, application.scope_unit_codes
    ).values_list("pk", flat=True)
    return splitting.UseFacts(
        id=application.pk,
        repair_type=application.repair_type,
        units=frozenset(units),
        filed_on=timezone.localdate(application.created_at),
        budget_fen=application.budget_fen,
    )


def split_flag(application: FundApplication) -> SplitFlag:
    """Other uses of the same area on the same parts within the window (``funds.procedure.splitting``)."""
    window = split_window_days()
    filed = application.created_at
    nearby = (
        FundApplication.objects.filter(
            area_id=application.area_id,
            repair_type=application.repair_type,
            status__in=SPLIT_CANDIDATES,
            created_at__gte=filed - timedelta(days=window + 1),
            created_at__lte=filed + timedelta(days=window + 1),
        )
        .exclude(pk=application.pk)
        .select_related("area")
        .order_by("created_at", "pk")
    )
    this = _facts(application)
    by_id = {other.pk: other for other in nearby}
    suspects = splitting.split_suspects(
        this, [_facts(other) for other in by_id.values()], window_days=window
    )
    combined = splitting.combined_fen(this, suspects)
    return SplitFlag(
        suspects=[by_id[s.id] for s in suspects],
        combined_fen=combined,
        over_threshold=bool(suspects) and combined > two_approvers_above_fen(),
    )


def step_areas(user, step: str):
    """The areas in which ``user`` takes a procedure step (review, approve, confirm): the
    bureau's action where the bureau keeps the fund, the committee's where the assembly does
    (``funds.procedure.services.authority``)."""
    assembly = CustodyRegime.ASSEMBLY
    bureau = permissions.areas_for(user, BUREAU_ACTIONS[step]).exclude(
        fund_profile__regime=assembly
    )
    committee = permissions.areas_for(user, COMMITTEE_ACTION).filter(fund_profile__regime=assembly)
    return bureau | committee
