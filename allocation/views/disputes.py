"""Dispute (纠纷) pages. Thin: resolve scope (404 outside it), validate the input's shape,
call one service, show its message; nothing is written on a refusal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.errors import RuleError, refusal
from customers.forms import REGISTER_FIELDS, CustomerForm
from customers.normalize import KeyFormatError

from ..forms import DisputeForm, RulingForm
from ..rights import may_rule_disputes
from ..selectors.disputes import dispute_logs, disputes_visible_to
from ..services.disputes import dispute_open, dispute_rule
from .common import require as _require


@login_required
def dispute_list(request):
    _require(may_rule_disputes, request)
    disputes = disputes_visible_to(request.user).prefetch_related("claims__claimant")[:100]
    return render(request, "allocation/dispute_list.html", {"disputes": disputes})


@login_required
@require_http_methods(["GET", "POST"])
def dispute_new(request):
    _require(may_rule_disputes, request)
    search = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    form = DisputeForm(request.POST or None, user=request.user, search=search)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(form) as outcome:
            dispute = dispute_open(
                actor=request.user,
                phone=data["phone"],
                name=data["name"],
                claimants=[data["claimant_1"], data["claimant_2"]],
                note=data["note"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Dispute opened."))
            return redirect("allocation:dispute_detail", pk=dispute.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "allocation/dispute_new.html", {"form": form, "q": search}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispute_detail(request, pk: int):
    """Each claimant's inquiry-call logs for the number/name with their counts, and the ruling
    form (register the customer to the winner)."""
    _require(may_rule_disputes, request)
    dispute = get_object_or_404(disputes_visible_to(request.user), pk=pk)
    logs = dispute_logs(dispute)
    claimants = [log.claimant for log in logs]
    is_open = dispute.status == dispute.Status.OPEN
    ruling = RulingForm(request.POST or None, claimants=claimants) if is_open else None
    customer_form = (
        CustomerForm(
            request.POST or None,
            fields=REGISTER_FIELDS,
            initial={"name": dispute.name, "phone": dispute.phone},
        )
        if is_open
        else None
    )
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("This dispute has already been ruled."))
            return render(
                request,
                "allocation/dispute_detail.html",
                {"dispute": dispute, "logs": logs},
                status=400,
            )
        if ruling.is_valid() and customer_form.is_valid():
            winner = next(u for u in claimants if u.pk == ruling.cleaned_data["winner"])
            try:
                customer = dispute_rule(
                    actor=request.user,
                    dispute=dispute,
                    winner=winner,
                    data=customer_form.cleaned_data,
                    now=timezone.now(),
                )
            except (RuleError, KeyFormatError) as exc:
                ruling.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Ruled: %(customer)s is registered to %(winner)s.")
                    % {"customer": customer.name, "winner": winner.display_name},
                )
                return redirect("allocation:dispute_detail", pk=dispute.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "allocation/dispute_detail.html",
        {"dispute": dispute, "logs": logs, "ruling": ruling, "customer_form": customer_form},
        status=status,
    )
