"""docs/permissions.md is the table the matrix runs, printed: it may not drift from it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "docs_permissions", ROOT / "docs" / "permissions.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_permissions_document_is_what_its_generator_writes_now():
    generator = _generator()

    written = generator.TARGET.read_text(encoding="utf-8")

    assert written == generator.render(), (
        "docs/permissions.md is out of date: run python docs/permissions.py"
    )


def test_the_document_has_a_row_for_every_route_and_a_cell_for_every_persona():
    from .model import PERSONAS
    from .table import ROUTES

    lines = _generator().render().splitlines()
    rows = [
        line
        for line in lines
        if line.startswith("| `") and ("| GET `" in line or "| POST `" in line)
    ]

    assert len(rows) == len(ROUTES)
    # route, method and path, gate, object, places, then one cell per persona
    assert {row.count(" | ") for row in rows} == {4 + len(PERSONAS)}
