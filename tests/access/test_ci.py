"""The matrix runs once in CI: it checks the wiring of views to the permission rules, not
the database, so the SQLite suite runs it and the PostgreSQL suites leave it out."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _recipes() -> dict[str, str]:
    """Each Makefile target's recipe, its continued lines joined."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    recipes: dict[str, str] = {}
    target = None
    for line in text.splitlines():
        if line.startswith("\t") and target:
            recipes[target] += line + "\n"
        elif match := re.match(r"^([\w-]+):", line):
            target = match.group(1)
            recipes[target] = ""
        else:
            target = None
    return recipes


def test_ci_runs_the_matrix_in_the_sqlite_suite_only():
    recipes = _recipes()
    ci = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nci:", 1)[1].splitlines()[0]
    suites = [t for t in ci.split() if "pytest" in recipes.get(t, "")]
    # Targets whose pytest run is not narrowed to a marker the matrix does not carry.
    unmarked = [t for t in suites if " -m " not in recipes[t]]

    assert "test-sqlite" in unmarked
    assert [t for t in unmarked if "--ignore=tests/access" not in recipes[t]] == ["test-sqlite"]
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").count("make ci") == 1


def test_the_matrix_carries_no_marker_of_the_postgresql_or_browser_suites():
    # Those suites select by marker (-m postgres, -m browser): a marked matrix test would
    # run a second time there.
    here = Path(__file__).parent
    marked = [
        path.name
        for path in here.glob("*.py")
        if re.search(r"mark\.(postgres|browser)\b", path.read_text(encoding="utf-8"))
    ]

    assert marked == []
