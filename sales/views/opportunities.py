"""Views of sales: opportunities (销售机会, SPEC §10). Thin: scope through
`opportunities_visible_to` (404 outside), one service call, redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import refusal
from crm.paging import numbered_page
from crm.validators import parse_id
from customers.rights import sees_only_own_customers
from customers.selectors import customers_visible_to

from ..defaults import stage_probabilities
from ..extras import opportunity_sections
from ..forms_opportunities import OpportunityActionForm, OpportunityForm, StageMoveForm
from ..models import Stage
from ..rights import may_draft_contract, may_see_opportunities, may_work_opportunity
from ..selectors.contracts import holder_choices, holder_departments
from ..selectors.opportunities import (
    acted_in,
    customer_opportunities,
    has_action_in,
    missing_action,
    missing_action_count,
    opportunities_visible_to,
    opportunity_actions,
    opportunity_for,
    reads_few_customers,
    stage_history,
)
from ..services.opportunities import (
    opportunity_action_log,
    opportunity_create,
    opportunity_move,
)

LIST_SORTS = {
    "created": ("created_at",),
    "expected_close": ("expected_close",),
    "expected_amount": ("expected_amount",),
}


def _check_page(user) -> None:
    if not may_see_opportunities(user):
        raise Http404


@login_required
@require_http_methods(["GET"])
def opportunity_list(request):
    """The user's opportunities (SPEC §1 scope), filtered by stage, open/closed, holder (for
    those who see more than their own) and "no action this month" (the 一般行动 check so far)."""
    user = request.user
    _check_page(user)
    today = timezone.localdate()
    few = reads_few_customers(user)
    qs = opportunities_visible_to(user)
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    else:
        stage = ""
    status = request.GET.get("status", "")
    if status == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_at__isnull=False)
    else:
        status = ""
    own_only = sees_only_own_customers(user)
    holder = None if own_only else parse_id(request.GET.get("holder"))
    departments = [] if own_only else holder_departments(user)
    people_of = parse_id(request.GET.get("people_of"))
    if people_of not in {pk for pk, _name in departments}:
        people_of = None
    if holder:
        qs = qs.filter(customer__holder=holder)
    no_action = request.GET.get("noaction") == "1"
    if no_action:
        qs = missing_action(qs, month=today)
    qs = qs.select_related("customer", "customer__holder").annotate(acted=acted_in(today))
    sorts = LIST_SORTS
    if few:
        # The same orders on expressions no index provides: the scope's customers are read
        # first, their opportunities sorted (see reads_few_customers).
        qs = qs.annotate(
            **{f"k_{key}": Coalesce(field, field) for key, (field,) in LIST_SORTS.items()}
        )
        sorts = {key: (f"k_{key}",) for key in LIST_SORTS}
    rows, page = numbered_page(qs, request, sorts=sorts, default="-created")
    probabilities = stage_probabilities()
    for row in rows:
        row.probability = probabilities.get(row.stage, 0)
    return render(
        request,
        "sales/opportunity_list.html",
        {
            "rows": rows,
            "page": page,
            "stages": Stage.choices,
            "stage": stage,
            "status": status,
            "holder": holder,
            # The people of the viewer's departments (a company-wide viewer: of the department
            # picked), as on the contract list: not the holders of every opportunity, whose
            # search cost 0.6-0.9 s at a million customers (issue 19).
            "holders": []
            if own_only
            else holder_choices(user, department_id=people_of, chosen=holder),
            "holder_departments": departments,
            "people_of": people_of,
            "no_action": no_action,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_new(request, customer_pk: int):
    """Open an opportunity on a customer the user works (its holder, a department manager)."""
    _check_page(request.user)
    customer = get_object_or_404(
        customers_visible_to(request.user).select_related("holder"), pk=customer_pk
    )
    if not may_work_opportunity(request.user, customer):
        raise Http404
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            opportunity = opportunity_create(
                actor=request.user, customer=customer, data=form.cleaned_data, now=timezone.now()
            )
        if outcome.ok:
            messages.success(request, _("Opportunity opened."))
            return redirect("sales:opportunity_detail", pk=opportunity.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "sales/opportunity_new.html", {"customer": customer, "form": form}, status=status
    )


def _detail(request, opportunity, *, move_form=None, action_form=None, status=200):
    customer = opportunity.customer
    can_work = opportunity.is_open and may_work_opportunity(request.user, customer)
    if can_work:
        move_form = move_form or StageMoveForm(current=opportunity.stage)
        action_form = action_form or OpportunityActionForm(customer=customer)
    else:  # a refused post on a page that shows no form (closed meanwhile): say why
        for form in (move_form, action_form):
            for error in form.non_field_errors() if form is not None else ():
                messages.error(request, error)
    return render(
        request,
        "sales/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "customer": customer,
            "probability": stage_probabilities().get(opportunity.stage, 0),
            "history": list(stage_history(opportunity)),
            "actions": list(opportunity_actions(opportunity)),
            "can_work": can_work,
            "move_form": move_form if can_work else None,
            "action_form": action_form if can_work else None,
            "acted_this_month": has_action_in(opportunity, month=timezone.localdate()),
            # A won opportunity leads to its contract (SPEC §10: "from a won opportunity").
            "can_contract": opportunity.stage == Stage.WON
            and may_draft_contract(request.user, customer),
            "contracts": list(opportunity.contracts.order_by("pk").only("pk", "number", "status")),
            "opportunity_sections": opportunity_sections(opportunity, user=request.user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def opportunity_detail(request, pk: int):
    _check_page(request.user)
    return _detail(request, opportunity_for(request.user, pk))


@login_required
@require_POST
def opportunity_move_view(request, pk: int):
    """Move the stage; a refusal shows the page again with what was chosen."""
    _check_page(request.user)
    opportunity = opportunity_for(request.user, pk)
    form = StageMoveForm(request.POST, current=opportunity.stage)
    if form.is_valid():
        with refusal(form) as outcome:
            opportunity_move(
                actor=request.user,
                opportunity=opportunity,
                stage=form.cleaned_data["stage"],
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Stage changed."))
            return redirect("sales:opportunity_detail", pk=opportunity.pk)
    return _detail(request, opportunity, move_form=form, status=400)


@login_required
@require_POST
def opportunity_action_new(request, pk: int):
    """Log a 一般行动 (a follow-up linked to the opportunity)."""
    _check_page(request.user)
    opportunity = opportunity_for(request.user, pk)
    form = OpportunityActionForm(request.POST, customer=opportunity.customer)
    if form.is_valid():
        with refusal(form) as outcome:
            opportunity_action_log(
                actor=request.user,
                opportunity=opportunity,
                data=form.cleaned_data,
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Action logged."))
            return redirect("sales:opportunity_detail", pk=opportunity.pk)
    return _detail(request, opportunity, action_form=form, status=400)


# --- what opportunities add to the customer page and the dashboard (sales/wiring.py) ----------


def opportunities_section(customer, *, user) -> dict | None:
    """The customer page's 销售机会 section: its opportunities in the user's scope and, for
    those who may, the button to open one. Left out when there is neither."""
    if not may_see_opportunities(user):
        return None
    may_open = customer.holder_id is not None and may_work_opportunity(user, customer)
    rows = customer_opportunities(customer, user=user)
    if not rows and not may_open:
        return None
    probabilities = stage_probabilities() if rows else {}
    for row in rows:
        row.probability = probabilities.get(row.stage, 0)
    return {"customer": customer, "rows": rows, "may_open": may_open}


def opportunities_panel(request, *, now, today) -> dict:
    """本月尚无一般行动的销售机会: how many of the user's (or their departments') open
    opportunities still lack this month's action; one query."""
    return {
        "no_action": missing_action_count(request.user, today=today),
        "own_only": sees_only_own_customers(request.user),
    }
