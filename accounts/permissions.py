"""The one place that decides "may this user do X on this object" (DESIGN.md).

A permission is *role + scope*. ``ACTIONS`` lists every action the platform
knows with the roles that may take it; a user may take it on an object when
one of their role assignments has such a role **and** its scope covers the
object (street ⊃ community ⊃ management area; a property company covers the
areas it serves; bureau roles cover the district). Views, API views and
services call only ``can``/``require``/``areas_for``; nothing else checks roles.

Two refinements come from the rules:

- ``otp``: bureau approvers and admins act only after passing TOTP in this
  session (``user.is_verified()``, set by django-otp's middleware).
- ``only_without_committee``: some roles may act for an area only where it
  has no committee (RULES.md §5: the property company or the street office
  files emergency applications "where there is no committee"; an assembly is
  called by the street or bureau only for an area without one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from core.errors import PermissionDeniedError
from estates.models import Community, ManagementArea, Street

from .models import OTP_ROLES, Role, RoleAssignment

BUREAU = frozenset({Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER, Role.BUREAU_ADMIN})
OFFICERS = frozenset({Role.STREET_OFFICER, Role.COMMUNITY_OFFICER})
AREA_STAFF = frozenset({Role.COMMITTEE_MEMBER, Role.PROPERTY_STAFF})


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    roles: frozenset[str]
    otp: bool = False
    only_without_committee: frozenset[str] = field(default_factory=frozenset)


def _action(code, label, roles, *, otp=False, only_without_committee=()):
    return Action(code, label, frozenset(roles), otp, frozenset(only_without_committee))


ACTIONS: dict[str, Action] = {
    a.code: a
    for a in [
        # The register (estates): staff read within their scope; the bureau keeps it.
        _action("register.view", "查看物业管理区域台账", AREA_STAFF | OFFICERS | BUREAU),
        _action(
            "register.edit",
            "维护台账（导入、企业、业委会）",
            {Role.BUREAU_REVIEWER, Role.BUREAU_ADMIN},
        ),
        _action("register.own_units", "查看本人房屋", {Role.OWNER}),
        # Voting (RULES.md §3): the committee calls; where none, the street or the bureau.
        _action(
            "assembly.call",
            "召集业主大会会议",
            {Role.COMMITTEE_MEMBER, *OFFICERS, Role.BUREAU_ADMIN},
            only_without_committee={*OFFICERS, Role.BUREAU_ADMIN},
        ),
        _action("ballot.cast", "网上投票", {Role.OWNER}),
        _action(
            "ballot.enter_paper",
            "录入纸质/委托表决票",
            {Role.COMMITTEE_MEMBER, *OFFICERS},
            only_without_committee=OFFICERS,
        ),
        _action(
            "assembly.view_progress", "查看表决进度", {Role.OWNER, *AREA_STAFF, *OFFICERS, *BUREAU}
        ),
        _action("ballot.trace", "查看票与房屋的对应（争议处理）", BUREAU),
        # The maintenance fund (RULES.md §4).
        _action(
            "fund.apply",
            "提出维修资金使用申请",
            {Role.OWNER, Role.COMMITTEE_MEMBER, Role.PROPERTY_STAFF},
        ),
        _action(
            "fund.view_area", "查看区域维修资金账目", {Role.COMMITTEE_MEMBER, *OFFICERS, *BUREAU}
        ),
        _action("fund.view_own", "查看本人分户账", {Role.OWNER}),
        # Public revenue (RULES.md §6): owners of the area read (SPC art. 13); the
        # committee and the property company record; the committee records the
        # owners' decision (the street/community where there is none).
        _action("revenue.view", "查看公共收益账目", {Role.OWNER, *AREA_STAFF, *OFFICERS, *BUREAU}),
        _action("revenue.record", "登记公共收益收支", AREA_STAFF),
        _action(
            "revenue.allocate",
            "登记公共收益分配决定",
            {Role.COMMITTEE_MEMBER, *OFFICERS},
            only_without_committee=OFFICERS,
        ),
        _action("application.review", "审核维修资金申请", {Role.BUREAU_REVIEWER}),
        _action("application.approve", "审批维修资金申请", {Role.BUREAU_APPROVER}, otp=True),
        _action("payment.confirm", "登记银行划款确认", {Role.BUREAU_REVIEWER}),
        # Order 165 art. 23: once the fund is in the assembly's own account the
        # committee reviews, approves, instructs the bank and records its
        # confirmation (funds.procedure.services.authority picks this action by custody
        # regime), and the bureau receives the filing (备案) and may order a correction.
        _action(
            "application.committee_approve",
            "业主大会自管：审核、审批维修资金使用，发出划款通知",
            {Role.COMMITTEE_MEMBER},
        ),
        _action(
            "fund.filing",
            "接收维修资金使用备案、责令改正",
            {Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER},
            otp=True,
        ),
        # Emergency repairs (RULES.md §5): the committee applies; where none, the
        # property company or the street office.
        _action(
            "emergency.apply",
            "提出紧急维修申请",
            {Role.COMMITTEE_MEMBER, Role.PROPERTY_STAFF, *OFFICERS},
            only_without_committee={Role.PROPERTY_STAFF, *OFFICERS},
        ),
        _action("emergency.commission", "代修（住建局组织维修）", {Role.BUREAU_APPROVER}, otp=True),
        _action("whitelist.manage", "维护紧急维修事项清单", {Role.BUREAU_ADMIN}, otp=True),
        # The working-day calendar (RULES.md §2 "Periods"): the bureau enters each
        # year's State Council holiday notice.
        _action("calendar.manage", "录入节假日安排", {Role.BUREAU_ADMIN}, otp=True),
        # Publication and oversight.
        _action(
            "publication.issue", "签发公示", {Role.BUREAU_APPROVER, Role.BUREAU_ADMIN}, otp=True
        ),
        _action("oversee", "监督辖区（到期、逾期、台账）", OFFICERS | BUREAU),
        _action("audit.view", "查看审计链", BUREAU),
        _action("signing.manage", "管理签章证书", {Role.BUREAU_ADMIN}, otp=True),
        _action("accounts.manage", "管理用户与角色", {Role.BUREAU_ADMIN}, otp=True),
    ]
}


@dataclass(frozen=True)
class Scope:
    """Where an object sits: the street, community and area ids it belongs to."""

    street_id: int | None = None
    community_id: int | None = None
    area_id: int | None = None
    company_id: int | None = None  # the property company serving the area
    has_committee: bool = False


def scope_of(obj: Any) -> Scope | None:
    """Resolve any object to its place in the district (None: district-wide).

    Streets, communities and areas are scopes themselves; anything else names
    its area through an ``area`` or ``management_area`` attribute, or a
    ``scope_object()`` method (e.g. a ballot → its assembly → its area). A
    district-wide record (an audit event, a whitelist item) says so with a
    ``scope_object()`` that returns None; then only district roles' reach counts.
    """
    if obj is None:
        return None

    if isinstance(obj, ManagementArea):
        return Scope(
            street_id=obj.community.street_id,
            community_id=obj.community_id,
            area_id=obj.pk,
            company_id=obj.property_company_id,
            has_committee=obj.committee_status != ManagementArea.CommitteeStatus.NOT_FORMED,
        )
    if isinstance(obj, Community):
        return Scope(street_id=obj.street_id, community_id=obj.pk)
    if isinstance(obj, Street):
        return Scope(street_id=obj.pk)
    if hasattr(obj, "scope_object"):
        return scope_of(obj.scope_object())
    for attr in ("area", "management_area"):
        if hasattr(obj, attr):
            return scope_of(getattr(obj, attr))
    raise TypeError(f"{type(obj).__name__} has no place in the district to check permissions on.")


def _assignments(user) -> list[RoleAssignment]:
    # Loaded once per user object (a request), not once per check.
    cached = getattr(user, "_gongzhi_roles", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).order_by("pk"))
        user._gongzhi_roles = cached
    return cached


def roles_of(user) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {a.role for a in _assignments(user)}


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def needs_otp(user) -> bool:
    """True when the user must pass TOTP before anything else and has not yet.

    Bureau approvers and admins, and anyone who can enter the Django admin
    (``is_staff``): the admin reaches every table, so a password alone is not enough.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    privileged = bool(roles_of(user) & OTP_ROLES) or user.is_staff
    return privileged and not is_verified(user)


