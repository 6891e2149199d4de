"""Rewrite docs/permissions.md around its written rule: the permission matrix.

    .venv/bin/python docs/permissions.py           # rewrite docs/permissions.md
    .venv/bin/python docs/permissions.py --check   # exit 1 if it is out of date

Two sections of docs/permissions.md are written by hand and are the rule: "角色与范围"
(each role's scope, and whether it uses TOTP) and "动作" (each action's roles, TOTP, and
the roles that act only where an area has no committee). This script reads them back
(tests/access/written.py), keeps them, and generates everything else: one row per route
of tests/access/table.py (the guard its view applies), each cell being
``tests.access.model.expected`` — the very outcome the generated tests of
tests/access/test_matrix.py assert against the running site. It never reads
accounts/permissions.py: tests/access/test_written.py asserts that module agrees with
the written sections. tests/access/test_doc.py fails when the file differs from what
this script would write.

To change who may do what: edit the two sections here, run this script, and make the
same change in accounts/permissions.py (test_written.py fails until both agree).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "permissions.md"

SYMBOLS = {"allow": "✓", "login": "登录", "otp": "口令", "403": "403", "404": "404"}
GROUPS = [
    ("站点与账号", ("home", "health", "accounts:")),
    ("房屋台账（estates）", ("estates:",)),
    ("审计链（audit）", ("audit:",)),
    ("业主大会与表决（voting）", ("voting:",)),
    ("公共收益（revenue）", ("revenue:",)),
    ("维修资金对账与年度账目（funds_reconciliation）", ("funds_reconciliation:",)),
    ("维修资金分户账与使用申请（funds）", ("funds:",)),
    ("紧急维修（emergency）", ("emergency:",)),
    ("公示与核验（publications）", ("publications:",)),
]
API_GROUP = "接口 /api/"


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()


def _code(text: str) -> str:
    return f"`{text}`"


def _gate(route) -> str:
    from tests.access.guards import LOGIN, OTP_USERS, PUBLIC

    if route.gate == PUBLIC:
        return "公开"
    if route.gate == LOGIN:
        return "已登录"
    if route.gate == OTP_USERS:
        return "审批人、管理员（使用动态口令者）"
    return " 或 ".join(_code(a) for a in route.gate)


def _checks(route) -> str:
    parts = [
        f"{' 或 '.join(_code(a) for a in check.actions)} 覆盖其位置，否则 {check.fails}"
        for check in route.checks
    ]
    return "；".join(parts)


def _group(route, path: str) -> str:
    if path.startswith("/api/"):
        return API_GROUP
    for title, prefixes in GROUPS:
        if any(route.name == p or (p.endswith(":") and route.name.startswith(p)) for p in prefixes):
            return title
    raise ValueError(f"{route.name}: no section of the document (docs/permissions.py GROUPS)")


def _cell(route, persona) -> str:
    from tests.access.model import expected, places

    return " / ".join(SYMBOLS[expected(route, persona, place).value] for place in places(route))


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _route_table(routes, paths) -> list[str]:
    from tests.access.guards import TARGETS
    from tests.access.model import PERSONAS, places

    head = ["路由", "方法与路径", "守卫", "对象与检查", "位置"] + [p.short for p in PERSONAS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for route in routes:
        target = ""
        if route.target:
            target = TARGETS[route.target].description
            if route.checks:
                target += "：" + _checks(route)
        if route.note:
            target = f"{target}（{route.note}）" if target else route.note
        where = " / ".join(places(route)) if route.scoped else "—"
        row = [
            _code(route.name),
            f"{route.method} {_code(paths[route.name])}",
            _gate(route),
            _escape(target),
            where,
        ] + [_cell(route, persona) for persona in PERSONAS]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _roles_table(table) -> list[str]:
    from tests.access.written import ROLES_HEAD, SCOPES, YES, role_label

    words = {kind: text for text, kind in SCOPES.items()}
    lines = ["| " + " | ".join(ROLES_HEAD) + " |", "|" + "---|" * len(ROLES_HEAD)]
    for role in table.roles.values():
        otp = YES if role.otp else ""
        lines.append(f"| {role_label(role.role)} | {words[role.scope]} | {otp} |")
    return lines


def _actions_table(table, routes) -> list[str]:
    from tests.access.written import ACTIONS_HEAD, LIST_SEPARATOR, YES, role_label

    order = list(table.roles)
    used: dict[str, int] = {}
    for route in routes:
        for action in route.actions():
            used[action] = used.get(action, 0) + 1
    lines = ["| " + " | ".join(ACTIONS_HEAD) + " |", "|" + "---|" * len(ACTIONS_HEAD)]
    for code, action in table.actions.items():
        roles, only = (
            LIST_SEPARATOR.join(role_label(r) for r in sorted(which, key=order.index))
            for which in (action.roles, action.only_without_committee)
        )
        lines.append(
            f"| {_code(code)} | {action.label} | {roles} | {YES if action.otp else ''} | "
            f"{only} | {used.get(code, 0)} |"
        )
    return lines


def _personas_table() -> list[str]:
    from tests.access.model import PERSONAS, WRITTEN_RULES
    from tests.access.written import role_label

    scopes = {
        None: "全区",
        "a1": "甲一小区（a1）",
        "company_p": "甲物业：a1、a2",
        "street_a": "甲街道：a1、a2",
        "community_a1": "甲一社区：a1、a2",
    }
    lines = ["| 列 | 身份 | 角色 | 范围 | 已通过动态口令 |", "|---|---|---|---|---|"]
    for persona in PERSONAS:
        role = role_label(persona.role) if persona.role else "—"
        scope = scopes[persona.scope] if persona.role else "—"
        totp = "是" if persona.totp else ("否" if WRITTEN_RULES.needs_otp(persona) else "—")
        lines.append(f"| {persona.short} | {persona.label} | {role} | {scope} | {totp} |")
    return lines


def _excluded_table() -> list[str]:
    from tests.access.table import EXCLUDED, EXCLUDED_NAMESPACES, EXCLUDED_UNNAMED_PREFIXES

    lines = ["| 路由 | 原因 |", "|---|---|"]
    for name, why in EXCLUDED_NAMESPACES.items():
        lines.append(f"| `{name}:*` | {why} |")
    for name, why in EXCLUDED.items():
        lines.append(f"| {_code(name)} | {why} |")
    for prefix, why in EXCLUDED_UNNAMED_PREFIXES.items():
        lines.append(f"| {_code(prefix)}（无名称） | {why} |")
    return lines


HOW_TO_READ = [
    "## 怎么读",
    "",
    "- **守卫**：打开该路由需要在任意范围内拥有的动作（缺少则 403；未登录转登录页，"
    "接口答 401/403）。住建局审批人、管理员在本次登录通过动态口令之前，除口令页面外"
    "什么都看不到：页面转到口令页，接口答 403 `otp_required`。",
    "- **对象与检查**：路由地址指向的对象，以及视图依次对它所在位置做的检查。"
    "范围外的对象在页面上一般答 404（不确认它存在），个别视图答 403，表中注明。",
    "- **位置**：对象所在的位置，单元格按同样顺序给出结果：",
    "  - `a1`：甲街道甲一社区的甲一小区，有业委会，甲物业（P）服务 —— 下列身份的本区域；",
    "  - `a2`：同一社区的甲二小区，**未成立业委会**，也由甲物业服务 —— 只在“仅限无业委会"
    "的区域”起作用的路由上测试；",
    "  - `b1`：乙街道乙一社区的乙一小区，物管会，乙物业（Q）服务 —— 除住建局外都在范围外；",
    "  - `—`：路由不指向某个区域内的对象（列表、表单、全区记录）。",
    "- **结果**：✓ 可以打开（页面、文件、表单错误或下一步的跳转）；403 拒绝；404 找不到；"
    "登录 转到登录页（接口 401/403）；口令 转到动态口令页（接口 403 `otp_required`）。",
    "- 只接受 POST 的路由以空请求体测试：有权者得到表单错误或跳转（不是 403/404）。",
    "",
]

WRITTEN_RULE = [
    "## 角色与范围",
    "",
    "**本节和下一节“动作”是手写的规则**（其余各节由它们生成）。每个权限判断都是"
    "“角色 + 范围”：角色持有某个动作，且其范围覆盖对象所在的位置。范围只能是："
    "本区域；其服务的区域；本社区（及其中的区域）；本街道（及其中的社区、区域）；全区。"
    "使用动态口令的角色在本次登录通过动态口令之前什么都不能做。",
    "",
]

ACTIONS_INTRO = [
    "## 动作",
    "",
    "谁可以做（角色），是否须先通过动态口令（只对使用动态口令的角色），哪些角色只能在"
    "未成立业委会/物管会的区域做（RULES.md §3、§5）。“守卫的路由数”由脚本填写；"
    "为 0 的动作只在服务层检查，或属于 Django 管理后台。"
    "`accounts/permissions.py` 的 `ACTIONS` 和 `accounts/models.py` 的 `OTP_ROLES` "
    "必须与这两节一致（`tests/access/test_written.py`）：改权限须两处同时改。",
    "",
]


def render() -> str:
    """The whole document, as text (Django must be set up): the written sections as
    docs/permissions.md has them now, everything else generated from them."""
    from tests.access.model import PERSONAS, places
    from tests.access.table import ROUTES
    from tests.access.urlconf import paths_by_name
    from tests.access.written import read

    table = read()
    paths = paths_by_name()
    cases = sum(len(places(r)) for r in ROUTES) * len(PERSONAS)
    out = [
        "# 权限矩阵",
        "",
        "*Who may open which page or API endpoint, for every role, on an object in",
        "their own scope and in another. The sections 角色与范围 and 动作 are written",
        "by hand: they are the rule. `docs/permissions.py` generates the rest from them",
        "and `tests/access/table.py` (each route's guard); every cell is also a test in",
        "`tests/access/test_matrix.py`, run against the site, and",
        "`tests/access/test_written.py` fails when `accounts/permissions.py` disagrees",
        "with the rule. `tests/access/test_doc.py` fails when the generated part is out",
        "of date.*",
        "",
        "[← 返回目录](README.md)",
        "",
        f"共 {len(ROUTES)} 条路由（页面和 `/api/v1/` 接口），{len(PERSONAS)} 种身份，"
        f"{cases} 个自动生成的测试。",
        "",
        *HOW_TO_READ,
        *WRITTEN_RULE,
        *_roles_table(table),
        "",
        *ACTIONS_INTRO,
        *_actions_table(table, ROUTES),
        "",
        "## 身份",
        "",
        *_personas_table(),
        "",
        "业主甲在 a1 有一套房屋，在 a1 各次会议的表决名册中，其房屋在 a1 维修资金使用申请的列支范围内。",
        "",
    ]
    grouped: dict[str, list] = {}
    for route in ROUTES:
        grouped.setdefault(_group(route, paths[route.name]), []).append(route)
    for title in [g for g, _ in GROUPS] + [API_GROUP]:
        if title in grouped:
            out += [f"## {title}", "", *_route_table(grouped[title], paths), ""]
    out += ["## 不在矩阵中的路由", "", *_excluded_table(), ""]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    _setup()
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run python docs/permissions.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
