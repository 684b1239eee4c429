"""The store's people pages (SPEC §12; 004 一, 二.7, 五.1, 五.5–五.6): designers and their
profiles, the daily attendance sheet, 外出登记, the designers' monthly 主材 sales. Thin: the
store through `stores.selectors.common` (404 outside), one service call, redirect."""

from datetime import date, timedelta

from constance import config
from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import refusal
from crm.validators import EARLIEST, parse_month

from ..forms_people import (
    AttendanceFormSet,
    DesignerMonthFormSet,
    DesignerProfileForm,
    OutingBackForm,
    OutingForm,
)
from ..models import Attendance, DesignStyle, Occupation, Outing
from ..rights import (
    is_customer_manager,
    may_edit_designer,
    may_enter_designer_months,
    may_keep_register,
    may_lead_store,
    may_read_designer_profile,
    may_see_designer_months,
)
from ..selectors.common import default_store, stores_visible_to
from ..selectors.people import (
    OUTINGS_DAYS,
    attendance_on,
    designer_for,
    month_figures,
    open_outings,
    outings_since,
    store_designers,
)
from ..services.people import (
    attendance_day_problem,
    attendance_record,
    designer_month_record,
    designer_profile_save,
    month_problem,
    outing_register,
    outing_return,
)
from .home import check_page

STYLE_LABELS = dict(DesignStyle.choices)
OCCUPATION_LABELS = dict(Occupation.choices)


def _store(request):
    """The store the page shows (?store=, else the viewer's own); 404 when none."""
    check_page(request.user)
    store = default_store(request.user, request.GET.get("store"))
    if store is None:
        raise Http404
    return store


def _labels(values, labels) -> list[str]:
    return [str(labels[v]) for v in values or [] if v in labels]


def _page(request, store) -> dict:
    return {
        "store": store,
        "stores": list(stores_visible_to(request.user)),
        "show_months": may_see_designer_months(request.user, store),
    }


def _with_store(name: str, store, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in {"store": store.pk, **query}.items())
    return f"{reverse(name)}?{params}"


# --- designers ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def designer_list(request):
    """Every active designer of the store: level, styles, suited customers, today's
    attendance and whether out now. Everyone in the store, and the GM."""
    store = _store(request)
    today = timezone.localdate()
    designers = list(store_designers(store).order_by("username"))
    designers.sort(key=lambda d: -(_profile(d).level.rank if _profile(d) is not None else 0))
    attendance = attendance_on(store, today)
    out = open_outings(store)
    # Reading every profile is a fact about the viewer and the store (one check, not one per
    # row); a designer also reads their own.
    reads_all = is_customer_manager(request.user, store) or may_lead_store(request.user, store)
    rows = []
    for d in designers:
        profile = _profile(d)
        rows.append(
            {
                "designer": d,
                "profile": profile,
                "styles": _labels(profile.styles if profile else [], STYLE_LABELS),
                "suited": _labels(profile.suited_customers if profile else [], OCCUPATION_LABELS),
                "attendance": attendance.get(d.pk),
                "outing": out.get(d.pk),
                "may_read": reads_all or d.pk == request.user.pk,
            }
        )
    return render(
        request,
        "stores/people_designers.html",
        {
            **_page(request, store),
            "rows": rows,
            "today": today,
            "may_edit": may_edit_designer(request.user, store),
        },
    )


def _profile(designer):
    """The designer's profile, or None before the store manager created it (the missing
    reverse one-to-one raises an AttributeError subclass)."""
    return getattr(designer, "designer_profile", None)


