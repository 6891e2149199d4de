"""The import-linter contracts of pyproject.toml ([tool.importlinter]) hold on the tree.

`lint-imports` also runs in `make lint`; running it here puts a broken contract in the
suite's result, with import-linter's report (the import chain) as the failure message.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *extra],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


CONFIG = """
    [tool.importlinter]
    root_packages = ["low", "high"]
    include_external_packages = true

    [[tool.importlinter.contracts]]
    name = "layers"
    type = "layers"
    layers = ["high", "low"]

    [[tool.importlinter.contracts]]
    name = "pure"
    type = "forbidden"
    source_modules = ["low.pure"]
    forbidden_modules = ["django"]
"""


def test_a_forbidden_arrow_breaks_the_contract(tmp_path):
    """The same contract types as pyproject.toml's bite: an upward import and a pure
    module reaching Django (through another module) are both reported."""
    tree = _tree(
        tmp_path,
        {
            "pyproject.toml": CONFIG,
            "low/__init__.py": "",
            "low/models.py": "import django\n\nimport high.views\n",
            "low/pure.py": "from low import models\n",
            "high/__init__.py": "",
            "high/views.py": "import low.models\n",
        },
    )
    result = lint_imports(tree)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "low.models -> high.views" in out
    assert "low.pure -> low.models" in out
    assert "Contracts: 0 kept, 2 broken." in out


def test_a_clean_tree_keeps_the_contract(tmp_path):
    tree = _tree(
        tmp_path,
        {
            "pyproject.toml": CONFIG,
            "low/__init__.py": "",
            "low/pure.py": "import math\n",
            "high/__init__.py": "",
            "high/views.py": "import django\n\nimport low.pure\n",
        },
    )
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
