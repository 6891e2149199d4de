"""The written permission table: docs/permissions.md's two hand-kept sections, read back.

A reviewer reads docs/permissions.md; its sections "角色与范围" (each role's scope and
whether it uses TOTP) and "动作" (each action's roles, TOTP, and the roles that may act
only where an area has no committee) are the rule. The matrix's expected side
(``model.expected``) is computed from them alone — never from ``accounts.permissions`` —
so a wrong edit of that module fails the matrix instead of moving its expectations
along with it. ``test_written.py`` asserts the module and this table agree: a change
of who may do what is made in both places, deliberately.

Everything else in the document is generated from these two sections and
``table.py`` (``docs/permissions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from accounts.models import Role

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"

ROLES_HEADING = "## 角色与范围"
ACTIONS_HEADING = "## 动作"
ROLES_HEAD = ("角色", "范围", "使用动态口令")
ACTIONS_HEAD = ("动作", "名称", "角色", "动态口令", "仅限无业委会的区域", "守卫的路由数")

# The scopes a role can have, as the "范围" column spells them. ``kind`` says which
# part of the district a holder reaches: their own area, the areas their property
# company serves, their community, their street, or the whole district.
SCOPES = {
    "本区域": "area",
    "其服务的区域": "company",
    "本社区（及其中的区域）": "community",
    "本街道（及其中的社区、区域）": "street",
    "全区": "district",
}
YES = "是"
LIST_SEPARATOR = "、"


class WrittenTableError(ValueError):
    """docs/permissions.md's written sections cannot be read."""


@dataclass(frozen=True)
class WrittenRole:
    role: str  # a value of accounts.models.Role
    scope: str  # a value of SCOPES
    otp: bool  # holders pass TOTP before anything else (accounts.middleware)


@dataclass(frozen=True)
class WrittenAction:
    code: str
    label: str
    roles: frozenset[str]
    otp: bool
    only_without_committee: frozenset[str]


@dataclass(frozen=True)
class WrittenTable:
    roles: dict[str, WrittenRole]  # in the written order
    actions: dict[str, WrittenAction]  # in the written order


def role_label(role: str) -> str:
    return str(Role(role).label)


def _role_by_label() -> dict[str, str]:
    return {role_label(role): str(role) for role in Role}


def _section(lines: list[str], heading: str) -> list[str]:
    """The table rows under ``heading`` (its head first), up to the next heading."""
    try:
        start = lines.index(heading)
    except ValueError:
        raise WrittenTableError(f"docs/permissions.md has no section {heading!r}") from None
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            rows.append(line)
    if len(rows) < 2:
        raise WrittenTableError(f"{heading!r}: no table")
    return rows


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _body(lines: list[str], heading: str, head: tuple[str, ...]) -> list[list[str]]:
    rows = _section(lines, heading)
    if tuple(_cells(rows[0])) != head:
        raise WrittenTableError(f"{heading!r}: the columns must be {' | '.join(head)}")
    body = [_cells(row) for row in rows[2:]]
    for cells in body:
        if len(cells) != len(head):
            raise WrittenTableError(f"{heading!r}: {cells[0]!r} has {len(cells)} cells")
    return body


def _flag(text: str, where: str) -> bool:
    if text not in ("", YES):
        raise WrittenTableError(f"{where}: {text!r} — write {YES!r} or leave it empty")
    return text == YES


def _role_list(text: str, labels: dict[str, str], where: str) -> frozenset[str]:
    names = [name.strip() for name in text.split(LIST_SEPARATOR) if name.strip()]
    unknown = [name for name in names if name not in labels]
    if unknown:
        raise WrittenTableError(f"{where}: unknown roles {unknown}")
    return frozenset(labels[name] for name in names)


def _roles(lines: list[str], labels: dict[str, str]) -> dict[str, WrittenRole]:
    roles: dict[str, WrittenRole] = {}
    for label, scope, otp in _body(lines, ROLES_HEADING, ROLES_HEAD):
        if label not in labels:
            raise WrittenTableError(f"{ROLES_HEADING}: unknown role {label!r}")
        if scope not in SCOPES:
            raise WrittenTableError(
                f"{ROLES_HEADING} {label}: scope {scope!r} not in {list(SCOPES)}"
            )
        role = labels[label]
        roles[role] = WrittenRole(role, SCOPES[scope], _flag(otp, f"{ROLES_HEADING} {label}"))
    missing = set(labels.values()) - set(roles)
    if missing:
        raise WrittenTableError(f"{ROLES_HEADING}: no row for {sorted(missing)}")
    return roles


def _actions(lines: list[str], labels: dict[str, str]) -> dict[str, WrittenAction]:
    actions: dict[str, WrittenAction] = {}
    for code, label, roles, otp, only, _count in _body(lines, ACTIONS_HEADING, ACTIONS_HEAD):
        code = code.strip("`")
        where = f"{ACTIONS_HEADING} {code}"
        if code in actions:
            raise WrittenTableError(f"{where}: two rows")
        action = WrittenAction(
            code=code,
            label=label,
            roles=_role_list(roles, labels, where),
            otp=_flag(otp, where),
            only_without_committee=_role_list(only, labels, where),
        )
        if not action.only_without_committee <= action.roles:
            raise WrittenTableError(
                f"{where}: a role limited to areas without a committee lacks the action"
            )
        actions[code] = action
    return actions


def parse(text: str) -> WrittenTable:
    lines = text.splitlines()
    labels = _role_by_label()
    return WrittenTable(roles=_roles(lines, labels), actions=_actions(lines, labels))


def read() -> WrittenTable:
    return parse(DOCUMENT.read_text(encoding="utf-8"))


WRITTEN = read()
