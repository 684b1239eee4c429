"""Months: totals per month, the GM's month close and the payroll export (SPEC §7, §9)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.errors import refusal
from crm.xlsx import XLSX_CONTENT_TYPE, attach
from customers.views.exports import audited_export

from ..excel import month_file_name, month_workbook
from ..models import ClosedMonth, LedgerEntry
from ..rights import may_read_months
from ..selectors import entries_visible_to
from ..services import month_close
from ..services.ledger import month_label
from .common import month_required, require_right


@login_required
def month_list(request):
    """Months with entries: totals, the close button (GM) and the payroll export."""
    require_right(may_read_months, request.user)
    entries = entries_visible_to(request.user)
    months = (
        entries.order_by()
        .values("month")
        .annotate(
            amount=Sum("amount", filter=Q(status=LedgerEntry.Status.CONFIRMED)),
            confirmed=Count("pk", filter=Q(status=LedgerEntry.Status.CONFIRMED)),
            proposed=Count("pk", filter=Q(status=LedgerEntry.Status.PROPOSED)),
            waived=Count("pk", filter=Q(status=LedgerEntry.Status.WAIVED)),
        )
        .order_by("-month")[:24]
    )
    closed = {c.month: c for c in ClosedMonth.objects.select_related("closed_by")}
    rows = [
        {**m, "label": month_label(m["month"]), "closed": closed.get(m["month"])} for m in months
    ]
    return render(
        request,
        "penalties/months.html",
        {"months": rows, "today": timezone.localdate()},
    )


@login_required
@require_POST
def month_close_view(request):
    month = month_required(request, request.POST.get("month"))
    if month is None:
        return redirect("penalties:months")
    with refusal(request) as outcome:
        month_close(actor=request.user, month=month, now=timezone.now())
    if outcome.ok:
        messages.success(request, _("%(month)s closed.") % {"month": month_label(month)})
    return redirect("penalties:months")


@login_required
def month_export(request):
    """Payroll workbook of one month: per department and per person, sums by rule."""
    require_right(may_read_months, request.user)
    month = month_required(request, request.GET.get("month"))
    if month is None:
        return redirect("penalties:months")
    entries = entries_visible_to(request.user).filter(month=month)

    def build():
        content, rows = month_workbook(entries, month=month)
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        return attach(response, month_file_name(month)), rows

    # Logged like every export (SPEC §9); `count` keeps a capped viewer's refusal cheap.
    return audited_export(
        request,
        list_name="ledger_month",
        build=build,
        count=entries.count,
        refused_url=reverse("penalties:months"),
        month=month_label(month),
    )
