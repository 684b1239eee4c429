"""Receivables and ageing (应收账款), its Excel export, and the reminder letter (电子催款单)
(SPEC §10). Reads in `sales.selectors.receivables`; the clock (today in Asia/Shanghai) is
read here."""

from datetime import date
from io import BytesIO

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from crm import xlsx
from crm.paging import PAGE_SIZE
from crm.validators import parse_id, parse_page
from customers.models import Customer
from customers.views.exports import audited_export

from ..forms_receivables import read_filter
from ..rights import may_see_receivables
from ..selectors.common import visible
from ..selectors.receivables import (
    BUCKET_LABELS,
    BUCKETS,
    GROUPS,
    customer_open_instalments,
    receivables,
    receivables_totals,
    summary_of,
    totals_of,
    with_labels,
)
from ..selectors.summaries import snapshot_receivables, snapshot_totals

EXPORT_LIST = "receivables"
EXPORT_CHUNK = 2000
FILE_NAME = pgettext_lazy("file name", "receivables-%(date)s.xlsx")
LETTER_FILE_NAME = pgettext_lazy("file name", "payment-reminder-%(code)s-%(date)s.html")


def _require(user) -> None:
    if not may_see_receivables(user):
        raise Http404


def _visible_customer(user, pk):
    return get_object_or_404(
        visible(Customer.objects.select_related("holder", "department"), user, prefix=""), pk=pk
    )


def _page(qs, request, size: int = PAGE_SIZE) -> tuple[list[dict], dict]:
    """Numbered pages over the grouped rows without counting them: a count of the groups
    would aggregate every open instalment a second time (seconds for the whole company), so
    the page reads one row more than it shows to know whether a next page exists."""
    number = parse_page(request.GET.get("page"))
    rows = list(qs[(number - 1) * size : number * size + 1])
    has_next = len(rows) > size
    return rows[:size], {
        "number": number,
        "has_prev": number > 1,
        "has_next": has_next,
        "prev": number - 1,
        "next": number + 1,
    }


@login_required
@require_GET
def receivables_view(request):
    """应收账款: outstanding per bucket on a day, per customer / salesperson / department,
    with a totals row; `?customer=<pk>` drills down to that customer's open instalments."""
    user = request.user
    _require(user)
    today = timezone.localdate()
    group, as_of = read_filter(request.GET, today=today)
    context = {
        "group": group,
        "groups": [(key, label) for key, (_column, label) in GROUPS.items()],
        "as_of": as_of,
        "today": today,
        "buckets": [(b, BUCKET_LABELS[b]) for b in BUCKETS],
    }
    if "customer" in request.GET:
        customer = _visible_customer(user, parse_id(request.GET.get("customer")))
        instalments = customer_open_instalments(customer, as_of=as_of)
        overdue = [i for i in instalments if i.days_overdue > 0]
        context |= {
            "customer": customer,
            "instalments": instalments,
            "summary": summary_of(instalments),
            "overdue_summary": summary_of(overdue),
        }
        return render(request, "sales/receivables_customer.html", context)
    # Today's figures from the ageing snapshot (kept exact by the services that change what
    # is owed; sales/models/summaries.py); another day, or no snapshot of today, live.
    fast = snapshot_receivables(user, as_of=as_of, group=group)
    qs = receivables(user, as_of=as_of, group=group) if fast is None else fast
    if group == "customer":
        rows, page = _page(qs, request)
        totals = snapshot_totals(user, as_of=as_of) if fast is not None else None
        if totals is None:
            totals = receivables_totals(user, as_of=as_of)
    else:
        # A row per person or department (thousands at most): read them all and add them up
        # for the totals row instead of a second pass over every open instalment.
        every = list(qs)
        rows, page = _page(every, request)
        totals = totals_of(every)
    context |= {
        "rows": with_labels(rows, group),
        "page": page,
        "totals": totals,
        "query": request.GET.urlencode(),
    }
    return render(request, "sales/receivables.html", context)


