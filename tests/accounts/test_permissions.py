"""The permission matrix: every persona × every action × areas a1, a2, b1.

a1: street A, community A1, has a committee, company P.
a2: street A, community A1, NO committee, company P.
b1: street B, community B1, has an interim committee (物管会), company Q.

Each cell is "a1 a2 b1" as 1/0. A persona missing from an action's row may do
nothing anywhere. The table is the specification; ``accounts.permissions``
must agree with it cell by cell, and ``areas_for`` must agree with ``can``.
"""

from __future__ import annotations

import pytest

from accounts import permissions
from core.errors import PermissionDeniedError

PERSONAS = [
    "owner",
    "other_owner",
    "committee",
    "other_committee",
    "property_staff",
    "street_officer",
    "other_street_officer",
    "community_officer",
    "reviewer",
    "approver",
    "approver_verified",
    "admin",
    "admin_verified",
    "outsider",
]

BUREAU_ALL = {
    "reviewer": "111",
    "approver": "111",
    "approver_verified": "111",
    "admin": "111",
    "admin_verified": "111",
}
OFFICERS_BY_SCOPE = {
    "street_officer": "110",
    "other_street_officer": "001",
    "community_officer": "110",
}

MATRIX: dict[str, dict[str, str]] = {
    "register.view": {
        "committee": "100",
        "other_committee": "001",
        "property_staff": "110",
        **OFFICERS_BY_SCOPE,
        **BUREAU_ALL,
    },
    "register.edit": {"reviewer": "111", "admin": "111", "admin_verified": "111"},
    "register.own_units": {"owner": "100", "other_owner": "001"},
    # Only where there is no committee may the street, community or bureau call one (a2).
    "assembly.call": {
        "committee": "100",
        "other_committee": "001",
        "street_officer": "010",
        "community_officer": "010",
        "admin": "010",
        "admin_verified": "010",
    },
    "ballot.cast": {"owner": "100", "other_owner": "001"},
    "ballot.enter_paper": {
        "committee": "100",
        "other_committee": "001",
        "street_officer": "010",
        "community_officer": "010",
    },
    "assembly.view_progress": {
        "owner": "100",
        "other_owner": "001",
        "committee": "100",
        "other_committee": "001",
        "property_staff": "110",
        **OFFICERS_BY_SCOPE,
        **BUREAU_ALL,
    },
    "ballot.trace": BUREAU_ALL,
    "fund.apply": {
        "owner": "100",
        "other_owner": "001",
        "committee": "100",
        "other_committee": "001",
        "property_staff": "110",
    },
    "fund.view_area": {
        "committee": "100",
        "other_committee": "001",
        **OFFICERS_BY_SCOPE,
        **BUREAU_ALL,
    },
    "fund.view_own": {"owner": "100", "other_owner": "001"},
    "revenue.view": {
        "owner": "100",
        "other_owner": "001",
        "committee": "100",
        "other_committee": "001",
        "property_staff": "110",
        **OFFICERS_BY_SCOPE,
        **BUREAU_ALL,
    },
    "revenue.record": {"committee": "100", "other_committee": "001", "property_staff": "110"},
    "revenue.allocate": {
        "committee": "100",
        "other_committee": "001",
        "street_officer": "010",
        "community_officer": "010",
    },
    "application.review": {"reviewer": "111"},
    # Approval needs TOTP (the unverified approver may not).
    "application.approve": {"approver_verified": "111"},
    "payment.confirm": {"reviewer": "111"},
    # Order 165 art. 23: under the assembly's own account the committee of the area
    # decides (the service checks the regime); the bureau receives the filing.
    "application.committee_approve": {"committee": "100", "other_committee": "001"},
    "fund.filing": {"reviewer": "111", "approver_verified": "111"},
    # RULES §5: the committee applies; property company and street only without one.
    "emergency.apply": {
        "committee": "100",
        "other_committee": "001",
        "property_staff": "010",
        "street_officer": "010",
        "community_officer": "010",
    },
    "emergency.commission": {"approver_verified": "111"},
    "whitelist.manage": {"admin_verified": "111"},
    "calendar.manage": {"admin_verified": "111"},
    "publication.issue": {"approver_verified": "111", "admin_verified": "111"},
    "oversee": {**OFFICERS_BY_SCOPE, **BUREAU_ALL},
    "audit.view": BUREAU_ALL,
    "signing.manage": {"admin_verified": "111"},
    "accounts.manage": {"admin_verified": "111"},
}


@pytest.fixture
def cast(personas, verified):
    """Personas by name, with the two TOTP-verified variants."""
    from tests.factories import UserFactory, grant

    people = dict(vars(personas))
    people["approver_verified"] = verified(
        grant(UserFactory(username="approver2"), "bureau_approver").user
    )
    people["admin_verified"] = verified(grant(UserFactory(username="admin2"), "bureau_admin").user)
    return people


