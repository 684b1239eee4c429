"""Pages of dormant customers (沉默客户), cross-sales (交叉销售) and credit transfers (划转销量),
000 §3.2.e–f. Thin: scope through the selectors of sales/selectors/credit.py (404 outside),
one service call, its refusal shown; a refused form answers 400 and writes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import refusal
from crm.paging import keyset_page
from customers.selectors import customers_visible_to

from ..forms_credit import CreditTransferForm, CrossSaleForm, DecisionForm, ReasonForm
from ..models import Decision
from ..rights import (
    may_approve_transfer,
    may_decide_cross_sale,
    may_propose_credit_transfer,
    may_propose_transfer,
    may_record_transfer,
    may_request_cross_sale,
    may_see_credit_transfers,
    may_see_dormant,
)
from ..selectors.credit import (
    credit_transfer_for,
    credit_transfers_visible_to,
    cross_sale_context,
    cross_sale_for,
    cross_sales_visible_to,
    cross_sellable,
    dormant_marks_visible_to,
    net_credit,
    sale_amount,
    sale_credit_by_person,
    sale_for,
    sale_kind,
    sale_moment,
    transfer_sale,
)
from ..services.credit import (
    credit_transfer_decide,
    credit_transfer_propose,
    credit_transfer_record,
)
from ..services.dormant import cross_sale_decide, cross_sale_request, dormant_clear, dormant_mark

STATUS_TABS = [("", _("All"))] + list(Decision.choices)


def _require(right, request) -> None:
    if not right(request.user):
        raise Http404


def _status_filter(request, qs):
    status = request.GET.get("status", "")
    if status not in Decision.values:
        status = ""
    return (qs.filter(status=status) if status else qs), status


# --- dormant customers ---------------------------------------------------------------------------


@login_required
@require_GET
def dormant_list(request):
    """Data administrators, managers and the GM: the standing marks of their departments.
    Salespeople: the dormant customers of their department they may file a cross-sale for,
    without contact details (SPEC §1)."""
    _require(may_see_dormant, request)
    user = request.user
    seller_view = may_request_cross_sale(user)
    if seller_view:
        rows, page = keyset_page(cross_sellable(user), request)
    else:
        rows, page = keyset_page(dormant_marks_visible_to(user), request)
    return render(
        request,
        "sales/dormant_list.html",
        {
            "rows": rows,
            "page": page,
            "seller_view": seller_view,
            "first_id": rows[0].pk if rows else None,
            "last_id": rows[-1].pk if rows else None,
            "query": "",
        },
    )


@login_required
@require_POST
def dormant_mark_view(request, pk: int):
    customer = get_object_or_404(customers_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why the customer is dormant (at most 300 characters)."))
    else:
        with refusal(request) as outcome:
            dormant_mark(
                actor=request.user,
                customer=customer,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("The customer is marked dormant."))
    return redirect("customers:detail", pk=customer.pk)


@login_required
@require_POST
def dormant_clear_view(request, pk: int):
    mark = get_object_or_404(dormant_marks_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why the mark is withdrawn (at most 300 characters)."))
    else:
        with refusal(request) as outcome:
            dormant_clear(
                actor=request.user,
                mark=mark,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("The dormant mark was withdrawn."))
    return redirect("customers:detail", pk=mark.customer_id)


# --- cross-sales ---------------------------------------------------------------------------------


@login_required
@require_GET
def cross_sale_list(request):
    _require(may_see_dormant, request)
    qs, status = _status_filter(
        request,
        cross_sales_visible_to(request.user).select_related(
            "customer", "seller", "seller__staff__department"
        ),
    )
    rows, page = keyset_page(qs, request)
    return render(
        request,
        "sales/cross_sale_list.html",
        {
            "rows": rows,
            "page": page,
            "status": status,
            "tabs": STATUS_TABS,
            "first_id": rows[0].pk if rows else None,
            "last_id": rows[-1].pk if rows else None,
            "query": f"status={status}" if status else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cross_sale_new(request, pk: int):
    _require(may_request_cross_sale, request)
    customer = get_object_or_404(cross_sellable(request.user), pk=pk)
    form = CrossSaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            cross_sale = cross_sale_request(
                actor=request.user, customer=customer, data=form.cleaned_data, now=timezone.now()
            )
        if outcome.ok:
            messages.success(request, _("Cross-sale filed; it waits for your manager's decision."))
            return redirect("sales:cross_sale_detail", pk=cross_sale.pk)
    return render(
        request,
        "sales/cross_sale_new.html",
        {"form": form, "customer": customer},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cross_sale_detail(request, pk: int):
    """The request; for the deciding manager the seller's holdings and the decision form
    (POST decision=approve|reject, reason)."""
    cross_sale = cross_sale_for(request.user, pk)
    error = None
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            error = _("Choose approve or reject; a reason has at most 300 characters.")
        else:
            with refusal() as outcome:
                cross_sale_decide(
                    actor=request.user,
                    cross_sale=cross_sale,
                    approve=form.cleaned_data["decision"] == "approve",
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            if outcome.ok:
                messages.success(request, _("Decision recorded."))
                return redirect("sales:cross_sale_detail", pk=cross_sale.pk)
            error = outcome.error
        cross_sale = cross_sale_for(request.user, pk)
    may_decide = (
        cross_sale.status == Decision.PENDING
        and cross_sale.seller_id != request.user.pk
        and may_decide_cross_sale(request.user, cross_sale)
    )
    context = {
        "cs": cross_sale,
        "error": error,
        "may_decide": may_decide,
        "facts": cross_sale_context(request.user, cross_sale, now=timezone.now())
        if may_decide
        else {},
    }
    return render(request, "sales/cross_sale_detail.html", context, status=400 if error else 200)


# --- credit transfers ----------------------------------------------------------------------------


@login_required
@require_GET
def credit_transfer_list(request):
    _require(may_see_credit_transfers, request)
    qs, status = _status_filter(
        request,
        credit_transfers_visible_to(request.user).select_related(
            "deal", "deal__customer", "contract", "contract__customer", "proposed_by"
        ),
    )
    rows, page = keyset_page(qs, request)
    return render(
        request,
        "sales/credit_transfer_list.html",
        {
            "rows": [(t, transfer_sale(t)) for t in rows],
            "page": page,
            "status": status,
            "tabs": STATUS_TABS,
            "first_id": rows[0].pk if rows else None,
            "last_id": rows[-1].pk if rows else None,
            "query": f"status={status}" if status else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def credit_transfer_new(request, kind: str, pk: int):
    """Propose moving credit of one purchase record (`deal`) or signed contract (`contract`)."""
    _require(may_propose_credit_transfer, request)
    sale = sale_for(request.user, kind, pk)
    if not may_propose_transfer(request.user, sale.customer):
        raise Http404
    form = CreditTransferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            transfer = credit_transfer_propose(
                actor=request.user,
                sale=sale,
                shares=form.cleaned_data["shares"],
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Transfer proposed; it waits for the manager's approval."))
            return redirect("sales:credit_transfer_detail", pk=transfer.pk)
    return render(
        request,
        "sales/credit_transfer_new.html",
        {
            "form": form,
            "sale": sale,
            "kind": sale_kind(sale),
            "amount": sale_amount(sale),
            "at": sale_moment(sale),
            "credit": sale_credit_by_person(sale),
            "giver_credit": net_credit(sale, sale.credited_to_id) if sale.credited_to_id else None,
        },
        status=400 if request.method == "POST" else 200,
    )


ACTIONS = ("approve", "reject", "record")


@login_required
@require_http_methods(["GET", "POST"])
def credit_transfer_detail(request, pk: int):
    """The proposal and its shares; POST action=approve|reject (the manager, with a reason
    to reject) or action=record (finance, once approved)."""
    _require(may_see_credit_transfers, request)
    transfer = credit_transfer_for(request.user, pk)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        if action not in ACTIONS:
            error = _("Choose what to do.")
        else:
            with refusal() as outcome:
                if action == "record":
                    credit_transfer_record(
                        actor=request.user, transfer=transfer, now=timezone.now()
                    )
                else:
                    credit_transfer_decide(
                        actor=request.user,
                        transfer=transfer,
                        approve=action == "approve",
                        reason=reason[:1000],
                        now=timezone.now(),
                    )
            if outcome.ok:
                messages.success(request, _("Saved."))
                return redirect("sales:credit_transfer_detail", pk=transfer.pk)
            error = outcome.error
        transfer = credit_transfer_for(request.user, pk)
    sale = transfer_sale(transfer)
    shares = list(transfer.shares.select_related("from_user", "to_user").order_by("pk"))
    parties = {s.from_user_id for s in shares} | {s.to_user_id for s in shares}
    context = {
        "t": transfer,
        "sale": sale,
        "kind": sale_kind(sale),
        "amount": sale_amount(sale),
        "at": sale_moment(sale),
        "shares": shares,
        "credit": sale_credit_by_person(sale),
        "error": error,
        "may_decide": transfer.status == Decision.PENDING
        and request.user.pk not in parties
        and may_approve_transfer(request.user, sale.customer),
        "may_record": transfer.status == Decision.APPROVED
        and may_record_transfer(request.user, sale.customer),
    }
    return render(
        request, "sales/credit_transfer_detail.html", context, status=400 if error else 200
    )