def _covers(assignment: RoleAssignment, scope: Scope) -> bool:
    role = assignment.role
    if role in BUREAU:
        return True
    if role == Role.STREET_OFFICER:
        return scope.street_id is not None and scope.street_id == assignment.street_id
    if role == Role.COMMUNITY_OFFICER:
        return scope.community_id is not None and scope.community_id == assignment.community_id
    if role == Role.PROPERTY_STAFF:
        return scope.area_id is not None and scope.company_id == assignment.company_id
    # owner, committee member: their own area only
    return scope.area_id is not None and scope.area_id == assignment.area_id


def _usable(user, assignment: RoleAssignment, action: Action) -> bool:
    if assignment.role not in action.roles:
        return False
    return not (action.otp and assignment.role in OTP_ROLES and not is_verified(user))


def can(user, action: str, obj: Any = None) -> bool:
    """May ``user`` take ``action`` on ``obj``? With ``obj=None``: anywhere at all."""
    rule = ACTIONS[action]  # KeyError for an unknown action: a programming error
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    scope = scope_of(obj)
    district_wide = obj is not None and scope is None
    for assignment in _assignments(user):
        if not _usable(user, assignment, rule):
            continue
        if district_wide:
            if assignment.role in BUREAU:
                return True
            continue
        if scope is None:
            return True
        if not _covers(assignment, scope):
            continue
        if assignment.role in rule.only_without_committee and scope.has_committee:
            continue
        return True
    return False


