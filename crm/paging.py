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


# Numbered pages with sortable columns (the customer list, the pool). Page numbers are OFFSET
# pages: cheap for the first pages a person actually clicks through; the total is a capped
# COUNT, so neither a deep page nor the count ever walks a million rows. Lists that are read
# "newest first, as deep as it goes" (logs, timelines) keep `keyset_page` above.
COUNT_CAP = 10_000
PAGE_WINDOW = 2  # page links either side of the current one


def capped_count(queryset, cap: int | None = None) -> tuple[int, bool]:
    """(rows, more_than_cap): COUNT over a LIMITed subquery, so it stops at cap + 1 rows."""
    cap = COUNT_CAP if cap is None else cap
    n = queryset.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def _page_links(number: int, last: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: the first, the last and a window around the current page; None
    marks a gap."""
    shown = {1, last, *range(number - PAGE_WINDOW, number + PAGE_WINDOW + 1)}
    links: list[int | None] = []
    for n in sorted(p for p in shown if 1 <= p <= last):
        if links and links[-1] is not None and n > links[-1] + 1:
            links.append(None)
        links.append(n)
    return links


def numbered_page(
    queryset, request, *, sorts: dict[str, tuple[str, ...]], default: str, size: int = PAGE_SIZE
) -> tuple[list, dict]:
    """Rows of `?page=N` sorted by `?sort=<key>` or `?sort=-<key>`, `key` one of `sorts`
    (a whitelist: key -> model fields; the primary key breaks ties). Anything else falls back
    to `default`: a typed field name never reaches `order_by`. Deeper than the capped count
    the last page shows (narrow the filter to go further).

    Returns (rows, page) where page has number, last, links, total, total_capped, sort,
    has_prev, has_next, prev, next."""
    wanted = request.GET.get("sort") or default
    key = wanted.removeprefix("-")
    if key not in sorts:
        wanted, key = default, default.removeprefix("-")
    descending = wanted.startswith("-")
    order = [f"-{f}" if descending else f for f in sorts[key]]
    order.append("-pk" if descending else "pk")
    total, capped = capped_count(queryset)
    last = max(1, -(-total // size))
    number = parse_id(request.GET.get("page")) or 1
    number = min(number, last)
    rows = list(queryset.order_by(*order)[(number - 1) * size : number * size])
    return rows, {
        "number": number,
        "last": last,
        "links": _page_links(number, last),
        "total": total,
        "total_capped": capped,
        "sort": wanted,
        "has_prev": number > 1,
        "has_next": number < last,
        "prev": number - 1,
        "next": number + 1,
    }
