"""Dashboard panels. The dashboard lives in crm; higher apps register their panels here (the
salesperson's day comes from customers), so imports keep pointing one way. The department page
(crm/views/departments.py) is filled the same way: `register_department_panel`."""

from collections.abc import Callable
from dataclasses import dataclass

from .selectors import departments_managed_by, departments_visible_to, departments_with_headcount


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (request, *, now, today) -> dict
    shown_to: Callable  # a page right of the registering app (its rights.py): (user) -> bool
    order: int


_PANELS: dict[str, Panel] = {}


def register_panel(key: str, *, template: str, context: Callable, shown_to, order: int) -> None:
    _PANELS[key] = Panel(template, context, shown_to, order)


def _memo(request, key: str, compute: Callable):
    """`compute()` once per request: several panels of one page share the answer."""
    memo = request.__dict__.setdefault("_dashboard_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def managed_departments(request) -> list:
    """The departments `request.user` manages (`departments_managed_by`), in tree order, each
    with its manager, parent and active headcount (`departments_with_headcount`): read once per
    request and shared by the dashboard's sections. Issue 19: the home view, the allocation and
    the ledger panels each resolved the grants again (one permission subquery per query, 5-6
    per manager's dashboard)."""

    def read():
        departments = departments_managed_by(request.user)
        return list(departments_with_headcount(departments).order_by("path"))

    return _memo(request, "managed_departments", read)


def visible_departments(request) -> list:
    """The departments whose data `request.user` may read (`departments_visible_to`), in tree
    order with manager, parent and headcount, read once per request (the accountant's table)."""

    def read():
        departments = departments_visible_to(request.user)
        return list(departments_with_headcount(departments).order_by("path"))

    return _memo(request, "visible_departments", read)


def managed_department_ids(request) -> list[int]:
    """The ids of `managed_departments(request)` (same read), a literal list for IN filters."""
    return [d.pk for d in managed_departments(request)]


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
