"""Pages of the visitor register, the consultants' pre-registrations, the store manager's
source checks, the weekly 对单 and the store's figures (SPEC §12). Thin: the store through
`stores.selectors.common` (404 outside), one service call, redirect with a message."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.calendar import day_start
from crm.errors import refusal
from crm.paging import numbered_page
from crm.validators import EARLIEST, parse_month
from service.people_picker import picker, picker_department

from ..forms_visitors import (
    PreRegistrationForm,
    ReconciliationForm,
    SourceDecisionForm,
    VisitForm,
)
from ..models.visitors import PreRegistration, Visit
from ..rights import (
    is_home_consultant,
    may_keep_register,
    may_lead_store,
    may_preregister,
    store_of,
)
from ..selectors.common import default_store, store_for
from ..selectors.visitors import (
    candidate_preregs,
    count_to_check,
    home_consultants,
    monday_of,
    preregs_visible_to,
    recent_weeks,
    store_figures,
    today_count,
    visits_of,
    visits_to_check,
    week_to_reconcile,
)
from ..services.visitors import (
    prereg_create,
    reconciliation_sign,
    visit_register,
    visit_source_decide,
)
from .home import check_page

LIST_SORTS = {"time": ("occurred_at",)}


def _parse_day(text) -> date | None:
    """'YYYY-MM-DD' between 2000 and next year, else None."""
    text = (text or "").strip()
    if not (text.isascii() and len(text) == 10):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    if not EARLIEST <= day <= date(timezone.localdate().year + 1, 12, 31):
        return None
    return day


def _store(request, check):
    """The store of the page (own, or `?store=` among those seen; 404 otherwise) when `check`
    lets the viewer use it."""
    check_page(request.user)
    store = default_store(request.user, request.GET.get("store") or request.POST.get("store"))
    if store is None or not check(request.user, store):
        raise Http404
    return store


def _with_store(name, store, **query) -> str:
    return f"{reverse(name)}?{urlencode({'store': store.pk, **query})}"


def home_block(request, store, *, today) -> dict:
    """The visitors block of the store's start page."""
    user = request.user
    keeps = may_keep_register(user, store)
    return {
        "keeps_register": keeps,
        "may_preregister": may_preregister(user, store),
        "leads_store": may_lead_store(user, store),
        "today_visitors": today_count(store, today=today) if keeps else None,
        "to_check": count_to_check(store) if keeps else None,
    }


def figures_panel(request, *, now, today) -> dict:
    """Dashboard panel of the store manager and the customer managers (three queries at most:
    the store comes with the user's profile)."""
    store = store_of(request.user)
    return {"store": store, "figures": store_figures(store, month_start=today.replace(day=1))}


