"""The architecture rules import-linter cannot say, on the real tree (see checks.py and
docs/architecture.md "架构检查"). Each failure lists every offending line."""

from __future__ import annotations

from pathlib import Path

import grimp

from . import checks

ROOT = Path(__file__).resolve().parents[2]


def _fail_on(found: list[str], rule: str) -> None:
    assert not found, f"{rule}: {len(found)}\n" + "\n".join(found)


def test_no_import_loop_between_modules():
    packages = [app for app in checks.APPS if (ROOT / app).is_dir()]
    graph = grimp.build_graph(*packages, cache_dir=None)
    cycles = checks.import_cycles(graph)
    assert not cycles, f"import loops: {len(cycles)}\n" + "\n".join(
        checks.describe_cycles(graph, cycles)
    )


def test_no_private_name_imported_across_modules():
    _fail_on(checks.private_imports(ROOT), "private names imported across modules")


def test_cross_app_imports_in_functions_say_why():
    _fail_on(checks.inner_cross_app_imports(ROOT), "cross-app imports inside functions")


def test_no_module_over_400_lines_without_a_reason():
    _fail_on(checks.long_modules(ROOT), "modules over 400 lines")


def test_no_services_function_over_80_lines():
    _fail_on(checks.long_service_functions(ROOT), "services functions over 80 lines")


def test_complaints_and_oversight_stay_in_their_place():
    _fail_on(checks.future_app_imports(ROOT), "complaints / oversight imports")