@login_required
@require_http_methods(["GET"])
def designer_detail(request, pk: int):
    """The profile (004 五.5): the designer themself, the store's customer managers, its
    manager and the GM; 404 for colleagues and everyone outside the store."""
    check_page(request.user)
    designer, store = designer_for(request.user, pk)
    if not may_read_designer_profile(request.user, designer, store):
        raise Http404
    profile = _profile(designer)
    return render(
        request,
        "stores/people_designer_detail.html",
        {
            "store": store,
            "designer": designer,
            "profile": profile,
            "styles": _labels(profile.styles if profile else [], STYLE_LABELS),
            "suited": _labels(profile.suited_customers if profile else [], OCCUPATION_LABELS),
            "may_edit": may_edit_designer(request.user, store),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def designer_edit(request, pk: int):
    """Create or change the profile: the store manager or the GM."""
    check_page(request.user)
    designer, store = designer_for(request.user, pk)
    if not may_edit_designer(request.user, store):
        raise Http404
    form = DesignerProfileForm(request.POST or None, instance=_profile(designer))
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            designer_profile_save(
                actor=request.user, designer=designer, data=form.cleaned_data, now=timezone.now()
            )
        if outcome.ok:
            messages.success(request, _("Profile saved."))
            return redirect("stores:designer_detail", pk=designer.pk)
    return render(
        request,
        "stores/people_designer_edit.html",
        {"store": store, "designer": designer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- attendance ----------------------------------------------------------------------------


def _day(text, today: date) -> date:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return today
    return day if EARLIEST <= day <= today + timedelta(days=366) else today


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request):
    """The day's attendance sheet (004 二.7): kept by the store's customer managers, its
    manager and the GM, today or up to a week back; read-only for the others."""
    store = _store(request)
    now = timezone.now()
    today = timezone.localdate(now)
    day = _day(request.GET.get("day"), today)
    may_record = may_keep_register(request.user, store)
    day_problem = attendance_day_problem(day, now=now)
    editable = may_record and day_problem is None
    designers = list(store_designers(store))
    rows = attendance_on(store, day)
    formset = None
    status = 200
    if editable:
        initial = [
            {
                "designer": d.pk,
                "status": rows[d.pk].status if d.pk in rows else Attendance.Status.PRESENT,
                "note": rows[d.pk].note if d.pk in rows else "",
            }
            for d in designers
        ]
        formset = AttendanceFormSet(
            request.POST if request.method == "POST" else None, initial=initial, prefix="rows"
        )
        if request.method == "POST":
            if formset.is_valid():
                data = [f.cleaned_data for f in formset.forms if f.cleaned_data]
                with refusal(request) as outcome:
                    n = attendance_record(
                        actor=request.user, store=store, day=day, rows=data, now=now
                    )
                if outcome.ok:
                    messages.success(request, _("Attendance saved: %(n)d designers.") % {"n": n})
                    return redirect(_with_store("stores:attendance", store, day=day.isoformat()))
            else:
                messages.error(request, _("Check the sheet: every designer needs a status."))
            status = 400
    elif request.method == "POST":
        messages.error(request, day_problem or _("You cannot keep this sheet."))
        return redirect(_with_store("stores:attendance", store, day=day.isoformat()))
    names = {d.pk: d for d in designers}
    lines = []
    if formset is not None:
        for form in formset.forms:
            pk = form.initial.get("designer")
            lines.append({"designer": names.get(pk), "form": form, "row": rows.get(pk)})
    else:
        lines = [{"designer": d, "form": None, "row": rows.get(d.pk)} for d in designers]
    return render(
        request,
        "stores/people_attendance.html",
        {
            **_page(request, store),
            "day": day,
            "today": today,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1) if day < today else None,
            "formset": formset,
            "lines": lines,
            "may_record": may_record,
            "day_problem": day_problem if may_record else None,
        },
        status=status,
    )


# --- outings (外出登记) ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def outing_list(request):
    """Today's outings (open first) and the last 30 days; the customer managers, the store
    manager and the GM register one."""
    store = _store(request)
    now = timezone.now()
    today = timezone.localdate(now)
    may_record = may_keep_register(request.user, store)
    form = None
    status = 200
    if may_record:
        designers = list(store_designers(store))
        form = OutingForm(
            request.POST if request.method == "POST" else None,
            designers=designers,
            initial={"out_at": timezone.localtime(now).replace(second=0, microsecond=0)},
        )
        if request.method == "POST":
            if form.is_valid():
                with refusal(form) as outcome:
                    outing_register(
                        actor=request.user,
                        store=store,
                        designer=form.cleaned_data["designer"],
                        purpose=form.cleaned_data["purpose"],
                        out_at=form.cleaned_data["out_at"],
                        now=now,
                    )
                if outcome.ok:
                    messages.success(request, _("Outing registered."))
                    return redirect(_with_store("stores:outing_list", store))
            status = 400
    elif request.method == "POST":
        raise Http404
    since = today - timedelta(days=OUTINGS_DAYS)
    outings = list(outings_since(store, since)[:500])
    return render(
        request,
        "stores/people_outings.html",
        {
            **_page(request, store),
            "form": form,
            "today_rows": [o for o in outings if timezone.localtime(o.out_at).date() == today],
            "earlier_rows": [o for o in outings if timezone.localtime(o.out_at).date() != today],
            "may_record": may_record,
            "back_form": OutingBackForm(),
            "today": today,
        },
        status=status,
    )


@login_required
@require_POST
def outing_back(request, pk: int):
    """The designer is back (time back given, or now)."""
    check_page(request.user)
    outing = get_object_or_404(
        Outing.objects.filter(store__in=stores_visible_to(request.user)), pk=pk
    )
    if not may_keep_register(request.user, outing.store_id):
        raise Http404
    form = OutingBackForm(request.POST)
    now = timezone.now()
    if form.is_valid():
        with refusal(request) as outcome:
            outing_return(
                actor=request.user,
                outing=outing,
                back_at=form.cleaned_data["back_at"] or now,
                now=now,
            )
        if outcome.ok:
            messages.success(request, _("Return recorded."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(_with_store("stores:outing_list", outing.store))


# --- monthly 主材 sales ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def designer_months(request):
    """The designers' 主材 sales of a month against the standard (004 五 选派 1): entered by
    the store manager or the GM, read by the customer managers."""
    store = _store(request)
    if not may_see_designer_months(request.user, store):
        raise Http404
    now = timezone.now()
    today = timezone.localdate(now)
    try:
        month = parse_month(request.GET.get("month", ""), today=today)
    except ValueError:
        month = today.replace(day=1) - relativedelta(months=1)
    may_enter = may_enter_designer_months(request.user, store)
    problem = month_problem(month, now=now)
    editable = may_enter and problem is None
    designers = list(store_designers(store))
    figures = month_figures(store, month)
    standard = config.STORE_MAIN_MATERIAL_STANDARD
    formset = None
    status = 200
    if editable:
        initial = [
            {
                "designer": d.pk,
                "main_material_sales": figures[d.pk].main_material_sales
                if d.pk in figures
                else None,
            }
            for d in designers
        ]
        formset = DesignerMonthFormSet(
            request.POST if request.method == "POST" else None, initial=initial, prefix="rows"
        )
        if request.method == "POST":
            if formset.is_valid():
                data = [f.cleaned_data for f in formset.forms if f.cleaned_data]
                with refusal(request) as outcome:
                    n = designer_month_record(
                        actor=request.user, store=store, month=month, rows=data, now=now
                    )
                if outcome.ok:
                    messages.success(request, _("Sales saved: %(n)d designers.") % {"n": n})
                    return redirect(
                        _with_store("stores:designer_months", store, month=month.strftime("%Y-%m"))
                    )
            else:
                messages.error(request, _("Check the figures: amounts in yuan, 0 or more."))
            status = 400
    elif request.method == "POST":
        if not may_enter:
            raise Http404
        messages.error(request, problem)
        return redirect(_with_store("stores:designer_months", store, month=month.strftime("%Y-%m")))
    forms_by_designer = (
        {f.initial.get("designer"): f for f in formset.forms} if formset is not None else {}
    )
    lines = []
    for d in designers:
        figure = figures.get(d.pk)
        lines.append(
            {
                "designer": d,
                "figure": figure,
                "meets": figure is not None and figure.main_material_sales >= standard,
                "form": forms_by_designer.get(d.pk),
            }
        )
    next_month = month + relativedelta(months=1)
    return render(
        request,
        "stores/people_months.html",
        {
            **_page(request, store),
            "month": month,
            "previous": month - relativedelta(months=1),
            "next": next_month if next_month <= today.replace(day=1) else None,
            "standard": standard,
            "formset": formset,
            "lines": lines,
            "may_enter": may_enter,
            "month_problem": problem if may_enter else None,
            "meeting": sum(1 for line in lines if line["meets"]),
        },
        status=status,
    )
