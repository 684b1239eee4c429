"""Export audit and the salesperson's export cap (SPEC §9 Confidentiality; 001 五.4 "资料保密",
002 §4.1): every export of a list — the customer list, the duplicate report, the payroll
month, and any list added later — is logged with who, which list, the filters, the row count
and the time; a salesperson may export at most `config.EXPORT_CAP_SALESPERSON` rows at a time.

Over the cap the export is refused whole, not cut short: a truncated file looks complete to
whoever opens it later. The refusal is logged too (an attempt to take the archive is what the
log is for). The GM reads the log (`customers:export_log`).

Each app names its lists with `register_export_list` (a higher app's list is stored by key, so
this module never imports it).
"""

from collections.abc import Callable
from datetime import datetime

from constance import config
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.rights import is_salesperson

from ..models import ExportLog

EXPORT_LISTS: dict[str, object] = {}

# Paging and keyset positions say where one was in the list, not what was exported.
IGNORED_PARAMETERS = {"page", "after", "before"}
MAX_VALUE_CHARS = 200
MAX_FILTER_CHARS = ExportLog._meta.get_field("filters").max_length


def register_export_list(key: str, label) -> None:
    """Name a list that can be exported (`label`: a lazy translation)."""
    EXPORT_LISTS[key] = label


def export_list_label(key: str) -> str:
    return str(EXPORT_LISTS.get(key, key))


register_export_list("customers", gettext_lazy("Customer list"))
register_export_list("duplicates", gettext_lazy("Duplicate and fake records"))


def _clean(text: str) -> str:
    """Printable, bounded, and unambiguous inside a query string."""
    text = "".join(ch for ch in str(text) if ch.isprintable())
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return text.replace("%", "%25").replace("&", "%26").replace("=", "%3D")


def export_filters(query, **effective) -> str:
    """The query string of an export, normalised so that equal filters read equal: parameters
    sorted, blank values and paging left out, control characters dropped, long values cut.
    Readable (Chinese stays Chinese); `&`, `=` and `%` inside values are escaped.

    `effective` adds what the page decided without a parameter (the customer list's default
    scope tab), so the log says which tab was exported."""
    pairs = []
    for key, values in query.lists():
        if key in IGNORED_PARAMETERS or key in effective:
            continue
        pairs += [(_clean(key), _clean(v)) for v in values if str(v).strip()]
    pairs += [(_clean(k), _clean(v)) for k, v in effective.items() if str(v).strip()]
    text = "&".join(f"{key}={value}" for key, value in sorted(pairs))
    if len(text) > MAX_FILTER_CHARS:
        text = text[: MAX_FILTER_CHARS - 1] + "…"
    return text


def export_cap(user) -> int | None:
    """The most rows `user` may export at once; None: no cap. Only salespeople are capped
    (001 五.4: the archive is the company's, a salesperson takes no more than they work)."""
    if is_salesperson(user):
        return max(int(config.EXPORT_CAP_SALESPERSON), 0)
    return None


def export_record(
    *, actor, list_name: str, filters: str, rows: int, now: datetime, is_refused: bool = False
) -> ExportLog:
    """Log one export (or its refusal)."""
    return ExportLog.objects.create(
        actor=actor,
        list_name=list_name,
        filters=filters,
        rows=rows,
        at=now,
        is_refused=is_refused,
    )


def export_refusal(
    *, actor, list_name: str, filters: str, count: Callable[[], int], now: datetime
) -> str:
    """'' when `actor` may export this list; otherwise the refusal is logged and its message
    (for the user) returned. `count()` (the rows the export would hold) is asked only when
    the actor has a cap, so uncapped exports cost no extra query.

    Returns rather than raises so the logged refusal is never rolled back with an error."""
    cap = export_cap(actor)
    if cap is None:
        return ""
    rows = count()
    if rows <= cap:
        return ""
    export_record(
        actor=actor, list_name=list_name, filters=filters, rows=rows, now=now, is_refused=True
    )
    return _(
        "This export would hold %(rows)d rows, but a salesperson may export at most %(cap)d "
        "at a time (company confidentiality rules). Narrow the filters and export again. "
        "The attempt has been recorded."
    ) % {"rows": rows, "cap": cap}
