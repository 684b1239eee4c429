"""Views of revisit plans and customer care (SPEC §11). Thin: scope through the selectors
(404 outside), one service call, redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.errors import refusal
from crm.paging import numbered_page
from customers.rights import sees_only_own_customers
from customers.selectors import customers_visible_to

from ..forms_revisits import RevisitCallForm, RevisitDoForm, RevisitPlanForm, StageEventForm
from ..models.revisits import RevisitPlan
from ..rights import may_see_revisits, may_work_revisit
from ..selectors.revisits import (
    birthdays,
    festival_greetings,
    revisit_for,
    revisits_due,
    revisits_visible_to,
)
from ..services.revisits import (
    first_inquiry_unreachable,
    revisit_complete,
    revisit_plan_create,
    stage_event_record,
)

LIST_SORTS = {"due": ("due_on",), "created": ("created_at",)}


def _check_page(user) -> None:
    if not may_see_revisits(user):
        raise Http404


def revisits_panel(request, *, now, today) -> dict:
    """The salesperson's day: revisits due today or overdue, and whom to greet."""
    user = request.user
    return {
        "due": revisits_due(user, today=today),
        "birthdays": birthdays(user, today=today),
        "greetings": festival_greetings(user, today=today),
        "today": today,
    }


@login_required
@require_http_methods(["GET"])
def revisit_list(request):
    """Mine (the customers I hold) or, for managers, every visible one; filtered by state,
    kind and overdue."""
    user = request.user
    _check_page(user)
    today = timezone.localdate()
    own_only = sees_only_own_customers(user)
    scope = "mine" if own_only or request.GET.get("scope") != "all" else "all"
    qs = revisits_visible_to(user)
    if scope == "mine":
        qs = qs.filter(customer__holder=user)
    state = request.GET.get("state", "open")
    if state == "open":
        qs = qs.filter(done_at__isnull=True)
    elif state == "done":
        qs = qs.filter(done_at__isnull=False)
    else:
        state = "all"
    kind = request.GET.get("kind", "")
    if kind in RevisitPlan.Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        qs = qs.filter(done_at__isnull=True, due_on__lt=today)
    qs = qs.select_related("customer", "customer__holder")
    rows, page = numbered_page(qs, request, sorts=LIST_SORTS, default="due")
    return render(
        request,
        "service/revisit_list.html",
        {
            "rows": rows,
            "page": page,
            "scope": scope,
            "own_only": own_only,
            "state": state,
            "kind": kind,
            "kinds": RevisitPlan.Kind.choices,
            "overdue": overdue,
            "today": today,
            "birthdays": birthdays(user, today=today),
            "greetings": festival_greetings(user, today=today),
        },
    )


def _workable_customer(request, customer_pk: int):
    _check_page(request.user)
    customer = get_object_or_404(
        customers_visible_to(request.user).select_related("holder"), pk=customer_pk
    )
    if not may_work_revisit(request.user, customer):
        raise Http404
    return customer


@login_required
@require_http_methods(["GET", "POST"])
def revisit_new(request, customer_pk: int):
    """定期/实时 revisit planned by hand."""
    customer = _workable_customer(request, customer_pk)
    form = RevisitPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            revisit_plan_create(
                actor=request.user, customer=customer, now=timezone.now(), **form.cleaned_data
            )
        if outcome.ok:
            messages.success(request, _("Revisit planned."))
            return redirect("service:revisit_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "service/revisit_form.html",
        {"customer": customer, "form": form, "title": _("Plan a revisit")},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage_new(request, customer_pk: int):
    """A project stage reached: its revisit is planned a few days later."""
    customer = _workable_customer(request, customer_pk)
    form = StageEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            stage_event_record(
                actor=request.user, customer=customer, now=timezone.now(), **form.cleaned_data
            )
        if outcome.ok:
            messages.success(request, _("Project stage recorded; its revisit is planned."))
            return redirect("service:revisit_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "service/revisit_form.html",
        {"customer": customer, "form": form, "title": _("Record a project stage")},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def first_inquiry_unreachable_view(request, customer_pk: int):
    """首谈回访 not answered: log the call; the next attempt is planned."""
    customer = _workable_customer(request, customer_pk)
    form = RevisitCallForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            first_inquiry_unreachable(
                actor=request.user, customer=customer, data=form.cleaned_data, now=timezone.now()
            )
        if outcome.ok:
            messages.success(request, _("Call logged; the next attempt is planned."))
            return redirect("service:revisit_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "service/revisit_form.html",
        {"customer": customer, "form": form, "title": _("First inquiry call not answered")},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def revisit_do(request, pk: int):
    """Record a revisit: its follow-up and whether the customer was reached."""
    _check_page(request.user)
    plan = revisit_for(request.user, pk)
    if plan.done_at is not None or not may_work_revisit(request.user, plan.customer):
        return render(request, "service/revisit_detail.html", {"plan": plan})
    form = RevisitDoForm(request.POST or None, customer=plan.customer)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            revisit_complete(
                actor=request.user,
                plan=plan,
                outcome=form.cleaned_data["outcome"],
                data=form.followup_data(),
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Revisit recorded."))
            return redirect("service:revisit_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "service/revisit_form.html",
        {"customer": plan.customer, "form": form, "plan": plan, "title": _("Record a revisit")},
        status=status,
    )