def require(user, action: str, obj: Any = None) -> None:
    """Raise ``PermissionDeniedError`` unless ``can(user, action, obj)``."""
    if can(user, action, obj):
        return
    rule = ACTIONS[action]
    if rule.otp and roles_of(user) & OTP_ROLES & rule.roles and not is_verified(user):
        raise PermissionDeniedError(
            gettext("此操作需要先完成动态口令（TOTP）验证。"), code="otp_required"
        )
    raise PermissionDeniedError(
        gettext("您没有权限执行此操作：%(action)s。") % {"action": gettext(rule.label)}
    )


def areas_for(user, action: str) -> QuerySet:
    """The management areas in which ``user`` may take ``action`` (for lists and filters)."""

    rule = ACTIONS[action]
    areas = ManagementArea.objects.select_related("community__street")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return areas.none()
    condition = Q(pk__in=[])
    for assignment in _assignments(user):
        if not _usable(user, assignment, rule):
            continue
        if assignment.role in BUREAU:
            part = Q(pk__isnull=False)  # the whole district (an empty Q() would vanish in |)
        elif assignment.role == Role.STREET_OFFICER:
            part = Q(community__street_id=assignment.street_id)
        elif assignment.role == Role.COMMUNITY_OFFICER:
            part = Q(community_id=assignment.community_id)
        elif assignment.role == Role.PROPERTY_STAFF:
            part = Q(property_company_id=assignment.company_id)
        else:
            part = Q(pk=assignment.area_id)
        if assignment.role in rule.only_without_committee:
            part &= Q(committee_status=ManagementArea.CommitteeStatus.NOT_FORMED)
        condition |= part
    return areas.filter(condition).distinct()


def streets_for(user, action: str) -> QuerySet:
    """Streets in which the user may take ``action`` on the street as a whole."""

    if not getattr(user, "is_authenticated", False):
        return Street.objects.none()
    rule = ACTIONS[action]
    condition = Q(pk__in=[])
    for assignment in _assignments(user):
        if not _usable(user, assignment, rule):
            continue
        if assignment.role in BUREAU:
            condition |= Q(pk__isnull=False)
        elif assignment.role == Role.STREET_OFFICER:
            condition |= Q(pk=assignment.street_id)
    return Street.objects.filter(condition).distinct()
