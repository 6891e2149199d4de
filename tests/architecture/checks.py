"""The architecture rules an import-linter contract cannot say, as plain functions.

Each check takes the repository root (or an import graph) and returns a list of
violations, one readable line each ("path:line: what is wrong"); an empty list means the
rule holds. The tests in this package run them on the real tree and on throw-away trees
built in tmp_path, so every check is shown to bite. The rules are described in
docs/architecture.md ("架构检查").
"""

from __future__ import annotations

import ast
import functools
import io
import os
import tokenize
from collections.abc import Iterable, Iterator
from pathlib import Path

# The Django apps of the project, bottom to top (docs/architecture.md). complaints and
# oversight do not exist yet; the rules below already hold them to their place.
APPS = (
    "core",
    "accounts",
    "audit",
    "publications",
    "estates",
    "voting",
    "funds",
    "emergency",
    "revenue",
    "complaints",
    "oversight",
    "gongzhi",
)

# What each future app may import (besides itself); everything else of the project is
# above it. complaints sits beside voting, oversight above emergency and revenue.
FUTURE_APP_MAY_IMPORT = {
    "complaints": {"core", "accounts", "audit", "publications", "estates"},
    "oversight": {
        "core",
        "accounts",
        "audit",
        "publications",
        "estates",
        "complaints",
        "emergency",
    },
}
# Who may import the future apps: gongzhi (urls, settings) and oversight (complaints).
FUTURE_APP_IMPORTED_BY = {
    "complaints": {"gongzhi", "oversight"},
    "oversight": {"gongzhi"},
}

MAX_MODULE_LINES = 400
MAX_SERVICE_FUNCTION_LINES = 80
# A module over MAX_MODULE_LINES says why it is one piece with a comment starting with
# this marker in its first MARKER_WITHIN lines, e.g. "# One piece because the board
# format is a published specification read top to bottom."
ONE_PIECE_MARKER = "# One piece because"
MARKER_WITHIN = 40

SKIPPED_DIRS = {
    ".venv",
    ".git",
    "node_modules",
    "migrations",
    "tests",
    "__pycache__",
    "staticfiles",
}


# --------------------------------------------------------------------------- files


def python_files(root: Path, *, top: Iterable[str] | None = None) -> Iterator[Path]:
    """Every .py file under root (or under root/<top> for each top), outside migrations and tests."""
    bases = [root / name for name in top] if top is not None else [root]
    for base in bases:
        if base.is_file() and base.suffix == ".py":
            yield base
            continue
        if not base.is_dir():
            continue
        for directory, subdirs, names in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
            for name in sorted(names):
                if name.endswith(".py"):
                    yield Path(directory) / name


def app_files(root: Path) -> Iterator[Path]:
    return python_files(root, top=[app for app in APPS if (root / app).is_dir()])


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def resolve_from(root: Path, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module a `from … import` reads from."""
    if not node.level:
        return node.module or ""
    package = module_name(root, path).split(".")
    if not is_package(path):
        package = package[:-1]
    if node.level > 1:
        package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def comment_lines(source: str) -> set[int]:
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass
    return lines


@functools.lru_cache(maxsize=4096)
def _parse(path: Path) -> tuple[str, ast.Module]:
    source = path.read_text(encoding="utf-8")
    return source, ast.parse(source, filename=str(path))


def _where(root: Path, path: Path, line: int) -> str:
    return f"{path.relative_to(root)}:{line}"


# --------------------------------------------------------------------------- private names


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(root: Path, files: Iterable[Path] | None = None) -> list[str]:
    """No private name imported across modules.

    `from a.b import _x` and `from ._b import _x` are refused in every module, a package's
    `__init__` included: a name another module needs is public, so it is named without the
    underscore (or moved to where both can reach it). A private module (`_common.py`) may
    be imported only by the modules of its own package.
    """
    found: list[str] = []
    for path in files if files is not None else app_files(root):
        _, tree = _parse(path)
        here = module_name(root, path)
        here_package = here if is_package(path) else here.rpartition(".")[0]
        for node in ast.walk(tree):
            sources: list[str] = []
            if isinstance(node, ast.ImportFrom):
                source = resolve_from(root, path, node)
                private = [alias.name for alias in node.names if _is_private(alias.name)]
                if private:
                    found.append(
                        f"{_where(root, path, node.lineno)}: private name "
                        f"{', '.join(private)} imported from {source}"
                    )
                sources.append(source)
            elif isinstance(node, ast.Import):
                sources.extend(alias.name for alias in node.names)
            for source in sources:
                parts = source.split(".")
                for index, part in enumerate(parts[1:], start=1):
                    if not _is_private(part):
                        continue
                    owner = ".".join(parts[:index])
                    if here_package != owner and not here_package.startswith(owner + "."):
                        found.append(
                            f"{_where(root, path, node.lineno)}: private module "
                            f"{'.'.join(parts[: index + 1])} imported from outside {owner}"
                        )
                    break
    return found


# --------------------------------------------------------------------------- imports in functions


def _app_of(module: str) -> str:
    return module.split(".", 1)[0]


def _imported_modules(root: Path, path: Path, node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [resolve_from(root, path, node)]
    return []


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _imports_in_functions(tree: ast.AST, function=None) -> Iterator[tuple[ast.AST, ast.AST]]:
    """(outermost function, import statement) for every import inside a function."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.Import | ast.ImportFrom) and function is not None:
            yield function, child
        inner = function
        if inner is None and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = child
        yield from _imports_in_functions(child, inner)


def inner_cross_app_imports(root: Path, files: Iterable[Path] | None = None) -> list[str]:
    """A cross-app import inside a function carries a comment (same line or the line before).

    Exempt: `AppConfig.ready` in an app's apps.py, the place Django gives for exactly this.
    """
    found: list[str] = []
    for path in files if files is not None else app_files(root):
        source, tree = _parse(path)
        comments = comment_lines(source)
        here = _app_of(module_name(root, path))
        for function, node in _imports_in_functions(tree):
            if path.name == "apps.py" and function.name == "ready":
                continue
            other = sorted(
                {
                    _app_of(module)
                    for module in _imported_modules(root, path, node)
                    if _app_of(module) in APPS and _app_of(module) != here
                }
            )
            if not other:
                continue
            span = set(range(node.lineno - 1, (node.end_lineno or node.lineno) + 1))
            if not span & comments:
                found.append(
                    f"{_where(root, path, node.lineno)}: import of {', '.join(other)} "
                    f"inside {function.name}() without a comment saying why"
                )
    return found


# --------------------------------------------------------------------------- sizes


def long_modules(root: Path, files: Iterable[Path] | None = None) -> list[str]:
    """No module over MAX_MODULE_LINES lines unless its top says why it is one piece."""
    found: list[str] = []
    for path in files if files is not None else python_files(root):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) <= MAX_MODULE_LINES:
            continue
        if any(line.lstrip().startswith(ONE_PIECE_MARKER) for line in lines[:MARKER_WITHIN]):
            continue
        found.append(
            f"{path.relative_to(root)}: {len(lines)} lines (over {MAX_MODULE_LINES}; split it, "
            f"or say why it is one piece with '{ONE_PIECE_MARKER} …' in its first "
            f"{MARKER_WITHIN} lines)"
        )
    return found


