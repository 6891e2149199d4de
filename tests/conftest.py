"""Fixtures shared by every test: a small district and the named personas (STYLE.md §10).

District: street A (community A1 with area a1 — has a committee, served by
company P — and area a2 — no committee, also served by P), street B
(community B1 with area b1, served by company Q).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from accounts.models import Role, User
from estates.models import ManagementArea

from .factories import (
    CommunityFactory,
    ManagementAreaFactory,
    OwnerUserFactory,
    PropertyCompanyFactory,
    StreetFactory,
    UserFactory,
    grant,
)


@pytest.fixture
def district(db):
    street_a = StreetFactory(code="SA", name="甲街道")
    street_b = StreetFactory(code="SB", name="乙街道")
    community_a1 = CommunityFactory(street=street_a, code="CA1", name="甲一社区")
    community_b1 = CommunityFactory(street=street_b, code="CB1", name="乙一社区")
    company_p = PropertyCompanyFactory(name="甲物业服务有限公司")
    company_q = PropertyCompanyFactory(name="乙物业服务有限公司")
    a1 = ManagementAreaFactory(
        community=community_a1,
        code="a1",
        name="甲一小区",
        property_company=company_p,
        committee_status=ManagementArea.CommitteeStatus.OWNERS_COMMITTEE,
    )
    a2 = ManagementAreaFactory(
        community=community_a1,
        code="a2",
        name="甲二小区",
        property_company=company_p,
        committee_status=ManagementArea.CommitteeStatus.NOT_FORMED,
    )
    b1 = ManagementAreaFactory(
        community=community_b1,
        code="b1",
        name="乙一小区",
        property_company=company_q,
        committee_status=ManagementArea.CommitteeStatus.INTERIM_COMMITTEE,
    )
    return SimpleNamespace(
        street_a=street_a,
        street_b=street_b,
        community_a1=community_a1,
        community_b1=community_b1,
        company_p=company_p,
        company_q=company_q,
        a1=a1,
        a2=a2,
        b1=b1,
    )


def _persona(user: User, role: str | None, scope=None) -> User:
    if role:
        grant(user, role, scope)
    return user


@pytest.fixture
def personas(district):
    d = district
    return SimpleNamespace(
        owner=_persona(
            OwnerUserFactory(phone="13800000001", display_name="业主甲"), Role.OWNER, d.a1
        ),
        other_owner=_persona(
            OwnerUserFactory(phone="13800000002", display_name="业主乙"), Role.OWNER, d.b1
        ),
        committee=_persona(UserFactory(username="committee_a1"), Role.COMMITTEE_MEMBER, d.a1),
        other_committee=_persona(UserFactory(username="committee_b1"), Role.COMMITTEE_MEMBER, d.b1),
        property_staff=_persona(UserFactory(username="staff_p"), Role.PROPERTY_STAFF, d.company_p),
        street_officer=_persona(UserFactory(username="street_a"), Role.STREET_OFFICER, d.street_a),
        other_street_officer=_persona(
            UserFactory(username="street_b"), Role.STREET_OFFICER, d.street_b
        ),
        community_officer=_persona(
            UserFactory(username="community_a1"), Role.COMMUNITY_OFFICER, d.community_a1
        ),
        reviewer=_persona(UserFactory(username="reviewer"), Role.BUREAU_REVIEWER),
        approver=_persona(UserFactory(username="approver"), Role.BUREAU_APPROVER),
        admin=_persona(UserFactory(username="bureau_admin"), Role.BUREAU_ADMIN),
        outsider=_persona(UserFactory(username="outsider"), None),
    )


@pytest.fixture
def verified():
    """Mark a user as having passed TOTP in this 'request' (as django-otp's middleware would)."""

    def mark(user: User) -> User:
        user.is_verified = lambda: True
        return user

    return mark


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate the suite; hashing itself is Django's.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pass_totp(client, user) -> None:
    """Mark ``client``'s session as having passed TOTP with a confirmed device, exactly
    as ``django_otp.login`` does after a correct code (tests/accounts test the code itself)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="phone", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def login_with_totp():
    """``login_with_totp(client, user)``: log in and pass TOTP (for approvers, admins, superusers)."""

    def login(client, user):
        client.force_login(user)
        pass_totp(client, user)
        return client

    return login


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    # Uploaded files (register imports are kept) go to a temporary folder, never the repo's media/.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


_DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def _bureau_calendar(request):
    """Each test starts with the bureau's calendar unread (its rows roll back with the test);
    a test without database access counts on the ``holidays`` package alone (core.periods)."""
    from core import calendar, periods

    calendar.cache_clear()
    uses_db = bool(_DB_FIXTURES & set(request.fixturenames)) or request.node.get_closest_marker(
        "django_db"
    )
    if not uses_db:
        periods.set_calendar_source(None)
    yield
    calendar.cache_clear()
    periods.set_calendar_source(calendar.bureau_year)


@pytest.fixture(autouse=True)
def _migration_data(request):
    """What migrations seed (the emergency whitelist, emergency 0002) is there for every
    test: a transactional test before it in the same process (whichever it is under
    pytest-xdist) flushed every table, so put it back, inside this test's transaction."""
    marker = request.node.get_closest_marker("django_db")
    if not (_DB_FIXTURES & set(request.fixturenames) or marker):
        return
    request.getfixturevalue("_django_db_helper")
    import importlib

    from django.apps import apps

    from emergency.models import WhitelistVersion

    if not WhitelistVersion.objects.exists():
        importlib.import_module("emergency.migrations.0002_seed_whitelist").seed(apps, None)
