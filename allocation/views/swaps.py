"""Swap pages (交换, SPEC §5): propose, the list, the detail page with one-click decisions.
Thin: scope through `swaps_visible_to` (404 outside), one service call, its message shown; a
refused POST answers 400 and writes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import refusal
from crm.validators import parse_id

from ..forms import SwapAgreeForm, SwapProposeForm
from ..models import SwapApproval, SwapRequest
from ..rights import may_propose_swap, may_see_swaps
from ..selectors.swaps import counterpart_choices, pending_levels, swaps_visible_to
from ..services.swaps import (
    levels_user_may_approve,
    swap_agree,
    swap_approve,
    swap_decline,
    swap_propose,
    swap_reject,
)


@login_required
@require_GET
def swap_list(request):
    if not may_see_swaps(request.user):
        raise Http404
    swaps = (
        swaps_visible_to(request.user)
        .select_related("proposer", "counterpart", "proposer_department", "counterpart_department")
        .order_by("-created_at", "-pk")[:200]
    )
    return render(
        request,
        "allocation/swap_list.html",
        {
            "swaps": swaps,
            "may_propose": may_propose_swap(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def swap_new(request):
    """Step one picks the counterpart (GET ?counterpart=…), step two lists the proposer's own
    customers and takes the written reason. The counterpart's customers are never listed here:
    the counterpart chooses their side when agreeing (SPEC §1: nobody sees another's customers)."""
    if not may_propose_swap(request.user):
        raise Http404
    choices = counterpart_choices(request.user)
    wanted = parse_id(request.POST.get("counterpart") or request.GET.get("counterpart"))
    counterpart = choices.filter(pk=wanted).first() if wanted else None
    data = request.POST if request.method == "POST" else None
    form = SwapProposeForm(
        data,
        user=request.user,
        counterpart=counterpart,
        initial={"counterpart": counterpart.pk if counterpart else None},
    )
    error = None
    if request.method == "POST":
        if form.is_valid():
            with refusal() as outcome:
                swap = swap_propose(
                    actor=request.user,
                    counterpart=form.cleaned_data["counterpart"],
                    give=[c.pk for c in form.cleaned_data["give"]],
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            if not outcome.ok:
                error = outcome.error
            else:
                messages.success(
                    request,
                    _("Swap %(ref)s sent to %(name)s for agreement.")
                    % {"ref": swap.reference, "name": swap.counterpart.display_name},
                )
                return redirect("allocation:swap_detail", pk=swap.pk)
        elif form.has_error("counterpart"):
            error = _("Choose an active salesperson to swap with.")
        else:
            error = _("Please correct the errors below.")
    return render(
        request,
        "allocation/swap_new.html",
        {"form": form, "counterpart": counterpart, "choices": choices, "error": error},
        status=400 if error else 200,
    )


def _swap_for(user, pk):
    return get_object_or_404(
        swaps_visible_to(user).select_related(
            "proposer",
            "counterpart",
            "proposer_department",
            "counterpart_department",
            "upper_department",
            "closed_by",
        ),
        pk=pk,
    )


def _detail(request, swap, *, error=None):
    swap = _swap_for(request.user, swap.pk)  # fresh after a decision or a refusal
    approvals = list(swap.approvals.select_related("approver"))
    items = list(swap.items.select_related("customer", "from_holder", "to_holder"))
    context = {
        "swap": swap,
        "error": error,
        "approvals": approvals,
        "pending": [SwapApproval.Level(level).label for level in pending_levels(swap)]
        if swap.is_open
        else [],
        "given": [i for i in items if i.from_holder_id == swap.proposer_id],
        "taken": [i for i in items if i.from_holder_id == swap.counterpart_id],
        "may_answer": (
            may_answer := swap.status == SwapRequest.Status.AWAITING_COUNTERPART
            and request.user.pk == swap.counterpart_id
        ),
        "agree_form": SwapAgreeForm(user=request.user)
        if may_answer and not any(i.from_holder_id == swap.counterpart_id for i in items)
        else None,
        "may_approve": bool(levels_user_may_approve(request.user, swap)),
    }
    return render(request, "allocation/swap_detail.html", context, status=400 if error else 200)


@login_required
@require_GET
def swap_detail(request, pk: int):
    return _detail(request, _swap_for(request.user, pk))


def _decide(request, pk: int, *, call, done: str):
    swap = _swap_for(request.user, pk)
    reason = request.POST.get("reason", "")
    with refusal() as outcome:
        swap = call(actor=request.user, swap=swap, now=timezone.now(), reason=reason)
    if not outcome.ok:
        return _detail(request, swap, error=outcome.error)
    if swap.status == SwapRequest.Status.FAILED:
        messages.error(
            request,
            _("The swap could not be carried out and nothing was moved: %(why)s")
            % {"why": swap.closing_reason},
        )
    else:
        messages.success(request, done(swap) if callable(done) else done)
    return redirect("allocation:swap_detail", pk=swap.pk)


@login_required
@require_POST
def swap_agree_view(request, pk: int):
    form = SwapAgreeForm(request.POST, user=request.user)
    give_back = [c.pk for c in form.cleaned_data["give_back"]] if form.is_valid() else [0]
    return _decide(
        request,
        pk,
        call=lambda *, reason, **kw: swap_agree(give_back=give_back, **kw),
        done=_("You agreed; the swap now waits for approval."),
    )


@login_required
@require_POST
def swap_decline_view(request, pk: int):
    return _decide(request, pk, call=swap_decline, done=_("You declined the swap."))


@login_required
@require_POST
def swap_approve_view(request, pk: int):
    return _decide(
        request,
        pk,
        call=swap_approve,
        done=lambda swap: (
            _("The swap was approved and carried out.")
            if swap.status == SwapRequest.Status.EXECUTED
            else _("Approval recorded; the swap waits for the next approval.")
        ),
    )


@login_required
@require_POST
def swap_reject_view(request, pk: int):
    return _decide(request, pk, call=swap_reject, done=_("The swap was rejected."))
