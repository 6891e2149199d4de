"""manage.py create_staff: thin, re-runnable, and clear about bad input."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import RoleAssignment, User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def run(*args, stdin: str | None = None) -> str:
    out = io.StringIO()
    kwargs = {"stdout": out}
    if stdin is not None:
        kwargs["stdin"] = io.StringIO(stdin)
    call_command("create_staff", *args, **kwargs)
    return out.getvalue()


def test_creates_a_bureau_approver_with_a_password_from_stdin(district):
    output = run(
        "liu",
        "--role",
        "bureau_approver",
        "--display-name",
        "刘审批",
        "--password-stdin",
        stdin="a-long-pass-phrase\n",
    )
    user = User.objects.get(username="liu")
    assert user.check_password("a-long-pass-phrase")
    assert user.display_name == "刘审批"
    assert list(user.roles.values_list("role", flat=True)) == ["bureau_approver"]
    assert "Created staff user liu." in output
    assert "Granted bureau_approver (district-wide) to liu." in output
    assert [e.action for e in AuditEvent.objects.order_by("seq")] == [
        "user.create_staff",
        "role.grant",
    ]


def test_grants_a_scoped_role_by_area_code(district):
    run("chen", "--role", "committee_member", "--area", "a2")
    assignment = RoleAssignment.objects.get(user__username="chen")
    assert assignment.area == district.a2


def test_grants_property_staff_by_company_uscc(district):
    run("zhou", "--role", "property_staff", "--company", district.company_q.uscc)
    assert RoleAssignment.objects.get(user__username="zhou").company == district.company_q


def test_without_a_password_says_how_to_set_one(district):
    output = run("sun", "--role", "bureau_reviewer")
    assert User.objects.get(username="sun").has_usable_password() is False
    assert "manage.py changepassword sun" in output


def test_running_twice_changes_nothing(district):
    run("liu", "--role", "street_officer", "--street", "SA")
    events = AuditEvent.objects.count()
    output = run("liu", "--role", "street_officer", "--street", "SA")
    assert "User liu already exists; kept." in output
    assert "liu already holds street_officer over 甲街道; nothing changed." in output
    assert RoleAssignment.objects.filter(user__username="liu").count() == 1
    assert AuditEvent.objects.count() == events


def test_a_second_run_may_add_another_role(district):
    run("liu", "--role", "street_officer", "--street", "SA")
    run("liu", "--role", "community_officer", "--community", "CB1")
    assert sorted(
        RoleAssignment.objects.filter(user__username="liu").values_list("role", flat=True)
    ) == ["community_officer", "street_officer"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "mayor"], "Unknown staff role 'mayor'"),
        (["--role", "owner", "--area", "a1"], "Unknown staff role 'owner'"),
        (["--role", "committee_member"], "Role committee_member needs --area CODE."),
        (["--role", "committee_member", "--street", "SA"], "Role committee_member needs --area"),
        (["--role", "bureau_admin", "--area", "a1"], "Role bureau_admin is district-wide"),
        (["--role", "committee_member", "--area", "zz"], "No managementarea with code 'zz'."),
        (["--role", "property_staff", "--company", "X"], "No propertycompany with uscc 'X'."),
    ],
)
def test_bad_role_or_scope_fails_with_a_clear_message_and_creates_nothing(district, args, message):
    with pytest.raises(CommandError) as info:
        run("bad", *args)
    assert message in str(info.value)
    assert User.objects.filter(username="bad").count() == 0


def test_weak_password_fails_and_creates_nothing(district):
    with pytest.raises(CommandError) as info:
        run("weak", "--role", "bureau_reviewer", "--password-stdin", stdin="123\n")
    assert "密码" in str(info.value)
    assert User.objects.filter(username="weak").count() == 0


def test_empty_stdin_is_refused(district):
    with pytest.raises(CommandError, match="standard input was empty"):
        run("empty", "--role", "bureau_reviewer", "--password-stdin", stdin="")


def test_bad_role_exits_non_zero_from_the_command_line(district, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as info:
        ManagementUtility(["manage.py", "create_staff", "x", "--role", "mayor"]).execute()
    assert info.value.code == 1
    assert "Unknown staff role 'mayor'" in capsys.readouterr().err
