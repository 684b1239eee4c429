"""Export audit (SPEC §9 Confidentiality): the one gate every export view passes
(`audited_export`), and the GM's export log page. The rules live in
`customers.services.exports`; the reads in `customers.selectors`."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from crm.validators import parse_id, parse_page

from ..rights import may_read_export_log
from ..selectors import export_log_entries, export_log_people
from ..services.exports import export_filters, export_list_label, export_record, export_refusal

LOG_PAGE_SIZE = 50


def audited_export(
    request,
    *,
    list_name: str,
    build: Callable[[], tuple[HttpResponse, int]],
    refused_url: str,
    count: Callable[[], int] | None = None,
    **effective,
) -> HttpResponse:
    """Answer an export request: refused (and logged) over the viewer's cap, otherwise
    `build()` — (the response, the rows written) — and the export logged with its row count.

    `count()` gives the rows the export would hold; it is asked only for a capped viewer.
    Without it (a report whose rows are costly to count) a capped viewer's export is built
    first and refused if it came out too large. `effective` names filters the page decided
    without a parameter (see `export_filters`)."""
    now = timezone.now()
    filters = export_filters(request.GET, **effective)
    gate = {"actor": request.user, "list_name": list_name, "filters": filters, "now": now}
    refusal = export_refusal(**gate, count=count) if count is not None else ""
    if not refusal:
        response, rows = build()
        if count is None:
            refusal = export_refusal(**gate, count=lambda: rows)
            if refusal:
                # Not response.close(): that sends request_finished, whose handler closes the
                # database connection in the middle of this request. Only the file goes.
                stream = getattr(response, "file_to_stream", None)
                if stream is not None:
                    stream.close()
    if refusal:
        messages.error(request, refusal)
        return redirect(refused_url)
    export_record(actor=request.user, list_name=list_name, filters=filters, rows=rows, now=now)
    return response


@login_required
@require_GET
def export_log(request):
    """导出记录: every export and refused export, newest first, paged, by person (the GM's)."""
    if not may_read_export_log(request.user):
        raise Http404
    person_id = parse_id(request.GET.get("person"))
    paginator = Paginator(export_log_entries(person_id=person_id), LOG_PAGE_SIZE)
    page = paginator.get_page(parse_page(request.GET.get("page")))
    page.object_list = list(page.object_list)
    for entry in page.object_list:
        entry.list_label = export_list_label(entry.list_name)
    return render(
        request,
        "customers/export_log.html",
        {"page": page, "people": export_log_people(), "person_id": person_id},
    )
