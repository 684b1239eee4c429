"""Ledger pages (SPEC §7). Thin: scope through `entries_visible_to` (404 outside it), shape the
input with a form, call one service, show its message. A refusal writes nothing."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm.fields import HappenedDateField
from crm.models import Department, User
from crm.selectors import departments_managed_by, departments_visible_to, manages_company
from crm.validators import parse_id, parse_page
from crm.validators import parse_month as parse_bounded_month
from crm.xlsx import XLSX_CONTENT_TYPE
from customers.errors import CustomerError
from customers.selectors import customers_visible_to
from customers.views_exports import audited_export

from .excel import month_workbook
from .models import ClosedMonth, LedgerEntry, PenaltyRule
from .rights import (
    may_decide,
    may_read_months,
    may_record_entries,
    may_record_for,
    may_see_ledger,
    may_view_company_overview,
)
from .selectors import entries_to_decide, entries_visible_to, manual_rules
from .services import (
    ManualEntry,
    ledger_confirm,
    ledger_record,
    ledger_reverse,
    ledger_waive,
    month_close,
)
from .services.ledger import (
    REASON_MAX,
    is_month_closed,
    month_label,
    month_of,
    parse_amount,
)

PAGE = 50


def parse_month(raw: str | None, *, default: date | None) -> date | None:
    """'YYYY-MM' → first day of that month; anything else, or a month outside the product's
    bounds (9999-12, 0001-01: crm/validators.py), → ValueError."""
    if not raw:
        return default
    return parse_bounded_month(raw, today=timezone.localdate())


def _month_or_message(request, default: date) -> date:
    try:
        return parse_month(request.GET.get("month"), default=default)
    except ValueError:
        messages.error(request, _("Give the month as YYYY-MM, for example 2026-11."))
        return default


def _require(right, user) -> None:
    """404 for whoever lacks the page's right (penalties.rights)."""
    if not right(user):
        raise Http404


@login_required
def ledger_list(request):
    """The ledger of one month as the user may see it: a salesperson their own lines only."""
    _require(may_see_ledger, request.user)
    today = timezone.localdate()
    month = _month_or_message(request, month_of(today))
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
        },
    )


def _act(request, pk: int, action) -> HttpResponse:
    entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
    try:
        message = action(entry)
    except CustomerError as exc:
        messages.error(request, str(exc))
    else:
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


