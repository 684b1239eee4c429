"""Extras a higher app adds to customers' pages without customers naming it (the
`crm.dashboard.register_panel` pattern): a column of the customer list, actions on the detail
page, per-follow-up actions on the timeline. Each is a template of the registering app plus,
where it needs data, a function that loads it for the whole page at once, never per row. The
higher app registers in its AppConfig.ready; the views ask here and pass the result on."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ListColumn:
    key: str
    heading: str
    template: str  # one <td>, rendered with `value`
    # (customers, *, today) -> {customer pk: value}: one load for the page's rows.
    values: Callable
    order: int


@dataclass(frozen=True)
class TimelineExtra:
    key: str
    template: str  # rendered inside a follow-up's head, with `f` and the context's data
    # (entries, *, user) -> dict merged into the timeline's context: one load per page.
    context: Callable
    order: int


@dataclass(frozen=True)
class DetailSection:
    key: str
    template: str  # one <section class="card wide">, rendered with `section` (the dict below)
    # (customer, *, user) -> dict, or None to leave the section out: a fixed number of queries.
    context: Callable
    order: int


_LIST_COLUMNS: dict[str, ListColumn] = {}
_DETAIL_SECTIONS: dict[str, DetailSection] = {}
_DETAIL_ACTIONS: dict[str, tuple[str, int]] = {}
_FOLLOWUP_ACTIONS: dict[str, TimelineExtra] = {}


def register_list_column(key: str, *, heading, template: str, values: Callable, order: int) -> None:
    _LIST_COLUMNS[key] = ListColumn(key, heading, template, values, order)


def register_detail_action(key: str, *, template: str, order: int) -> None:
    """Buttons in the detail page's title bar; the template sees the page's context
    (`customer`, `user`, `rights`)."""
    _DETAIL_ACTIONS[key] = (template, order)


def register_detail_section(key: str, *, template: str, context: Callable, order: int) -> None:
    """A section of the detail page, between the contacts and the timeline (a higher app's
    records about the customer: opportunities, contracts, the yearly table). The view passes
    the customer as read through `customers_visible_to` (its `contacts_masked` says whether
    the user sees it masked)."""
    _DETAIL_SECTIONS[key] = DetailSection(key, template, context, order)


def detail_sections(customer, *, user) -> list[dict]:
    """[{template, section}] of the registered sections that have something to show."""
    shown = []
    for section in sorted(_DETAIL_SECTIONS.values(), key=lambda s: s.order):
        data = section.context(customer, user=user)
        if data is not None:
            shown.append({"key": section.key, "template": section.template, "section": data})
    return shown


def register_followup_action(key: str, *, template: str, context: Callable, order: int) -> None:
    _FOLLOWUP_ACTIONS[key] = TimelineExtra(key, template, context, order)


def list_columns(customers: list, *, today) -> list[dict]:
    """The registered columns with each row's value: [{heading, template, values}], where
    `values` lines up with `customers`."""
    columns = []
    for column in sorted(_LIST_COLUMNS.values(), key=lambda c: c.order):
        found = column.values(customers, today=today)
        columns.append(
            {
                "key": column.key,
                "heading": column.heading,
                "template": column.template,
                "values": [found.get(c.pk) for c in customers],
            }
        )
    return columns


def list_rows(customers: list, columns: list[dict]) -> list[tuple]:
    """(customer, [(template, value), …]) per row, for the list template."""
    return [
        (c, [(col["template"], col["values"][i]) for col in columns])
        for i, c in enumerate(customers)
    ]


def detail_actions() -> list[str]:
    return [t for t, _order in sorted(_DETAIL_ACTIONS.values(), key=lambda a: a[1])]


def timeline_extras(entries: list, *, user) -> dict:
    """`followup_actions` (templates) plus each registered extra's data for these entries."""
    chosen = sorted(_FOLLOWUP_ACTIONS.values(), key=lambda e: e.order)
    context: dict = {"followup_actions": [e.template for e in chosen]}
    for extra in chosen:
        context.update(extra.context(entries, user=user))
    return context
