"""Views of the yearly evaluation (年度评价, 001 四.4; SPEC §11). Thin: scope through the
selectors (404 outside), one service call, redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import refusal
from crm.paging import numbered_page
from crm.validators import parse_id
from customers.selectors import customers_visible_to

from ..forms_yearly import YearlyEvaluationForm, YearlyVerdictForm
from ..models import YearlyEvaluation
from ..rights import (
    may_add_director_evaluation,
    may_add_manager_evaluation,
    may_see_yearly_evaluations,
    may_see_yearly_overdue,
    may_submit_yearly_evaluation,
)
from ..selectors.yearly import (
    due_date,
    evaluations_visible_to,
    overdue_rows,
    reminders_from,
    with_evaluations,
    yearly_rows,
)
from ..services.yearly import (
    yearly_evaluation_add_director,
    yearly_evaluation_add_manager,
    yearly_evaluation_submit,
)

STATUSES = ("", "missing", "submitted", "awaiting")
SORTS = {"name": ("name",), "holder": ("holder__username",)}


def _year(request, today) -> int:
    year = parse_id(request.GET.get("year"))
    return year if year and 2000 <= year <= today.year else today.year


@login_required
@require_http_methods(["GET"])
def yearly_list(request):
    """The due customers of a year in the user's scope, with each evaluation's state."""
    if not may_see_yearly_evaluations(request.user):
        raise Http404
    today = timezone.localdate()
    year = _year(request, today)
    status = request.GET.get("status", "")
    status = status if status in STATUSES else ""
    rows, page = numbered_page(
        yearly_rows(request.user, year, status=status), request, sorts=SORTS, default="name"
    )
    rows = with_evaluations(rows, year)
    return render(
        request,
        "service/yearly_list.html",
        {
            "rows": rows,
            "page": page,
            "year": year,
            "years": list(range(today.year, today.year - 4, -1)),
            "status": status,
            "due": due_date(year),
            "reminders_from": reminders_from(year),
            "is_overdue": today > due_date(year),
            "may_see_overdue": may_see_yearly_overdue(request.user),
        },
    )


@login_required
@require_http_methods(["GET"])
def yearly_overdue(request):
    """The overdue list (from the day after the due date): the managers' departments' due
    customers still without an evaluation, with their holders."""
    if not may_see_yearly_overdue(request.user):
        raise Http404
    today = timezone.localdate()
    year = _year(request, today)
    open_ = today > due_date(year)
    rows, page = ([], None)
    if open_:
        rows, page = numbered_page(
            overdue_rows(request.user, year), request, sorts=SORTS, default="holder"
        )
    return render(
        request,
        "service/yearly_overdue.html",
        {
            "rows": rows,
            "page": page,
            "year": year,
            "years": list(range(today.year, today.year - 4, -1)),
            "due": due_date(year),
            "open": open_,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def yearly_evaluate(request, customer_pk: int, year: int):
    """The holder's form: transaction, credit and contact evaluations."""
    customer = get_object_or_404(customers_visible_to(request.user), pk=customer_pk)
    today = timezone.localdate()
    if not may_submit_yearly_evaluation(request.user, customer) or not 2000 <= year <= today.year:
        raise Http404
    existing = YearlyEvaluation.objects.filter(customer=customer, year=year).first()
    if existing:
        return redirect("service:yearly_detail", pk=existing.pk)
    form = YearlyEvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            evaluation = yearly_evaluation_submit(
                actor=request.user,
                customer=customer,
                year=year,
                data=form.cleaned_data,
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Yearly evaluation submitted."))
            return redirect("service:yearly_detail", pk=evaluation.pk)
    return render(
        request,
        "service/yearly_evaluate.html",
        {"customer": customer, "year": year, "form": form, "due": due_date(year)},
    )


@login_required
@require_http_methods(["GET"])
def yearly_detail(request, pk: int):
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=pk)
    user = request.user
    return render(
        request,
        "service/yearly_detail.html",
        {
            "ev": evaluation,
            "due": due_date(evaluation.year),
            "manager_form": (
                YearlyVerdictForm(prefix="manager")
                if not evaluation.manager_at and may_add_manager_evaluation(user, evaluation)
                else None
            ),
            "director_form": (
                YearlyVerdictForm(prefix="director")
                if evaluation.manager_at
                and not evaluation.director_at
                and may_add_director_evaluation(user, evaluation)
                else None
            ),
        },
    )


def _verdict(request, pk: int, *, prefix: str, service, done: str):
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=pk)
    form = YearlyVerdictForm(request.POST, prefix=prefix)
    if not form.is_valid():
        messages.error(request, _("Write the evaluation."))
        return redirect("service:yearly_detail", pk=evaluation.pk)
    with refusal(request) as outcome:
        service(
            actor=request.user,
            evaluation=evaluation,
            note=form.cleaned_data["note"],
            now=timezone.now(),
        )
    if outcome.ok:
        messages.success(request, done)
    return redirect("service:yearly_detail", pk=evaluation.pk)


@login_required
@require_POST
def yearly_manager(request, pk: int):
    """业务经理评价."""
    return _verdict(
        request,
        pk,
        prefix="manager",
        service=yearly_evaluation_add_manager,
        done=_("Business manager's evaluation added."),
    )


@login_required
@require_POST
def yearly_director(request, pk: int):
    """主管经理评价."""
    return _verdict(
        request,
        pk,
        prefix="director",
        service=yearly_evaluation_add_director,
        done=_("Supervising manager's evaluation added."),
    )