class EntryForm(forms.Form):
    person = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=User.objects.none())
    rule = forms.ModelChoiceField(
        label=gettext_lazy("Rule"),
        queryset=PenaltyRule.objects.none(),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose a rule in use: this one is retired or applied by the system's scans."
            )
        },
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount (yuan)"),
        help_text=gettext_lazy("Negative for a reward. Must lie in the rule's range."),
    )
    occurred_on = HappenedDateField(
        label=gettext_lazy("Breach date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    customer = forms.IntegerField(
        label=gettext_lazy("Customer number"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("The customer concerned; required for confiscation."),
    )
    extra_customers = forms.IntegerField(
        label=gettext_lazy("Extra pool customers"),
        required=False,
        min_value=0,
        max_value=200,
        help_text=gettext_lazy("Only for the extra-customers reward."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True, staff__isnull=False).exclude(pk=actor.pk)
        if not manages_company(actor):
            people = people.filter(staff__department__in=departments_managed_by(actor))
        self.fields["person"].queryset = people.select_related("staff").order_by(
            "staff__department__path", "username"
        )
        self.fields["person"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"
        self.fields["rule"].queryset = manual_rules()
        self.fields["rule"].label_from_instance = lambda r: f"{r.label} · {r.code}"


@login_required
def entry_new(request):
    _require(may_record_entries, request.user)
    now = timezone.now()
    initial = {"occurred_on": timezone.localdate(now)}
    if request.GET.get("rule"):
        rule = manual_rules().filter(code=request.GET["rule"]).first()
        if rule:
            initial.update(rule=rule, amount=rule.default_amount)
    form = EntryForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = None
        try:
            if data["customer"]:
                customer = customers_visible_to(request.user).filter(pk=data["customer"]).first()
                if customer is None:
                    raise CustomerError(_("No customer with this number is visible to you."))
            if not may_record_for(request.user, data["person"]):
                raise CustomerError(
                    _("You may record entries only for people of departments you manage.")
                )
            entry = ledger_record(
                actor=request.user,
                entry=ManualEntry(
                    person=data["person"],
                    rule=data["rule"],
                    amount=parse_amount(data["amount"]),
                    reason=data["reason"],
                    occurred_on=data["occurred_on"],
                    customer=customer,
                    extra_customers=data["extra_customers"] or 0,
                ),
                now=now,
            )
        except CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Entry recorded; it waits for confirmation."))
            return redirect("penalties:detail", pk=entry.pk)
    return render(request, "penalties/new.html", {"form": form, "rules": manual_rules()})


@login_required
def month_list(request):
    """Months with entries: totals, the close button (GM) and the payroll export."""
    _require(may_read_months, request.user)
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
    try:
        month = parse_month(request.POST.get("month"), default=None)
        if month is None:
            raise ValueError
    except ValueError:
        messages.error(request, _("Give the month as YYYY-MM, for example 2026-11."))
        return redirect("penalties:months")
    try:
        month_close(actor=request.user, month=month, now=timezone.now())
    except CustomerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(month)s closed.") % {"month": month_label(month)})
    return redirect("penalties:months")


@login_required
def month_export(request):
    """Payroll workbook of one month: per department and per person, sums by rule."""
    _require(may_read_months, request.user)
    try:
        month = parse_month(request.GET.get("month"), default=None)
        if month is None:
            raise ValueError
    except ValueError:
        messages.error(request, _("Give the month as YYYY-MM, for example 2026-11."))
        return redirect("penalties:months")
    entries = entries_visible_to(request.user).filter(month=month)

    def build():
        content, rows = month_workbook(entries, month=month)
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        filename = f"ledger-{month_label(month)}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response, rows

    # Logged like every export (SPEC §9); `count` keeps a capped viewer's refusal cheap.
    return audited_export(
        request,
        list_name="ledger_month",
        build=build,
        count=entries.count,
        refused_url=reverse("penalties:months"),
        month=month_label(month),
    )


@login_required
def to_decide(request):
    """The manager's queue: proposals waiting on them, oldest first."""
    _require(may_record_entries, request.user)
    waiting = list(entries_to_decide(request.user).order_by("created_at", "pk")[:200])
    return render(request, "penalties/to_decide.html", {"entries": waiting})


@login_required
def company_dashboard(request):
    """The GM's company view (SPEC §8): every department side by side for a month and the
    12-month trends. A manager sees the same page for the departments they manage."""
    from crm.charts import bar_chart, line_chart

    from .rates import success_rates
    from .stats import department_rows, monthly_trend

    _require(may_view_company_overview, request.user)
    if manages_company(request.user):
        departments = Department.objects.all()
        scope_ids = None
    else:
        departments = departments_managed_by(request.user)
        scope_ids = list(departments.values_list("pk", flat=True))
        if not scope_ids:
            raise Http404
    today = timezone.localdate()
    month = _month_or_message(request, month_of(today))
    rows = department_rows(departments.order_by("path"), month=month)
    trend = monthly_trend(department_ids=scope_ids, last_month=month)
    names = [r.department.name for r in rows]
    totals = {
        key: sum(getattr(r, key) for r in rows)
        for key in (
            "held",
            "pooled",
            "followups",
            "deals",
            "inquiries",
            "reclaimed",
            "fines",
            "to_confirm",
        )
    }
    # 004's four success rates, each department's and the scope's (each person counted once).
    rates = success_rates(month=month, department_ids=scope_ids)
    for r in rows:
        r.rates = rates.for_department(r.department.pk)
    charts = {
        "customers": bar_chart(
            names,
            [(_("Held"), [r.held for r in rows]), (_("In the pool"), [r.pooled for r in rows])],
            title=_("Customers held and pooled"),
        ),
        "work": bar_chart(
            names,
            [
                (_("Follow-ups"), [r.followups for r in rows]),
                (_("Deals"), [r.deals for r in rows]),
                (_("Inquiries"), [r.inquiries for r in rows]),
            ],
            title=_("Follow-ups, deals and inquiries"),
        ),
        "sanctions": bar_chart(
            names,
            [
                (_("Reclaimed"), [r.reclaimed for r in rows]),
                (_("Fines (yuan)"), [r.fines for r in rows]),
            ],
            title=_("Reclaims and fines"),
        ),
        "trend_work": line_chart(
            [label[2:] for label in trend.labels],
            [
                (_("Follow-ups"), trend.followups),
                (_("Deals"), trend.deals),
                (_("Inquiries"), trend.inquiries),
            ],
            title=_("12-month trend: work"),
        ),
        "trend_sanctions": line_chart(
            [label[2:] for label in trend.labels],
            [(_("Reclaimed"), trend.reclaimed), (_("Fines (yuan)"), trend.fines)],
            title=_("12-month trend: reclaims and fines"),
        ),
    }
    return render(
        request,
        "penalties/company.html",
        {
            "rows": rows,
            "totals": totals,
            "total_rates": rates.total,
            "charts": charts,
            "month": month,
            "month_text": month_label(month),
            "prev_month": month_label(month - relativedelta(months=1)),
            "next_month": month_label(month + relativedelta(months=1)),
        },
    )
