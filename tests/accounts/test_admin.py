"""The admin lists users with phones masked and changes roles only through the services."""

from __future__ import annotations

import pytest

from accounts.models import RoleAssignment
from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, login_with_totp):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    return login_with_totp(client, user)


def test_user_list_shows_phones_masked(superuser_client, personas):
    page = superuser_client.get("/django-admin/accounts/user/").content.decode()
    assert "138****0001" in page
    assert "13800000001" not in page


def test_granting_a_role_in_the_admin_goes_through_the_service(superuser_client, district):
    user = UserFactory(username="new_member")
    response = superuser_client.post(
        "/django-admin/accounts/roleassignment/add/",
        {"user": user.pk, "role": "committee_member", "area": district.b1.pk},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=user).area == district.b1
    assert AuditEvent.objects.filter(action="role.grant").count() == 1


def test_admin_shows_the_scope_rule_as_a_form_error(superuser_client, district):
    user = UserFactory(username="new_member")
    response = superuser_client.post(
        "/django-admin/accounts/roleassignment/add/",
        {"user": user.pk, "role": "bureau_reviewer", "area": district.b1.pk},
    )
    assert response.status_code == 200
    assert "住建局审核员的范围是全区，不能指定物业管理区域。" in response.content.decode()
    assert RoleAssignment.objects.filter(user=user).count() == 0


def test_deleting_a_role_in_the_admin_is_audited(superuser_client, personas):
    assignment = personas.committee.roles.get()
    response = superuser_client.post(
        f"/django-admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(pk=assignment.pk).count() == 0
    assert AuditEvent.objects.filter(action="role.revoke").count() == 1


def test_deactivate_action_goes_through_the_service(superuser_client, personas):
    response = superuser_client.post(
        "/django-admin/accounts/user/",
        {"action": "deactivate", "_selected_action": [personas.owner.pk]},
    )
    assert response.status_code == 302
    personas.owner.refresh_from_db()
    assert personas.owner.is_active is False
    assert AuditEvent.objects.filter(action="user.deactivate").count() == 1