@login_required
@require_http_methods(["GET"])
def visit_list(request):
    """The register of a day (default today) or a month; filtered by kind and source check."""
    store = _store(request, may_keep_register)
    today = timezone.localdate()
    month_text = request.GET.get("month") or ""
    day = _parse_day(request.GET.get("day"))
    month = None
    if month_text:
        try:
            month = parse_month(month_text, today=today)
        except ValueError:
            month = None
    if month is not None:
        start = day_start(month)
        end = day_start((month + timedelta(days=32)).replace(day=1))
        day = None
    else:
        day = day or today
        start, end = day_start(day), day_start(day + timedelta(days=1))
    qs = visits_of(store, start=start, end=end)
    kind = request.GET.get("kind", "")
    if kind in Visit.Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    status = request.GET.get("status", "")
    if status in Visit.SourceStatus.values:
        qs = qs.filter(source_status=status)
    else:
        status = ""
    rows, page = numbered_page(qs, request, sorts=LIST_SORTS, default="-time")
    return render(
        request,
        "stores/visit_list.html",
        {
            "store": store,
            "rows": rows,
            "page": page,
            "day": day,
            "month": month,
            "kind": kind,
            "kinds": Visit.Kind.choices,
            "status": status,
            "statuses": Visit.SourceStatus.choices,
            "to_check": count_to_check(store),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request):
    """Register a visitor or a phone inquiry (日来店顾客登记表)."""
    store = _store(request, may_keep_register)
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            visit = visit_register(
                actor=request.user, store=store, data=form.cleaned_data, now=timezone.now()
            )
        if outcome.ok:
            if visit.source_status == Visit.SourceStatus.TO_CHECK:
                messages.warning(
                    request,
                    _(
                        "Visitor registered. The source does not match the consultants' notices: "
                        "the store manager will decide."
                    ),
                )
            else:
                messages.success(request, _("Visitor registered."))
            return redirect(_with_store("stores:visit_list", store))
    status = 400 if request.method == "POST" else 200
    return render(request, "stores/visit_form.html", {"store": store, "form": form}, status=status)


@login_required
@require_http_methods(["GET"])
def visit_checks(request):
    """The lines whose source the store manager must decide (界定客户有效性)."""
    store = _store(request, may_keep_register)
    return render(
        request,
        "stores/visit_checks.html",
        {
            "store": store,
            "rows": list(visits_to_check(store)[:200]),
            "leads_store": may_lead_store(request.user, store),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_check(request, pk: int):
    """The store manager (or the GM) decides a mismatched source."""
    check_page(request.user)
    visit = get_object_or_404(Visit.objects.select_related("store", "recorded_by"), pk=pk)
    store = store_for(request.user, visit.store_id)
    if not may_lead_store(request.user, store):
        raise Http404
    consultants = home_consultants(store)
    form = SourceDecisionForm(
        request.POST or None,
        consultants=consultants,
        initial={"source": visit.source},
    )
    decided = visit.source_status != Visit.SourceStatus.TO_CHECK
    if request.method == "POST" and not decided and form.is_valid():
        with refusal(form) as outcome:
            visit_source_decide(
                actor=request.user,
                visit=visit,
                source=form.cleaned_data["source"],
                consultant=form.cleaned_data["consultant"],
                note=form.cleaned_data["note"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Source decided."))
            return redirect(_with_store("stores:visit_checks", store))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "stores/visit_check.html",
        {
            "store": store,
            "visit": visit,
            "form": form,
            "decided": decided,
            "candidates": candidate_preregs(visit) if not decided else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def prereg_list(request):
    store = _store(request, may_preregister)
    qs = preregs_visible_to(request.user, store)
    status = request.GET.get("status", PreRegistration.Status.WAITING)
    if status in PreRegistration.Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    rows, page = numbered_page(qs, request, sorts={"created": ("created_at",)}, default="-created")
    return render(
        request,
        "stores/prereg_list.html",
        {
            "store": store,
            "rows": rows,
            "page": page,
            "status": status,
            "statuses": PreRegistration.Status.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def prereg_new(request):
    """家装顾问告知顾客来店."""
    store = _store(request, may_preregister)
    user = request.user
    own = user if is_home_consultant(user) and not may_keep_register(user, store) else None
    form = PreRegistrationForm(request.POST or None, consultants=home_consultants(store), own=own)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        consultant = own or data.pop("consultant", None)
        with refusal(form) as outcome:
            prereg_create(
                actor=user, store=store, consultant=consultant, data=data, now=timezone.now()
            )
        if outcome.ok:
            messages.success(request, _("Customer announced to the store."))
            return redirect(_with_store("stores:prereg_list", store))
    status = 400 if request.method == "POST" else 200
    return render(request, "stores/prereg_form.html", {"store": store, "form": form}, status=status)


def _market_department(user, recent) -> int | None:
    """Whose people the market-manager picker lists by default: the department of the last
    market manager who signed this store's week off, else the user's own."""
    for week in recent:
        staff = getattr(week["signed"].market_manager, "staff", None) if week["signed"] else None
        if staff is not None and staff.department_id:
            return staff.department_id
    staff = getattr(user, "staff", None)
    return getattr(staff, "department_id", None)


@login_required
@require_http_methods(["GET", "POST"])
def reconcile(request):
    """每周对单: the week's register lines and dispatches, and its sign-off."""
    store = _store(request, may_keep_register)
    today = timezone.localdate()
    week = _parse_day(request.GET.get("week"))
    week_start = monday_of(week) if week else monday_of(today) - timedelta(days=7)
    week_data = week_to_reconcile(store, week_start=week_start)
    recent = recent_weeks(store, today=today)
    people_of = picker_department(request, _market_department(request.user, recent))
    form = ReconciliationForm(request.POST or None, people_of=people_of)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            reconciliation_sign(
                actor=request.user,
                store=store,
                week_start=week_start,
                market_manager=form.cleaned_data["market_manager"],
                note=form.cleaned_data["note"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Week signed off."))
            return redirect(_with_store("stores:reconcile", store, week=week_start.isoformat()))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "stores/reconcile_week.html",
        {
            "store": store,
            "week": week_data,
            "week_end": week_start + timedelta(days=6),
            "prev_week": week_start - timedelta(days=7),
            "next_week": week_start + timedelta(days=7),
            "is_over": week_start + timedelta(days=7) <= today,
            "form": form,
            "recent": recent,
            "picker": picker(request, people_of, _("People of")),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def figures(request):
    """店面咨询人数, 电话咨询人数, the four success rates, and the designers' figures."""
    store = _store(request, may_keep_register)
    today = timezone.localdate()
    try:
        month = parse_month(request.GET.get("month") or "", today=today)
    except ValueError:
        month = today.replace(day=1)
    prev_month = (month - timedelta(days=1)).replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "stores/figures.html",
        {
            "store": store,
            "month": month,
            "prev_month": prev_month,
            "next_month": next_month,
            "figures": store_figures(store, month_start=month, with_designers=True),
        },
    )
