"""seed_demo: the demo district with a login for every role, idempotent."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts import permissions
from accounts.models import Role, User
from estates.models import ManagementArea, Person, Street, Unit
from estates.selectors import area_roll


@pytest.fixture(autouse=True)
def _keys_and_files_in_tmp(settings, tmp_path):
    # The demo publishes a signed notice: keep its keys and PDF out of the work tree.
    settings.GONGZHI_SIGNING_DIR = tmp_path / "signing"
    settings.MEDIA_ROOT = tmp_path / "media"


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_seed_demo_builds_the_district_once_and_changes_nothing_the_second_time(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert Street.objects.count() == 3
    assert ManagementArea.objects.count() == 6
    assert 2900 <= Unit.objects.count() <= 3100
    # Every role has a demo login, and the table of logins is printed.
    held = {a.role for user in User.objects.all() for a in user.roles.all()}
    assert held == set(Role.values)
    for login in ("13900000001", "committee_demo", "approver_demo", "admin_demo"):
        assert login in out

    from publications.models import Publication

    assert Publication.objects.count() == 1  # the first area's register, signed
    from voting.models import Assembly

    demo_vote = Assembly.objects.get()
    assert demo_vote.current_status() == Assembly.Status.OPEN
    assert demo_vote.snapshot.heads > 0
    before = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == before


@pytest.mark.django_db
def test_demo_register_has_co_owners_multi_unit_buyers_and_developer_units():
    call_command("seed_demo")
    area = ManagementArea.objects.get(code="YQ-001")
    roll = area_roll(area)
    assert any(right.is_developer for right in roll.rights)
    assert any(len(right.unit_codes) > 1 and not right.is_developer for right in roll.rights)
    co_owned = Unit.objects.filter(area=area, ownerships__until__isnull=True).values("pk")
    assert co_owned.count() > co_owned.distinct().count()  # some unit has two open ownerships
    assert roll.totals["heads"] < roll.totals["units"]


@pytest.mark.django_db
def test_demo_owner_is_bound_to_the_register():
    call_command("seed_demo")
    owner = User.objects.get(phone="13900000001")
    person = Person.objects.get(user=owner)
    area = person.ownerships.get(until__isnull=True).unit.area
    assert permissions.can(owner, "ballot.cast", area)
