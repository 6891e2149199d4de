"""Every check of checks.py catches what it is written for: each runs on a throw-away
tree in tmp_path holding one offence (and its allowed twin), and must report exactly it."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import grimp

from . import checks


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _lines(found: list[str]) -> list[str]:
    return [line.split(": ", 1)[0] for line in found]


def test_a_loop_between_modules_is_found(tmp_path, monkeypatch):
    _tree(
        tmp_path,
        {
            "voting/__init__.py": "",
            "voting/tasks.py": "from voting.services import opening\n",
            "voting/services/__init__.py": "",
            "voting/services/opening.py": (
                "def later():\n    from voting import tasks\n    return tasks\n"
            ),
            "voting/services/ballots.py": "from voting.services import opening\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "voting" or m.startswith("voting.")]:
        monkeypatch.delitem(sys.modules, name)
    graph = grimp.build_graph("voting", cache_dir=None)
    cycles = checks.import_cycles(graph)
    assert [component for component, _ in cycles] == [["voting.services.opening", "voting.tasks"]]
    text = "\n".join(checks.describe_cycles(graph, cycles))
    assert (
        "e.g. voting.services.opening (l.2) -> voting.tasks (l.1) -> voting.services.opening"
        in text
    )


def test_private_names_and_modules_across_modules_are_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "funds/__init__.py": "",
            "funds/services/__init__.py": "from ._procedure import clean\n",
            "funds/services/_procedure.py": "def clean():\n    pass\n\n\ndef _scoped():\n    pass\n",
            "funds/services/payments.py": (
                "from funds.services._procedure import clean\n"
                "from ._procedure import _scoped\n"
                "from __future__ import annotations\n"
            ),
            "funds/views.py": (
                "from funds.services._procedure import clean\n"
                "import funds.services._procedure\n"
                "from funds.services import clean\n"
            ),
            "funds/selectors.py": "from funds.services.payments import _scoped\n",
        },
    )
    found = checks.private_imports(root)
    assert sorted(_lines(found)) == [
        "funds/selectors.py:1",
        "funds/services/payments.py:2",
        "funds/views.py:1",
        "funds/views.py:2",
    ], found


def test_cross_app_imports_in_functions_without_a_comment_are_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "voting/__init__.py": "",
            "voting/apps.py": (
                "class VotingConfig:\n    def ready(self):\n        from core import integrity\n"
            ),
            "voting/services.py": """\
                import funds

                def a():
                    from estates.models import Unit
                    from voting import models  # same app: no comment needed
                    return Unit, models

                def b():
                    # publications renders with WeasyPrint: heavy, loaded on use
                    from publications import rendering
                    from publications import signing  # a real cycle: signing reads voting
                    return rendering, signing

                def c():
                    def inner():
                        import accounts.permissions
                    return inner
            """,
        },
    )
    found = checks.inner_cross_app_imports(root)
    assert _lines(found) == ["voting/services.py:4", "voting/services.py:16"], found


def test_long_modules_without_the_marker_are_found(tmp_path):
    body = "x = 1\n" * 401
    root = _tree(
        tmp_path,
        {
            "core/long.py": body,
            "core/reasoned.py": '"""Doc."""\n\n# One piece because it is one format.\n' + body,
            "core/short.py": "x = 1\n" * 400,
            "core/migrations/0001_initial.py": body,
            "tests/test_long.py": body,
        },
    )
    found = checks.long_modules(root)
    assert _lines(found) == ["core/long.py"], found


def test_long_services_functions_are_found(tmp_path):
    long_body = "    x = 1\n" * 80
    root = _tree(
        tmp_path,
        {
            "funds/__init__.py": "",
            "funds/services/ledger.py": "def post():\n" + long_body,
            "funds/services/short.py": "def post():\n" + "    x = 1\n" * 79,
            "funds/ledger/services.py": (
                "class A:\n    def post(self):\n" + "        x = 1\n" * 80
            ),
            "funds/views.py": "def page():\n" + long_body,
        },
    )
    found = checks.long_service_functions(root)
    assert sorted(_lines(found)) == ["funds/ledger/services.py:2", "funds/services/ledger.py:1"]


def test_complaints_and_oversight_out_of_place_are_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "complaints/__init__.py": "",
            "complaints/services.py": (
                "from estates.models import Area\n"
                "from voting.models import Assembly\n"
                "def f():\n    import funds  # even inside a function\n"
            ),
            "oversight/__init__.py": "",
            "oversight/views.py": "from complaints import services\nfrom emergency import models\n"
            "from revenue import models as r\n",
            "estates/__init__.py": "",
            "estates/views.py": "from complaints import services\n",
            "gongzhi/__init__.py": "",
            "gongzhi/urls.py": "import complaints\nimport oversight\n",
        },
    )
    found = checks.future_app_imports(root)
    assert sorted(_lines(found)) == [
        "complaints/services.py:2",
        "complaints/services.py:4",
        "estates/views.py:1",
        "oversight/views.py:3",
    ], found
