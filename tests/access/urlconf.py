"""The routes of the project's URLconf, walked the way Django resolves them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    name: str | None  # with its namespaces ("funds:application_detail"), None if unnamed
    path: str  # the full pattern, as written (``path()`` syntax or a regex)
    view: str  # dotted path of the view

    @property
    def readable(self) -> str:
        """The path with regex groups as ``<name>`` and anchors dropped, for the document."""
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", self.path)
        text = text.replace("^", "").replace("$", "").replace("\\.", ".")
        return "/" + re.sub(r"<\w+:(\w+)>", r"<\1>", text)


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            callback = entry.callback
            view = f"{callback.__module__}.{getattr(callback, '__qualname__', '')}"
            yield Pattern(name, prefix + str(entry.pattern), view)


def project_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


def paths_by_name() -> dict[str, str]:
    """The readable path of each named route (the first pattern of a name wins, as in reverse)."""
    found: dict[str, str] = {}
    for pattern in project_patterns():
        if pattern.name and pattern.name not in found:
            found[pattern.name] = pattern.readable
    return found
