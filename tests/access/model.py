"""What each persona should get from each route: the matrix's expected side.

Computed, never typed in: a route's guard (``tests/access/table.py``) is
evaluated with ``accounts.permissions.can`` for a persona of a *paper* district
— unsaved model instances with the same shape as the test district of
tests/conftest.py — so the same function feeds the generated tests and the
generated document (docs/permissions.py), and needs no database.

The paper district: street A (community A1 with area a1 — committee,
company P — and area a2 — no committee, company P); street B (community B1
with area b1 — interim committee, company Q). Places an object can sit in:

- ``a1``: in the persona's own area / community / street (for staff of
  street A), with a committee;
- ``a2``: in street A too, but without a committee (RULES.md §3, §5: the
  street, community or property company act there only);
- ``b1``: another street, community and company: out of scope for everyone
  but the bureau;
- ``-``: the route names no object in an area (a list, a form, a district-wide
  record such as an audit event or a whitelist item).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from accounts import permissions
from accounts.models import OTP_ROLES, Role, RoleAssignment, User
from estates.models import Community, ManagementArea, PropertyCompany, Street

from .guards import LOGIN, OTP_USERS, PUBLIC, Route

NOWHERE = "-"


class Outcome(StrEnum):
    ALLOW = "allow"  # the page or answer itself (2xx, a redirect onwards, a form error)
    LOGIN = "login"  # pages: redirect to the login page; API: 401/403 not authenticated
    OTP = "otp"  # pages: redirect to TOTP (verify, or enrolment); API: 403 otp_required
    FORBIDDEN = "403"
    NOT_FOUND = "404"


# --------------------------------------------------------------------------- the paper district


def _paper_district() -> dict[str, object]:
    street_a, street_b = Street(pk=1, code="SA"), Street(pk=2, code="SB")
    community_a1 = Community(pk=1, code="CA1", street=street_a)
    community_b1 = Community(pk=2, code="CB1", street=street_b)
    company_p, company_q = PropertyCompany(pk=1), PropertyCompany(pk=2)
    status = ManagementArea.CommitteeStatus
    a1 = ManagementArea(
        pk=1,
        code="a1",
        community=community_a1,
        property_company=company_p,
        committee_status=status.OWNERS_COMMITTEE,
    )
    a2 = ManagementArea(
        pk=2,
        code="a2",
        community=community_a1,
        property_company=company_p,
        committee_status=status.NOT_FORMED,
    )
    b1 = ManagementArea(
        pk=3,
        code="b1",
        community=community_b1,
        property_company=company_q,
        committee_status=status.INTERIM_COMMITTEE,
    )
    return {
        "street_a": street_a,
        "street_b": street_b,
        "community_a1": community_a1,
        "community_b1": community_b1,
        "company_p": company_p,
        "company_q": company_q,
        "a1": a1,
        "a2": a2,
        "b1": b1,
    }


PAPER = _paper_district()
AREAS = {"a1": PAPER["a1"], "a2": PAPER["a2"], "b1": PAPER["b1"]}


# --------------------------------------------------------------------------- personas


@dataclass(frozen=True)
class Persona:
    """One column of the matrix: a role over a scope of the paper district, or nobody."""

    name: str
    short: str  # the document's column heading
    label: str
    role: str | None = None
    scope: str | None = None  # a key of PAPER (None: district-wide, or no role)
    totp: bool = False  # passed TOTP in this session
    anonymous: bool = False

    def paper_user(self) -> User:
        """An unsaved user holding this persona's role, as ``accounts.permissions`` reads it."""
        user = User(pk=None, username=self.name)
        assignments = []
        if self.role:
            kwargs = {}
            if self.scope:
                obj = PAPER[self.scope]
                field = {
                    ManagementArea: "area",
                    PropertyCompany: "company",
                    Street: "street",
                    Community: "community",
                }[type(obj)]
                kwargs = {field: obj}
            assignments.append(RoleAssignment(role=self.role, **kwargs))
        user._gongzhi_roles = assignments
        verified = self.totp
        user.is_verified = lambda: verified
        return user

    @property
    def needs_otp(self) -> bool:
        """Held at the TOTP pages until verified (accounts.middleware, by this same rule)."""
        return not self.anonymous and permissions.needs_otp(self.paper_user())


