"""What ``accounts.permissions`` itself answers for each case of the matrix, without a request.

Not the matrix's expected side (that is the written table, ``model.expected``): this is
the other side of ``test_written.py``'s comparison. Each persona becomes an unsaved user
with its role assignment in a paper district of unsaved model instances — the same shape
as ``model.AREAS`` and the test district of tests/conftest.py — and the route's guard is
evaluated with ``permissions.can``. No database is needed.
"""

from __future__ import annotations

from functools import cache

from accounts import permissions
from accounts.models import OTP_ROLES, RoleAssignment, User
from estates.models import Community, ManagementArea, PropertyCompany, Street

from .guards import Route
from .model import AREAS, Outcome, Persona, outcome


def _paper_district() -> dict[str, object]:
    streets = {key: Street(pk=n, code=key) for n, key in enumerate(("street_a", "street_b"), 1)}
    communities, companies, areas = {}, {}, {}
    status = ManagementArea.CommitteeStatus
    for n, (key, area) in enumerate(AREAS.items(), 1):
        if area.community not in communities:
            communities[area.community] = Community(
                pk=len(communities) + 1, code=area.community, street=streets[area.street]
            )
        if area.company not in companies:
            companies[area.company] = PropertyCompany(pk=len(companies) + 1)
        areas[key] = ManagementArea(
            pk=n,
            code=key,
            community=communities[area.community],
            property_company=companies[area.company],
            committee_status=status.OWNERS_COMMITTEE if area.has_committee else status.NOT_FORMED,
        )
    return {**streets, **communities, **companies, **areas}


PAPER = _paper_district()
FIELDS = {
    ManagementArea: "area",
    PropertyCompany: "company",
    Street: "street",
    Community: "community",
}


@cache
def paper_user(persona: Persona) -> User:
    """An unsaved user holding the persona's role, as ``accounts.permissions`` reads it
    (one per persona: it carries nothing but its role assignment and TOTP state)."""
    user = User(pk=None, username=persona.name)
    assignments = []
    if persona.role:
        kwargs = {}
        if persona.scope:
            obj = PAPER[persona.scope]
            kwargs = {FIELDS[type(obj)]: obj}
        assignments.append(RoleAssignment(role=persona.role, **kwargs))
    user._gongzhi_roles = assignments  # what permissions loads once per user
    verified = persona.totp
    user.is_verified = lambda: verified
    return user


class Code:
    """``accounts.permissions``' answers (and ``OTP_ROLES``), on the paper district."""

    def uses_otp(self, persona: Persona) -> bool:
        return bool(permissions.roles_of(paper_user(persona)) & OTP_ROLES)

    def needs_otp(self, persona: Persona) -> bool:
        return not persona.anonymous and permissions.needs_otp(paper_user(persona))

    def anywhere(self, persona: Persona, action: str) -> bool:
        return permissions.can(paper_user(persona), action)

    def reaches(self, persona: Persona, action: str, kind: str, place: str) -> bool:
        user, area = paper_user(persona), PAPER[place]
        if kind not in ("street", "community"):
            return permissions.can(user, action, area)
        whole = area.community.street if kind == "street" else area.community
        inside = [
            a
            for key, a in PAPER.items()
            if key in AREAS
            and (a.community.street_id if kind == "street" else a.community_id) == whole.pk
        ]
        return permissions.can(user, action, whole) or any(
            permissions.can(user, action, a) for a in inside
        )


CODE_RULES = Code()


def by_code(route: Route, persona: Persona, place: str) -> Outcome:
    """The route's guard under ``accounts.permissions``."""
    return outcome(route, persona, place, CODE_RULES)