def receivables_workbook(user, *, as_of: date, group: str) -> tuple[bytes, int]:
    """The grouped rows of the page (all of them, streamed in chunks) and the totals row."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=str(GROUPS[group][1])[:31])
    header = [
        _("Customer")
        if group == "customer"
        else _("Salesperson")
        if group == "salesperson"
        else _("Department"),
        *[str(BUCKET_LABELS[b]) for b in BUCKETS],
        _("Overdue total"),
        _("Total outstanding"),
        _("Overdue instalments"),
    ]
    money = dict.fromkeys(range(1, 7), xlsx.MONEY_FORMAT)
    table = xlsx.Table(ws, header, formats=money)
    rows = 0
    chunk: list[dict] = []

    def flush():
        for row in with_labels(chunk, group):
            table.append(
                [
                    row["label"],
                    *[row[b] for b in BUCKETS],
                    row["overdue"],
                    row["total"],
                    row["overdue_count"],
                ]
            )
        chunk.clear()

    for row in receivables(user, as_of=as_of, group=group).iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(row)
        rows += 1
        if len(chunk) >= EXPORT_CHUNK:
            flush()
    flush()
    totals = receivables_totals(user, as_of=as_of)
    table.append(
        [
            _("Total"),
            *[totals[b] for b in BUCKETS],
            totals["overdue"],
            totals["total"],
            totals["overdue_count"],
        ],
        font=xlsx.HEADER_FONT,
    )
    table.close()
    out = BytesIO()
    book.save(out)
    return out.getvalue(), rows


@login_required
@require_GET
def receivables_export(request):
    """The page's grouping on its day as Excel; logged like every export, a salesperson's
    capped (SPEC §9)."""
    user = request.user
    _require(user)
    group, as_of = read_filter(request.GET, today=timezone.localdate())
    qs = receivables(user, as_of=as_of, group=group)

    def build():
        content, rows = receivables_workbook(user, as_of=as_of, group=group)
        response = HttpResponse(content, content_type=xlsx.XLSX_CONTENT_TYPE)
        name = xlsx.FileName.of(FILE_NAME, date=as_of.isoformat())
        return xlsx.attach(response, name), rows

    return audited_export(
        request,
        list_name=EXPORT_LIST,
        build=build,
        count=qs.count,
        refused_url=f"{reverse('sales:receivables')}?{request.GET.urlencode()}",
        group=group,
        as_of=as_of.isoformat(),
    )


@login_required
@require_GET
def reminder_letter(request, customer_pk: int):
    """电子催款单 of one customer: its overdue instalments on a day (today by default), to print
    (print stylesheet) or, with `?download=1`, to save as an HTML file and send. Only for
    those who see the customer unmasked (404 otherwise)."""
    user = request.user
    _require(user)
    customer = _visible_customer(user, customer_pk)
    _group, as_of = read_filter(request.GET, today=timezone.localdate())
    instalments = customer_open_instalments(customer, as_of=as_of, overdue_only=True)
    download = request.GET.get("download") == "1"
    context = {
        "customer": customer,
        "as_of": as_of,
        "instalments": instalments,
        "summary": summary_of(instalments),
        "company_name": getattr(settings, "COMPANY_NAME", ""),
        "contracts": sorted({i.contract_number for i in instalments}),
    }
    if not download:
        return render(request, "sales/reminder_letter.html", context)
    # A saved file is opened away from the site: it links the print stylesheet absolutely and
    # reads well without it (plain table, no script).
    context["stylesheet"] = request.build_absolute_uri(static("css/print.css"))
    response = render(request, "sales/reminder_letter_download.html", context)
    name = xlsx.FileName.of(LETTER_FILE_NAME, code=customer.code, date=as_of.isoformat())
    return xlsx.attach(response, name)


# --- dashboard panels (registered in sales.wiring.connect_receivables) --------------------

PANEL_ROWS = 5


def salesperson_panel(request, *, now, today) -> dict:
    """逾期应收 of the salesperson's own customers: count, amount, the largest. Three queries."""
    user = request.user
    rows = list(receivables(user, as_of=today, group="customer").filter(overdue__gt=0)[:PANEL_ROWS])
    return {"totals": receivables_totals(user, as_of=today), "rows": with_labels(rows, "customer")}


def _cached_totals(user, *, today: date, department=None) -> dict:
    """`receivables_totals`, kept in the shared cache for DASHBOARD_TREND_CACHE_SECONDS (per
    viewer, day and department): over a whole company it reads every open instalment, about
    a second at 1,000,000 customers, and a dashboard figure minutes old tells the same."""
    seconds = settings.DASHBOARD_TREND_CACHE_SECONDS
    if not seconds:
        return receivables_totals(user, as_of=today, department=department)
    key = f"receivables:{user.pk}:{today}:{department.pk if department else ''}"
    return cache.get_or_set(
        key, lambda: receivables_totals(user, as_of=today, department=department), seconds
    )


def manager_panel(request, *, now, today) -> dict:
    """The manager's (the GM's) receivables: overdue count and amount, by bucket."""
    return {"totals": _cached_totals(request.user, today=today)}


def department_panel(request, department, *, now, today) -> dict:
    """One department's receivables by bucket on its page (sub-departments included)."""
    return {"totals": _cached_totals(request.user, today=today, department=department)}
