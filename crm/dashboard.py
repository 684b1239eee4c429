"""Dashboard panels. The dashboard lives in crm; higher apps register their panels here (the
salesperson's day comes from customers), so imports keep pointing one way."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (request, *, now, today) -> dict
    roles: frozenset
    order: int


_PANELS: dict[str, Panel] = {}


def register_panel(key: str, *, template: str, context: Callable, roles, order: int) -> None:
    _PANELS[key] = Panel(template, context, frozenset(roles), order)


def panels_for(request, role, *, now, today) -> list[dict]:
    chosen = sorted((p for p in _PANELS.values() if role in p.roles), key=lambda p: p.order)
    return [{"template": p.template, **p.context(request, now=now, today=today)} for p in chosen]