def is_services(root: Path, path: Path) -> bool:
    parts = path.relative_to(root).with_suffix("").parts
    return "services" in parts


def long_service_functions(root: Path, files: Iterable[Path] | None = None) -> list[str]:
    """No function (def line to last line, docstring included) over 80 lines in services."""
    found: list[str] = []
    for path in files if files is not None else app_files(root):
        if not is_services(root, path):
            continue
        _, tree = _parse(path)
        for function in _functions(tree):
            length = (function.end_lineno or function.lineno) - function.lineno + 1
            if length > MAX_SERVICE_FUNCTION_LINES:
                found.append(
                    f"{_where(root, path, function.lineno)}: {function.name}() is {length} "
                    f"lines (over {MAX_SERVICE_FUNCTION_LINES}; split it into named steps)"
                )
    return found


# --------------------------------------------------------------------------- future apps


def future_app_imports(root: Path, files: Iterable[Path] | None = None) -> list[str]:
    """complaints and oversight import nothing above them, and nothing below imports them.

    Checked here, not by import-linter, while they do not exist: a missing root package
    stops lint-imports. Every import counts, in functions too.
    """
    found: list[str] = []
    for path in files if files is not None else app_files(root):
        _, tree = _parse(path)
        here = _app_of(module_name(root, path))
        for node in ast.walk(tree):
            for module in _imported_modules(root, path, node):
                there = _app_of(module)
                if there == here or there not in APPS:
                    continue
                allowed = FUTURE_APP_MAY_IMPORT.get(here)
                if allowed is not None and there not in allowed:
                    found.append(f"{_where(root, path, node.lineno)}: {here} imports {module}")
                importers = FUTURE_APP_IMPORTED_BY.get(there)
                if importers is not None and here not in importers:
                    found.append(f"{_where(root, path, node.lineno)}: {here} imports {module}")
    return found


# --------------------------------------------------------------------------- import loops


def import_cycles(graph) -> list[tuple[list[str], list[str]]]:
    """Every import loop between modules: the strongly connected components of size > 1
    (and a module importing itself): (the component's modules, one loop through them)."""
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & graph.modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0

    # Tarjan's algorithm, iterative (the graph has a few thousand modules).
    for start in modules:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    components.append(sorted(component))

    return [(component, _one_cycle(component, edges)) for component in sorted(components)]


def _one_cycle(component: list[str], edges: dict[str, list[str]]) -> list[str]:
    """A shortest loop through the component's first module (breadth-first)."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in edges[node]:
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return component


def describe_cycles(graph, cycles: list[tuple[list[str], list[str]]]) -> list[str]:
    """Each loop: its modules, one loop through them, and (for more than two modules)
    every import inside the component, so it can be broken where it is cheapest."""

    def where(importer: str, imported: str) -> str:
        details = graph.get_import_details(importer=importer, imported=imported)
        return ",".join(str(d["line_number"]) for d in details) or "?"

    lines = []
    for component, cycle in cycles:
        lines.append(f"{len(component)} modules in one loop: {', '.join(component)}")
        steps = [f"{a} (l.{where(a, b)})" for a, b in zip(cycle, cycle[1:], strict=False)]
        lines.append("  e.g. " + " -> ".join([*steps, cycle[-1]]))
        if len(component) > 2:
            members = set(component)
            for importer in component:
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    if imported in members:
                        lines.append(
                            f"    {importer} -> {imported} (l.{where(importer, imported)})"
                        )
    return lines
