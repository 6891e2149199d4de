"""What each persona should get from each route: the matrix's expected side.

Computed from the *written* table, never typed in per case and never asked of
``accounts.permissions``: a route's guard (``table.py``) is evaluated against
docs/permissions.md's sections "角色与范围" and "动作" (``written.py``) for a
persona of a *paper* district with the same shape as the test district of
tests/conftest.py. So a wrong edit of ``accounts/permissions.py`` (a role granted
an action, a scope widened) makes the site disagree with the matrix and fails it;
``test_written.py`` checks the module against the written table without a request.

The paper district: street A (community A1 with area a1 — committee, company
P — and area a2 — no committee, company P); street B (community B1 with area
b1 — interim committee, company Q). Places an object can sit in:

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
from typing import Protocol

from accounts.models import Role

from .guards import LOGIN, OTP_USERS, PUBLIC, Route
from .written import WRITTEN, WrittenTable

NOWHERE = "-"


class Outcome(StrEnum):
    ALLOW = "allow"  # the page or answer itself (2xx, a redirect onwards, a form error)
    LOGIN = "login"  # pages: redirect to the login page; API: 401/403 not authenticated
    OTP = "otp"  # pages: redirect to TOTP (verify, or enrolment); API: 403 otp_required
    FORBIDDEN = "403"
    NOT_FOUND = "404"


# --------------------------------------------------------------------------- the paper district


@dataclass(frozen=True)
class PaperArea:
    street: str
    community: str
    company: str
    has_committee: bool


# Keys as tests/access/build.py names the real district's objects.
AREAS: dict[str, PaperArea] = {
    "a1": PaperArea("street_a", "community_a1", "company_p", has_committee=True),
    "a2": PaperArea("street_a", "community_a1", "company_p", has_committee=False),
    "b1": PaperArea("street_b", "community_b1", "company_q", has_committee=True),  # interim
}


# --------------------------------------------------------------------------- personas


@dataclass(frozen=True)
class Persona:
    """One column of the matrix: a role over a scope of the paper district, or nobody."""

    name: str
    short: str  # the document's column heading
    label: str
    role: str | None = None
    scope: str | None = None  # its assignment: a key of AREAS or of a street/community/company
    totp: bool = False  # passed TOTP in this session
    anonymous: bool = False


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


# --------------------------------------------------------------------------- who decides


class Decider(Protocol):
    """The permission rules a case is evaluated with: the written table (``Written``,
    the matrix's expected side) or ``accounts.permissions`` (``by_code.Code``, only to
    compare the two)."""

    def uses_otp(self, persona: Persona) -> bool: ...

    def needs_otp(self, persona: Persona) -> bool: ...

    def anywhere(self, persona: Persona, action: str) -> bool: ...

    def reaches(self, persona: Persona, action: str, kind: str, place: str) -> bool: ...


class Written:
    """The written table's answers, for the personas of the paper district."""

    def __init__(self, table: WrittenTable = WRITTEN):
        self.table = table

    def uses_otp(self, persona: Persona) -> bool:
        return persona.role is not None and self.table.roles[persona.role].otp

    def needs_otp(self, persona: Persona) -> bool:
        """Held at the TOTP pages until verified (accounts.middleware)."""
        return not persona.anonymous and self.uses_otp(persona) and not persona.totp

    def anywhere(self, persona: Persona, action: str) -> bool:
        """Holds the action somewhere: a role that has it, past TOTP when both ask for it."""
        written = self.table.actions[action]
        if persona.role not in written.roles:
            return False
        return not (written.otp and self.uses_otp(persona) and not persona.totp)

    def _covers(self, persona: Persona, thing: str) -> bool:
        """Whether the persona's scope covers ``thing``: an area key, or a street or
        community key (covered as a whole, not through an area in it)."""
        kind = self.table.roles[persona.role].scope
        if kind == "district":
            return True
        area = AREAS.get(thing)
        if area is None:  # a street or community as a whole
            if kind == "street":
                return thing == persona.scope or thing in {
                    a.community for a in AREAS.values() if a.street == persona.scope
                }
            return kind == "community" and thing == persona.scope
        return (
            persona.scope
            == {
                "area": thing,
                "company": area.company,
                "community": area.community,
                "street": area.street,
            }[kind]
        )

    def _in_area(self, persona: Persona, action: str, place: str) -> bool:
        if not (self.anywhere(persona, action) and self._covers(persona, place)):
            return False
        limited = persona.role in self.table.actions[action].only_without_committee
        return not (limited and AREAS[place].has_committee)

    def reaches(self, persona: Persona, action: str, kind: str, place: str) -> bool:
        """May the persona take ``action`` on an object of ``kind`` sitting in ``place``?

        Objects inside an area are checked on the area. A street or community is in
        reach when the action covers it as a whole or any area in it: a committee sees
        the street its area lies in (estates.browse). A street or community has no
        committee, so a role limited to areas without one still acts on it as a whole.
        """
        if kind not in ("street", "community"):
            return self._in_area(persona, action, place)
        whole = getattr(AREAS[place], kind)
        inside = [key for key, area in AREAS.items() if getattr(area, kind) == whole]
        return (self.anywhere(persona, action) and self._covers(persona, whole)) or any(
            self._in_area(persona, action, key) for key in inside
        )


WRITTEN_RULES = Written()


# --------------------------------------------------------------------------- scope


def committee_dependent(route: Route, table: WrittenTable = WRITTEN) -> bool:
    """Whether some action of the route is taken by a role only where there is no committee."""
    return any(table.actions[a].only_without_committee for a in route.actions())


def places(route: Route) -> tuple[str, ...]:
    """Where the route's object is tried: own area and another street; a2 as well when a
    committee changes who may act (the written "仅限无业委会的区域")."""
    if not route.scoped:
        return (NOWHERE,)
    if committee_dependent(route):
        return ("a1", "a2", "b1")
    return ("a1", "b1")


def outcome(route: Route, persona: Persona, place: str, rules: Decider) -> Outcome:
    """The outcome the guard of ``route`` gives ``persona`` for an object in ``place``,
    by ``rules``.

    In order: public routes are open to all; anyone else must log in; an approver
    or admin without TOTP sees nothing but the TOTP pages (accounts.middleware);
    then the route's gate (the action needed anywhere, else 403); then each check
    on the object's place, in the order the view makes them.
    """
    if persona.anonymous:
        if route.anonymous:
            return Outcome(route.anonymous)
        return Outcome.ALLOW if route.gate == PUBLIC else Outcome.LOGIN
    if rules.needs_otp(persona) and not route.otp_exempt:
        return Outcome.OTP
    if route.gate == OTP_USERS:
        if not rules.uses_otp(persona):
            return Outcome.FORBIDDEN
    elif route.gate not in (PUBLIC, LOGIN) and not any(
        rules.anywhere(persona, action) for action in route.gate
    ):
        return Outcome.FORBIDDEN
    for check in route.checks:
        if not any(rules.reaches(persona, a, route.target_kind, place) for a in check.actions):
            return Outcome(check.fails)
    return Outcome.ALLOW


def expected(route: Route, persona: Persona, place: str) -> Outcome:
    """The matrix's expected side: the route's guard under the written table."""
    return outcome(route, persona, place, WRITTEN_RULES)
