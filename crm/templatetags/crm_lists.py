"""Lists like a product: money with thousands separators, sortable column headers, page links
that keep the filter, the header search box."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..search import header_search_for

register = template.Library()


@register.filter
def money(value, places: int = 2) -> str:
    """¥38,600.00: yuan with thousands separators and two decimals; "—" for none."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = int(places)
    text = f"{abs(amount):,.{places}f}"
    return f"-¥{text}" if amount < 0 else f"¥{text}"


def _query(request, **changes) -> str:
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    """The current list's query string with `page` set: filter and sort are kept."""
    return _query(context["request"], page=None if number == 1 else number)


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label, page=None):
    """A column heading that sorts by `key` (a whitelisted sort of the view), toggling the
    direction when it is the current sort; the filter is kept, the page starts again."""
    current = (page or context.get("page") or {}).get("sort", "")
    if current == key:
        target, state, arrow = f"-{key}", "ascending", " ▲"
    elif current == f"-{key}":
        target, state, arrow = key, "descending", " ▼"
    else:
        target, state, arrow = key, "none", ""
    return format_html(
        '<a href="?{}" class="sort" data-sort="{}" aria-sort="{}" title="{}">{}{}</a>',
        _query(context["request"], sort=target, page=None),
        key,
        state,
        _("Sort"),
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def header_search(context):
    request = context.get("request")
    return header_search_for(getattr(request, "user", None))


@register.filter
def thousands(value) -> str:
    """10,000: a whole number grouped by thousands (as ¥ amounts are), whatever the locale's
    grouping."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
