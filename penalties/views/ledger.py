"""The ledger of a month, one entry, the decisions on it (confirm, waive, reverse) and the
manager's queue of proposals (SPEC §7). A refusal writes nothing."""

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.errors import refusal
from crm.selectors import departments_managed_by, departments_visible_to, manages_company
from crm.validators import parse_id, parse_page

from ..evidence import entry_evidence
from ..models import LedgerEntry
from ..rights import may_decide, may_record_entries, may_see_ledger
from ..selectors import entries_to_decide, entries_visible_to
from ..services import ledger_confirm, ledger_reverse, ledger_waive
from ..services.ledger import is_month_closed, month_label, month_of
from .common import PAGE, month_or_message, require_right


@login_required
def ledger_list(request):
    """The ledger of one month as the user may see it: a salesperson their own lines only."""
    require_right(may_see_ledger, request.user)
    today = timezone.localdate()
    month = month_or_message(request, month_of(today))
    entries = entries_visible_to(request.user).filter(month=month)
    status = request.GET.get("status", "")
    if status in LedgerEntry.Status.values:
        entries = entries.filter(status=status)
    department_id = request.GET.get("department", "")
    departments = list(departments_visible_to(request.user).order_by("path"))
    if parse_id(department_id):
        entries = entries.filter(department_id=parse_id(department_id))
    totals = entries.aggregate(
        amount=Sum("amount", filter=Q(status=LedgerEntry.Status.CONFIRMED)),
        points=Sum("points", filter=Q(status=LedgerEntry.Status.CONFIRMED)),
        proposed=Count("pk", filter=Q(status=LedgerEntry.Status.PROPOSED)),
    )
    page = entries.order_by("-occurred_on", "-id")
    offset = (parse_page(request.GET.get("page")) - 1) * PAGE
    rows = list(page[offset : offset + PAGE + 1])
    managed = set(departments_managed_by(request.user).values_list("pk", flat=True))
    decidable = {
        e.pk
        for e in rows
        if e.status == LedgerEntry.Status.PROPOSED and may_decide(request.user, e, managed=managed)
    }
    return render(
        request,
        "penalties/ledger.html",
        {
            "month": month,
            "month_text": month_label(month),
            "prev_month": month_label(month - relativedelta(months=1)),
            "next_month": month_label(month + relativedelta(months=1)),
            "entries": rows[:PAGE],
            "has_more": len(rows) > PAGE,
            "page_number": offset // PAGE + 1,
            "decidable": decidable,
            "totals": totals,
            "status": status,
            "statuses": LedgerEntry.Status.choices,
            "departments": departments,
            "department_id": department_id,
            "is_closed": is_month_closed(month),
            "can_record": may_record_entries(request.user),
            "is_own_only": not departments and not manages_company(request.user),
        },
    )


@login_required
def entry_detail(request, pk: int):
    entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
    history = entry.history.select_related("history_user").order_by("history_date")
    reversal = LedgerEntry.objects.filter(reversal_of=entry).first()
    return render(
        request,
        "penalties/detail.html",
        {
            "entry": entry,
            "history": history,
            "reversal": reversal,
            "may_decide": may_decide(request.user, entry),
            "evidence": entry_evidence(entry, request.user, request),
        },
    )


def _act(request, pk: int, action) -> HttpResponse:
    entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
    with refusal(request) as outcome:
        message = action(entry)
    if outcome.ok:
        messages.success(request, message)
    back = request.POST.get("next") or ""
    if back.startswith("/penalties/"):
        return redirect(back)
    return redirect("penalties:detail", pk=entry.pk)


@login_required
@require_POST
def entry_confirm(request, pk: int):
    def confirm(entry):
        ledger_confirm(
            actor=request.user, entry=entry, now=timezone.now(), note=request.POST.get("note", "")
        )
        return _("Entry confirmed.")

    return _act(request, pk, confirm)


@login_required
@require_POST
def entry_waive(request, pk: int):
    def waive(entry):
        ledger_waive(
            actor=request.user,
            entry=entry,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
        )
        return _("Entry waived.")

    return _act(request, pk, waive)


@login_required
@require_POST
def entry_reverse(request, pk: int):
    def reverse_entry(entry):
        reversal = ledger_reverse(
            actor=request.user,
            entry=entry,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
        )
        return _("Reversed by entry #%(id)s.") % {"id": reversal.pk}

    return _act(request, pk, reverse_entry)


@login_required
def to_decide(request):
    """The manager's queue: proposals waiting on them, oldest first."""
    require_right(may_record_entries, request.user)
    waiting = list(entries_to_decide(request.user).order_by("created_at", "pk")[:200])
    return render(request, "penalties/to_decide.html", {"entries": waiting})
