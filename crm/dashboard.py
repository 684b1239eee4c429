"""Dashboard panels. The dashboard lives in crm; higher apps register their panels here (the
salesperson's day comes from customers), so imports keep pointing one way. The department page
(crm/views/departments.py) is filled the same way: `register_department_panel`."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (request, *, now, today) -> dict
    shown_to: Callable  # a page right of the registering app (its rights.py): (user) -> bool
    order: int


_PANELS: dict[str, Panel] = {}


def register_panel(key: str, *, template: str, context: Callable, shown_to, order: int) -> None:
    _PANELS[key] = Panel(template, context, shown_to, order)


def panels_for(request, *, now, today) -> list[dict]:
    user = request.user
    chosen = sorted((p for p in _PANELS.values() if p.shown_to(user)), key=lambda p: p.order)
    return [{"template": p.template, **p.context(request, now=now, today=today)} for p in chosen]


@dataclass(frozen=True)
class DepartmentPanel:
    template: str
    context: Callable  # (request, department, *, now, today) -> dict
    shown_to: Callable  # (user) -> bool, on top of seeing the department at all
    order: int


_DEPARTMENT_PANELS: dict[str, DepartmentPanel] = {}


def register_department_panel(
    key: str, *, template: str, context: Callable, shown_to, order: int
) -> None:
    """A figure block on a department's page, from the app that owns the figures."""
    _DEPARTMENT_PANELS[key] = DepartmentPanel(template, context, shown_to, order)


def department_panels_for(request, department, *, now, today) -> list[dict]:
    user = request.user
    chosen = sorted(
        (p for p in _DEPARTMENT_PANELS.values() if p.shown_to(user)), key=lambda p: p.order
    )
    return [
        {"template": p.template, **p.context(request, department, now=now, today=today)}
        for p in chosen
    ]
