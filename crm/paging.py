"""Paging for long lists: newest first, by id, at a constant cost at any depth."""

from .validators import parse_id

PAGE_SIZE = 50


def keyset_page(queryset, request, size=PAGE_SIZE):
    """Newest first, paged by id (`?after=`/`?before=`): constant cost at any depth and no
    COUNT over a million rows. Returns (rows, {"has_prev", "has_next"})."""
    # parse_id: "²" passes str.isdigit() but not int(), 25 digits overflow the database.
    after, before = parse_id(request.GET.get("after")), parse_id(request.GET.get("before"))
    if before:
        rows = list(queryset.filter(pk__gt=before).order_by("pk")[: size + 1])
        has_more = len(rows) > size
        rows = list(reversed(rows[:size]))
        return rows, {"has_prev": has_more, "has_next": True}
    if after:
        queryset = queryset.filter(pk__lt=after)
    rows = list(queryset.order_by("-pk")[: size + 1])
    return rows[:size], {"has_prev": bool(after), "has_next": len(rows) > size}