def test_matrix_covers_every_action():
    assert set(MATRIX) == set(permissions.ACTIONS)


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.django_db
def test_matrix(action, cast, district):
    areas = [district.a1, district.a2, district.b1]
    wrong = []
    for persona in PERSONAS:
        expected = MATRIX[action].get(persona, "000")
        got = "".join(
            "1" if permissions.can(cast[persona], action, area) else "0" for area in areas
        )
        if got != expected:
            wrong.append(f"{persona}: expected {expected}, got {got}")
    assert not wrong, f"{action}: " + "; ".join(wrong)


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.django_db
def test_areas_for_agrees_with_can(action, cast, district):
    for persona in PERSONAS:
        listed = set(permissions.areas_for(cast[persona], action).values_list("code", flat=True))
        allowed = {
            area.code
            for area in (district.a1, district.a2, district.b1)
            if permissions.can(cast[persona], action, area)
        }
        assert listed == allowed, f"{action} / {persona}"


@pytest.mark.django_db
def test_anywhere_check_is_true_only_for_someone_with_the_role(cast):
    assert permissions.can(cast["owner"], "ballot.cast")
    assert not permissions.can(cast["committee"], "ballot.cast")
    assert not permissions.can(cast["outsider"], "register.view")
    assert not permissions.can(cast["approver"], "application.approve")
    assert permissions.can(cast["approver_verified"], "application.approve")


@pytest.mark.django_db
def test_street_officer_of_street_a_cannot_see_street_b(cast, district):
    officer = cast["street_officer"]
    assert permissions.can(officer, "oversee", district.street_a)
    assert not permissions.can(officer, "oversee", district.street_b)
    assert not permissions.can(officer, "register.view", district.b1)
    assert not permissions.can(officer, "oversee", district.community_b1)
    assert list(permissions.streets_for(officer, "oversee")) == [district.street_a]


@pytest.mark.django_db
def test_community_officer_sees_its_community_not_the_whole_street(cast, district):
    from tests.factories import CommunityFactory, ManagementAreaFactory

    other_community = CommunityFactory(street=district.street_a, code="CA2", name="甲二社区")
    a3 = ManagementAreaFactory(community=other_community, code="a3")
    officer = cast["community_officer"]
    assert permissions.can(officer, "oversee", district.community_a1)
    assert not permissions.can(officer, "oversee", other_community)
    assert not permissions.can(officer, "register.view", a3)
    assert permissions.can(cast["street_officer"], "register.view", a3)


@pytest.mark.django_db
def test_objects_resolve_to_their_area(cast, district):
    class Motion:  # any object naming its area is checked in that area
        def __init__(self, area):
            self.area = area

    assert permissions.can(cast["owner"], "ballot.cast", Motion(district.a1))
    assert not permissions.can(cast["owner"], "ballot.cast", Motion(district.b1))


@pytest.mark.django_db
def test_require_raises_a_plain_message(cast, district):
    with pytest.raises(PermissionDeniedError) as denied:
        permissions.require(cast["owner"], "application.review", district.a1)
    assert "审核维修资金申请" in denied.value.message
    with pytest.raises(PermissionDeniedError) as otp:
        permissions.require(cast["approver"], "application.approve", district.a1)
    assert otp.value.code == "otp_required"


@pytest.mark.django_db
def test_inactive_user_may_do_nothing(cast, district):
    reviewer = cast["reviewer"]
    reviewer.is_active = False
    assert not permissions.can(reviewer, "application.review", district.a1)
    assert not permissions.areas_for(reviewer, "register.view").exists()


def test_anonymous_may_do_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.can(AnonymousUser(), "register.view")


@pytest.mark.django_db
def test_role_scope_must_match_the_role(district):
    from django.core.exceptions import ValidationError

    from accounts.models import RoleAssignment
    from tests.factories import UserFactory

    user = UserFactory()
    with pytest.raises(ValidationError):
        RoleAssignment(user=user, role="street_officer", area=district.a1).full_clean()
    with pytest.raises(ValidationError):
        RoleAssignment(user=user, role="bureau_reviewer", street=district.street_a).full_clean()
    with pytest.raises(ValidationError):
        RoleAssignment(user=user, role="committee_member").full_clean()


@pytest.mark.django_db
def test_database_refuses_a_role_with_the_wrong_scope(district):
    from django.db import IntegrityError, transaction

    from accounts.models import RoleAssignment
    from tests.factories import UserFactory

    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role="street_officer", area=district.a1)


@pytest.mark.django_db
def test_district_wide_records_are_reached_by_bureau_roles_only(cast):
    class WhitelistItem:  # a district-wide record names no area
        def scope_object(self):
            return None

    item = WhitelistItem()
    assert permissions.can(cast["reviewer"], "oversee", item)
    assert not permissions.can(cast["street_officer"], "oversee", item)
    assert not permissions.can(cast["owner"], "ballot.cast", item)


def test_an_object_with_no_place_is_a_programming_error():
    with pytest.raises(TypeError):
        permissions.scope_of(object())
