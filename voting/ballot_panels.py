"""Panels other apps show on the owner's ballot page, per motion (RULES.md §4).

Voting sits below the apps that put motions on an assembly (funds: a fund-use
motion shows its budget, 列支范围 and the owner's share before they vote), so it
cannot ask them; they register a provider here from their ``AppConfig.ready()``
(STYLE.md §14: dependencies point down).

A provider is ``callable(*, assembly, rights, user) -> {motion code: dict}``; each
dict is the context of one panel and may name its ``"template"`` (else the
template given at registration). The ballot page renders each panel with
``{% ballot_panel panel %}`` (``voting.templatetags.ballot_panel_tags``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Provider = Callable[..., dict[str, dict]]


@dataclass(frozen=True)
class Registered:
    provider: Provider
    template: str | None
    name: str


@dataclass
class Panel:
    """One panel: the template to render and its context (``{name: entry}``)."""

    template: str
    context: dict = field(default_factory=dict)


_providers: list[Registered] = []


def register(provider: Provider, *, template: str | None = None, name: str = "panel") -> None:
    """Add ``provider``; its entries are rendered with ``template`` (unless an entry
    names its own ``"template"``) and reach the template as the variable ``name``."""
    if all(r.provider is not provider for r in _providers):
        _providers.append(Registered(provider, template, name))


def panels_for(*, assembly, rights, user) -> dict[str, Panel]:
    """Motion code → the panel shown with it, from every registered provider."""
    panels: dict[str, Panel] = {}
    for registered in _providers:
        for code, entry in registered.provider(assembly=assembly, rights=rights, user=user).items():
            template = entry.get("template") or registered.template
            if template:
                panels[code] = Panel(template=template, context={registered.name: entry})
    return panels
