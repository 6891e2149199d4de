"""accounts.permissions agrees with the written table of docs/permissions.md, and a wrong
edit of either is caught.

The matrix's expected side is the written table (``model.expected``); the site answers
by ``accounts.permissions``. Here both are compared without a request: the module's
``ACTIONS`` and ``OTP_ROLES`` against the written sections, and every case of the matrix
evaluated by the code (``by_code``) against the written outcome. A change of who may do
what must be made in docs/permissions.md and in accounts/permissions.py, deliberately:
until both agree these tests (and the matrix) fail. The last tests make wrong edits of
the module in-process and check that they are caught.
"""

from __future__ import annotations

import dataclasses

import pytest

from accounts import permissions
from accounts.models import OTP_ROLES, Role

from .by_code import by_code
from .model import PERSONAS, expected, places
from .table import ROUTES
from .written import DOCUMENT, WRITTEN, WrittenTableError, parse, read


def _code_table() -> dict[str, tuple]:
    return {
        code: (a.label, a.roles, a.otp, a.only_without_committee)
        for code, a in permissions.ACTIONS.items()
    }


def _written_table() -> dict[str, tuple]:
    return {
        code: (a.label, a.roles, a.otp, a.only_without_committee)
        for code, a in WRITTEN.actions.items()
    }


def action_differences() -> list[str]:
    code, written = _code_table(), _written_table()
    return [
        f"{name}: accounts.permissions {code.get(name)} ≠ docs/permissions.md {written.get(name)}"
        for name in sorted(code.keys() | written.keys())
        if code.get(name) != written.get(name)
    ]


def case_differences() -> list[str]:
    """Every (route, persona, place) of the matrix where the code and the written table
    give different outcomes."""
    return [
        f"{route.key}|{persona.name}|{place}: code {got.value}, written {want.value}"
        for route in ROUTES
        for place in places(route)
        for persona in PERSONAS
        if (got := by_code(route, persona, place)) != (want := expected(route, persona, place))
    ]


def test_the_actions_of_accounts_permissions_are_the_written_actions():
    assert action_differences() == [], (
        "accounts/permissions.py and docs/permissions.md (动作) disagree: change both"
    )


def test_the_roles_that_use_totp_are_the_written_ones():
    written = {role for role, row in WRITTEN.roles.items() if row.otp}

    assert written == set(OTP_ROLES)


def test_every_case_of_the_matrix_gets_from_the_code_what_the_written_table_gives_it():
    # Also the scope rules (accounts.permissions' coverage of an area by each role),
    # which the action table alone does not show.
    assert case_differences() == []


def test_the_written_table_is_read_from_the_document_a_reviewer_reads():
    assert read() == WRITTEN
    assert set(WRITTEN.roles) == {str(role) for role in Role}


def test_an_unknown_role_scope_or_flag_in_the_written_table_is_refused_not_skipped():
    document = DOCUMENT.read_text(encoding="utf-8")
    wrong = {
        "unknown roles": ("| 审核维修资金申请 | 住建局审核员 |", "| 审核维修资金申请 | 住建局 |"),
        "scope": ("| 社区工作人员 | 本社区（及其中的区域） |", "| 社区工作人员 | 本街道 |"),
        "leave it empty": ("| 住建局管理员 | 全区 | 是 |", "| 住建局管理员 | 全区 | 否 |"),
    }
    for message, (right, edited) in wrong.items():
        assert right in document
        with pytest.raises(WrittenTableError, match=message):
            parse(document.replace(right, edited))


# --------------------------------------------------------------------------- wrong edits


def _edit_action(monkeypatch, code: str, **changes) -> None:
    monkeypatch.setitem(
        permissions.ACTIONS, code, dataclasses.replace(permissions.ACTIONS[code], **changes)
    )


def test_granting_a_role_an_action_in_the_code_alone_fails_the_matrix(monkeypatch):
    rule = permissions.ACTIONS["register.edit"]
    _edit_action(monkeypatch, "register.edit", roles=rule.roles | {Role.COMMUNITY_OFFICER})

    differences = case_differences()

    assert action_differences() != []
    assert "estates:companies|community_officer|-: code allow, written 403" in differences
    assert "estates:area_edit|community_officer|a1: code allow, written 403" in differences
    assert all("|community_officer|" in d for d in differences)


def test_lifting_the_no_committee_limit_in_the_code_alone_fails_the_matrix(monkeypatch):
    # The street office may call an assembly only where the area has no committee.
    _edit_action(monkeypatch, "assembly.call", only_without_committee=frozenset())

    differences = case_differences()

    assert action_differences() != []
    assert "voting:manage_detail|street_officer|a1: code allow, written 404" in differences
    assert "voting:manage_detail|community_officer|a1: code allow, written 404" in differences


def test_widening_a_roles_scope_in_the_code_alone_fails_the_matrix(monkeypatch):
    # Property staff reaching every area, not only those their company serves: the
    # action table is unchanged, the comparison of the cases catches it.
    covers = permissions._covers  # noqa: SLF001 - the scope rule under test

    def wider(assignment, scope):
        return (
            scope.area_id is not None
            if assignment.role == Role.PROPERTY_STAFF
            else covers(assignment, scope)
        )

    monkeypatch.setattr(permissions, "_covers", wider)

    differences = case_differences()

    assert action_differences() == []
    assert "estates:area|property_staff|b1: code allow, written 404" in differences
    assert all("|property_staff|b1" in d for d in differences)
