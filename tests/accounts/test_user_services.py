"""Role, staff and owner services: validated, idempotent where promised, and audited."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Role, RoleAssignment, User
from audit.models import AuditEvent
from core.errors import DomainError
from tests.factories import OwnerUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


# ---------------------------------------------------------------- roles


def test_role_grant_creates_the_assignment_and_an_audit_event(district, personas):
    user = UserFactory(username="new_member", display_name="李委员")
    assignment = services.role_grant(
        user=user, role=Role.COMMITTEE_MEMBER, scope=district.b1, actor=personas.admin
    )
    assert assignment.area == district.b1
    [event] = _events("role.grant")
    assert event.object_type == "accounts.roleassignment"
    assert event.object_id == str(assignment.pk)
    assert event.actor_id == personas.admin.pk
    assert event.summary == {"user": "李委员", "role": "业委会/物管会成员", "scope": "乙一小区"}


def test_granting_a_role_already_held_changes_nothing(district, personas):
    before = AuditEvent.objects.count()
    again = services.role_grant(
        user=personas.committee, role=Role.COMMITTEE_MEMBER, scope=district.a1
    )
    assert RoleAssignment.objects.filter(user=personas.committee).count() == 1
    assert again.user == personas.committee
    assert AuditEvent.objects.count() == before


def test_bureau_role_is_district_wide(district):
    user = UserFactory(username="new_reviewer")
    services.role_grant(user=user, role=Role.BUREAU_REVIEWER, scope=None)
    with pytest.raises(DomainError) as info:
        services.role_grant(user=user, role=Role.BUREAU_APPROVER, scope=district.a1)
    assert info.value.message == "住建局审批人的范围是全区，不能指定物业管理区域。"


def test_role_with_the_wrong_kind_of_scope_is_refused(district):
    user = UserFactory(username="new_staff")
    with pytest.raises(DomainError) as info:
        services.role_grant(user=user, role=Role.PROPERTY_STAFF, scope=district.a1)
    assert info.value.code == "role_scope"
    assert info.value.message == "物业服务企业人员必须指定一个物业服务企业。"
    assert info.value.fields == {"company": "物业服务企业人员必须指定一个物业服务企业。"}
    assert RoleAssignment.objects.filter(user=user).count() == 0


def test_role_without_a_required_scope_is_refused(district):
    user = UserFactory(username="new_officer")
    with pytest.raises(DomainError) as info:
        services.role_grant(user=user, role=Role.STREET_OFFICER, scope=None)
    assert info.value.message == "街道工作人员必须指定一个街道。"


def test_unknown_role_is_refused(district):
    with pytest.raises(DomainError) as info:
        services.role_grant(user=UserFactory(), role="mayor", scope=None)
    assert info.value.code == "role_unknown"


def test_staff_role_is_refused_to_a_phone_only_login(district):
    owner = OwnerUserFactory()
    with pytest.raises(DomainError) as info:
        services.role_grant(user=owner, role=Role.BUREAU_REVIEWER, scope=None)
    assert info.value.code == "role_needs_staff_login"


def test_owner_role_may_go_to_a_phone_only_login(district):
    owner = OwnerUserFactory()
    services.role_grant(user=owner, role=Role.OWNER, scope=district.a2)
    assert list(owner.roles.values_list("role", "area__code")) == [("owner", "a2")]


def test_role_revoke_deletes_the_assignment_and_records_who_held_it(district, personas):
    assignment = personas.committee.roles.get()
    services.role_revoke(assignment=assignment, actor=personas.admin)
    assert RoleAssignment.objects.filter(user=personas.committee).count() == 0
    [event] = _events("role.revoke")
    assert event.object_id == str(assignment.pk)
    assert event.summary == {
        "user": str(personas.committee),
        "role": "业委会/物管会成员",
        "scope": "甲一小区",
    }
    assert event.before_digest != ""


def test_revoking_twice_is_refused(district, personas):
    assignment = personas.committee.roles.get()
    services.role_revoke(assignment=assignment, actor=personas.admin)
    with pytest.raises(DomainError) as info:
        services.role_revoke(assignment=assignment, actor=personas.admin)
    assert info.value.code == "role_missing"
    assert len(_events("role.revoke")) == 1


# ---------------------------------------------------------------- staff


def test_staff_create_sets_the_password_and_is_audited(personas):
    user = services.staff_create(
        username="zhang", password="a-long-pass-phrase", display_name="张审核", actor=personas.admin
    )
    assert user.check_password("a-long-pass-phrase")
    assert user.phone is None
    [event] = _events("user.create_staff")
    assert event.summary == {"username": "zhang", "password_set": True}
    assert "a-long-pass-phrase" not in str(event.summary)


def test_staff_create_without_password_leaves_it_unusable(db):
    user = services.staff_create(username="li", password=None)
    assert user.has_usable_password() is False


def test_weak_password_is_a_field_error(db):
    with pytest.raises(DomainError) as info:
        services.staff_create(username="wang", password="12345")
    assert set(info.value.fields) == {"password"}
    assert User.objects.filter(username="wang").count() == 0


@pytest.mark.parametrize("bad", ["", "   ", "has space", "semi;colon"])
def test_bad_username_is_a_field_error(bad, db):
    with pytest.raises(DomainError) as info:
        services.staff_create(username=bad, password=None)
    assert set(info.value.fields) == {"username"}


def test_taken_username_is_refused(personas):
    with pytest.raises(DomainError) as info:
        services.staff_create(username="reviewer", password=None)
    assert info.value.fields == {"username": "用户名“reviewer”已存在。"}


def test_staff_password_set_is_audited(personas):
    services.staff_password_set(user=personas.reviewer, password="another-long-phrase")
    personas.reviewer.refresh_from_db()
    assert personas.reviewer.check_password("another-long-phrase")
    assert len(_events("user.password_set")) == 1


# ---------------------------------------------------------------- owners


def test_owner_user_ensure_creates_a_phone_login_once(db):
    first = services.owner_user_ensure(phone="139 0000 0007", display_name="赵业主")
    second = services.owner_user_ensure(phone="13900000007", display_name="赵业主")
    assert first.pk == second.pk
    assert first.phone == "13900000007"
    assert first.username is None
    assert first.has_usable_password() is False
    [event] = _events("user.create_owner")
    assert event.summary == {"display_name": "赵业主"}
    assert "13900000007" not in str(event.summary)


def test_owner_user_ensure_copies_a_changed_name(db):
    user = services.owner_user_ensure(phone="13900000007", display_name="赵业主")
    services.owner_user_ensure(phone="13900000007", display_name="赵大业主")
    user.refresh_from_db()
    assert user.display_name == "赵大业主"
    assert len(_events("user.rename")) == 1


def test_owner_user_ensure_with_a_blank_name_keeps_the_name(db):
    user = services.owner_user_ensure(phone="13900000007", display_name="赵业主")
    services.owner_user_ensure(phone="13900000007", display_name="")
    user.refresh_from_db()
    assert user.display_name == "赵业主"
    assert len(_events("user.rename")) == 0


def test_owner_user_ensure_refuses_a_bad_phone(db):
    with pytest.raises(DomainError) as info:
        services.owner_user_ensure(phone="0551-1234567", display_name="x")
    assert info.value.fields == {"phone": "请输入11位中国大陆手机号码。"}


# ---------------------------------------------------------------- activation and TOTP reset


def test_deactivating_a_user_is_audited_once(personas):
    services.user_set_active(user=personas.owner, is_active=False, actor=personas.admin)
    services.user_set_active(user=personas.owner, is_active=False, actor=personas.admin)
    personas.owner.refresh_from_db()
    assert personas.owner.is_active is False
    assert len(_events("user.deactivate")) == 1


def test_totp_reset_removes_devices_and_is_audited(personas):
    TOTPDevice.objects.create(user=personas.approver, name="phone", confirmed=True)
    assert services.totp_reset(user=personas.approver, actor=personas.admin) == 1
    assert TOTPDevice.objects.filter(user=personas.approver).count() == 0
    [event] = _events("user.totp_reset")
    assert event.summary == {"user": str(personas.approver), "devices": 1}
