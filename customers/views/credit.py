"""客户信用评价 (003 三, SPEC §11): the evaluation form and the history section of the
customer page. Thin: scope through `customers_visible_to` (404 outside, and 404 for whoever
sees the customer but may not evaluate), one service call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.errors import refusal

from ..credit_rules import credit_scheme, grade_allows
from ..forms_credit import CreditEvaluationForm
from ..models import CreditEvaluation, Settlement
from ..rights import may_evaluate_credit
from ..selectors import customers_visible_to
from ..services.credit import credit_evaluate

HISTORY_ROWS = 10


@login_required
@require_http_methods(["GET", "POST"])
def credit_evaluate_view(request, pk: int):
    customer = get_object_or_404(
        customers_visible_to(request.user).select_related("holder", "department"), pk=pk
    )
    if not may_evaluate_credit(request.user, customer):
        raise Http404
    form = CreditEvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            evaluation = credit_evaluate(
                actor=request.user,
                customer=customer,
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(
                request,
                _("Evaluated: weighted score %(score)s, credit grade %(grade)s.")
                % {"score": evaluation.score, "grade": evaluation.grade},
            )
            return redirect(reverse("customers:detail", args=[customer.pk]) + "#credit-rating")
    scheme = credit_scheme()
    context = {
        "customer": customer,
        "form": form,
        "weights": [(form[f].label, w) for f, w in scheme.weights.items()],
        "thresholds": scheme.thresholds,
        "policy": _policy_rows(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "customers/credit_evaluate.html", context, status=status)


def _policy_rows() -> list[tuple[str, list[str]]]:
    labels = dict(Settlement.choices)
    return [(g, [str(labels[m]) for m in methods]) for g, methods in grade_allows().items()]


def credit_section(customer, *, user) -> dict | None:
    """The customer page's 信用评价 section: the latest evaluations (who, when, 5C scores,
    weighted score, grade) for whoever sees the customer in full; left out for a customer seen
    masked. At most one query (none for a customer never graded) plus the right's."""
    if getattr(customer, "contacts_masked", False):
        return None
    rows = []
    if customer.credit_rating:  # only an evaluation sets it: no grade, no evaluation to read
        rows = list(
            CreditEvaluation.objects.filter(customer=customer.pk)
            .select_related("evaluator")
            .order_by("-evaluated_at", "-pk")[: HISTORY_ROWS + 1]
        )
    return {
        "customer": customer,
        "rows": rows[:HISTORY_ROWS],
        "more": len(rows) > HISTORY_ROWS,
        "may_evaluate": may_evaluate_credit(user, customer),
    }