PERSONAS: tuple[Persona, ...] = (
    Persona("anonymous", "未登录", "未登录的访问者", anonymous=True),
    Persona("outsider", "无角色", "已登录、没有任何角色的账号"),
    Persona("owner", "业主", "业主甲（a1）", Role.OWNER, "a1"),
    Persona("committee", "业委会", "a1 的业委会成员", Role.COMMITTEE_MEMBER, "a1"),
    Persona("property_staff", "物业", "甲物业（P）的工作人员", Role.PROPERTY_STAFF, "company_p"),
    Persona("street_officer", "街道", "甲街道的工作人员", Role.STREET_OFFICER, "street_a"),
    Persona(
        "community_officer", "社区", "甲一社区的工作人员", Role.COMMUNITY_OFFICER, "community_a1"
    ),
    Persona("reviewer", "审核", "住建局审核员", Role.BUREAU_REVIEWER),
    Persona("approver", "审批", "住建局审批人，本次登录未通过动态口令", Role.BUREAU_APPROVER),
    Persona(
        "approver_totp",
        "审批+口令",
        "住建局审批人，已通过动态口令",
        Role.BUREAU_APPROVER,
        totp=True,
    ),
    Persona("admin", "管理", "住建局管理员，本次登录未通过动态口令", Role.BUREAU_ADMIN),
    Persona(
        "admin_totp", "管理+口令", "住建局管理员，已通过动态口令", Role.BUREAU_ADMIN, totp=True
    ),
)


# --------------------------------------------------------------------------- scope


def committee_dependent(route: Route) -> bool:
    """Whether some action of the route is taken by a role only where there is no committee."""
    return any(permissions.ACTIONS[a].only_without_committee for a in route.actions())


def places(route: Route) -> tuple[str, ...]:
    """Where the route's object is tried: own area and another street; a2 as well when a
    committee changes who may act (``Action.only_without_committee``)."""
    if not route.scoped:
        return (NOWHERE,)
    if committee_dependent(route):
        return ("a1", "a2", "b1")
    return ("a1", "b1")


def _reaches(user: User, action: str, kind: str, place: str) -> bool:
    """May ``user`` take ``action`` on an object of ``kind`` sitting in ``place``?

    Objects inside an area are checked on the area (``permissions.scope_of`` does the
    same for any object). A street or community is in reach when the action covers it
    or any area in it: a committee sees the street its area lies in (estates.browse).
    """
    area = AREAS[place]
    if kind in ("street", "community"):
        whole = area.community.street if kind == "street" else area.community
        inside = [
            a
            for a in AREAS.values()
            if (a.community.street_id if kind == "street" else a.community_id) == whole.pk
        ]
        return permissions.can(user, action, whole) or any(
            permissions.can(user, action, a) for a in inside
        )
    return permissions.can(user, action, area)


def expected(route: Route, persona: Persona, place: str) -> Outcome:
    """The outcome the guard of ``route`` gives ``persona`` for an object in ``place``.

    In order: public routes are open to all; anyone else must log in; an approver
    or admin without TOTP sees nothing but the TOTP pages (accounts.middleware);
    then the route's gate (the action needed anywhere, else 403); then each check
    on the object's place, in the order the view makes them.
    """
    if persona.anonymous:
        if route.anonymous:
            return Outcome(route.anonymous)
        return Outcome.ALLOW if route.gate == PUBLIC else Outcome.LOGIN
    if persona.needs_otp and not route.otp_exempt:
        return Outcome.OTP
    user = persona.paper_user()
    if route.gate == OTP_USERS:
        if not permissions.roles_of(user) & OTP_ROLES:
            return Outcome.FORBIDDEN
    elif route.gate not in (PUBLIC, LOGIN) and not any(
        permissions.can(user, action) for action in route.gate
    ):
        return Outcome.FORBIDDEN
    for check in route.checks:
        if not any(_reaches(user, a, route.target_kind, place) for a in check.actions):
            return Outcome(check.fails)
    return Outcome.ALLOW
