"""Pool pages, distribution, requests, the protection queue and wrong-number reports. Thin:
resolve scope, call one service, show its message; nothing moves on a refusal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import RuleError, refusal
from crm.models import Department, User
from crm.paging import numbered_page
from crm.selectors import departments_managed_by
from crm.validators import parse_id, parse_ids
from customers.forms import CustomerFilter
from customers.selectors import customers_visible_to

from ..models import ClaimRequest, DistributionBatch, WrongNumberReport
from ..rights import (
    may_decide_claim,
    may_distribute,
    may_reclaim,
    may_report_wrong_number,
    may_request_customers,
    may_see_claim,
    may_verify_report,
)
from ..selectors.distribution import (
    claims_with_parties,
    distribution_recipients,
    in_pool,
    protection_queue,
    store_collected_waiting,
)
from ..selectors.pool import pool_marks
from ..services.distribution import (
    Assignment,
    claim_create,
    claim_decide,
    distribution_create,
    protection_reclaim,
    report_create,
    report_verify,
)

# The pool page's sortable columns (?sort=key or -key): a whitelist, never a typed field name.
POOL_SORTS = {
    "code": (),
    "name": ("name",),
    "intent_grade": ("intent_grade",),
    "holder_since": ("holder_since",),
}


def _pool_choice(request):
    """Which pool the page shows: ?pool=<department id> or ?pool=company; 404 outside. A
    salesperson sees their own department's pool (to request customers from it)."""
    if not may_distribute(request.user):
        staff = getattr(request.user, "staff", None)
        if may_request_customers(request.user) and staff and staff.department_id:
            return DistributionBatch.Source.DEPARTMENT, staff.department, []
        raise Http404
    managed = list(departments_managed_by(request.user))
    if not managed:
        raise Http404
    wanted = request.GET.get("pool") or request.POST.get("pool") or ""
    if wanted == "company":
        if not may_distribute(request.user, None):
            raise Http404
        return DistributionBatch.Source.COMPANY, None, managed
    if wanted:
        department = next((d for d in managed if str(d.pk) == wanted), None)
        if department is None:
            raise Http404
        return DistributionBatch.Source.DEPARTMENT, department, managed
    if may_distribute(request.user, None):
        return DistributionBatch.Source.COMPANY, None, managed
    return DistributionBatch.Source.DEPARTMENT, managed[0], managed


# What a refused batch keeps on the re-rendered page (defect 8): nothing is retyped.
KEPT_FIELDS = ("recipient", "source_note", "exception_reason", "cooldown_reason")


def _pool_page(request, *, status=200, error=None, kept=None):
    source, department, managed = _pool_choice(request)
    requesting = not managed  # a salesperson: tick customers to request them
    # The pool as the viewer may see it (customers_visible_to: a salesperson's rows come
    # masked, and the list's number search needs that annotation).
    base = customers_visible_to(request.user).filter(in_pool(department))
    # ?store_waiting=1: the store-collected customers still waiting for a first distribution
    # (the manager's daily reminder links here).
    store_waiting = department is not None and request.GET.get("store_waiting") == "1"
    if store_waiting:
        base = base.filter(store_collected_waiting())
    # `pool` here names the page's pool (a department id), not the list filter of that name:
    # left in, it made the whole filter invalid and the search silently did nothing.
    wanted = request.GET.copy()
    wanted.pop("pool", None)
    wanted.pop("recipients_of", None)
    filterset = CustomerFilter(wanted, queryset=base)
    rows, page = numbered_page(
        (filterset.qs if filterset.is_valid() else base).select_related("department"),
        request,
        sorts=POOL_SORTS,
        default="-code",
    )
    kept = kept or {}
    ticked = set(kept.get("customers", ()))
    marks = pool_marks([c.pk for c in rows], now=timezone.now())
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return render(
        request,
        "allocation/pool.html",
        {
            "source": source,
            "department": department,
            "managed": managed,
            "requesting": requesting,
            "customers": rows,
            "marks": marks,
            "page": page,
            "filter": filterset,
            # The page's own query (filter, sort, page): the distribute form posts with it, so
            # a refusal re-renders the same rows.
            "query": query.urlencode(),
            "error": error,
            "ticked": ticked,
            # Ticked on another page (or before a filter changed): still sent, named here.
            "ticked_elsewhere": list(
                base.filter(pk__in=ticked - {c.pk for c in rows}).only("pk", "name")[:200]
            )
            if ticked
            else [],
            "kept": _kept_fields(kept),
            "recipients": [] if requesting else _recipients(request, department, managed, kept),
            "departments": managed if department is None else [],
            "recipients_of": _recipients_of(request, department, managed),
            "scope": "pool",
            "store_waiting": store_waiting,
        },
        status=status,
    )


def _recipients_of(request, department, managed):
    """The company pool's recipient picker (?recipients_of=<department id>, one of `managed`):
    listing the salespeople of every department (some 9,000 for the GM) cost 30,000 model
    instances and half a second per page, so they are listed one department at a time."""
    if department is not None:
        return None
    wanted = request.GET.get("recipients_of") or ""
    return next((d for d in managed if str(d.pk) == wanted), None)


def _recipients(request, department, managed, kept) -> list:
    """The people the distribute form offers: a department pool's active receivers; for the
    company pool those of the picked department, plus the person a refused batch named. Only
    an offer: `distribution_create` checks every recipient again."""
    if department is not None:
        return list(distribution_recipients(department, managed))
    chosen = _recipients_of(request, department, managed)
    rows = list(distribution_recipients(chosen, managed)) if chosen is not None else []
    kind, _sep, pk = (kept or {}).get("recipient", "").partition(":")
    pk = parse_id(pk)
    if kind == "user" and pk is not None and all(s.user_id != pk for s in rows):
        rows += list(distribution_recipients(None, managed).filter(user=pk))
    return rows


def _kept_fields(kept: dict) -> dict:
    """The typed fields of a refused batch, the recipient split as `user`/`dept` and an id."""
    fields = {name: kept.get(name, "") for name in KEPT_FIELDS}
    kind, _sep, pk = fields["recipient"].partition(":")
    fields["recipient_kind"], fields["recipient_pk"] = kind, parse_id(pk)
    return fields


@login_required
def pool_list(request):
    return _pool_page(request)


def _ids(values) -> list[int]:
    return parse_ids(values)  # "²" passes isdigit() but not int(); 25 digits overflow


def _assignments_to(target: str, department, ids: list[int]) -> list[Assignment]:
    """`user:<id>` (a person) or, from the company pool, `dept:<id>` (a department's pool)."""
    kind, _sep, pk = target.partition(":")
    pk = parse_id(pk)
    if kind == "user" and pk is not None:
        person = User.objects.filter(pk=pk).first()
        if person is not None:
            return [Assignment(c, recipient=person) for c in ids]
    if kind == "dept" and pk is not None and department is None:
        dept = Department.objects.filter(pk=pk).first()
        if dept is not None:
            return [Assignment(c, department=dept) for c in ids]
    raise RuleError(_("Choose who receives the customers."))


@login_required
@require_POST
def distribute(request):
    if not may_distribute(request.user):
        raise Http404
    source, department, managed = _pool_choice(request)
    ids = _ids(request.POST.getlist("customers"))
    with refusal() as outcome:
        assignments = _assignments_to(request.POST.get("recipient", ""), department, ids)
        batch = distribution_create(
            actor=request.user,
            source=source,
            department=department,
            assignments=assignments,
            now=timezone.now(),
            source_note=request.POST.get("source_note", "")[:200],
            exception_reason=request.POST.get("exception_reason", "")[:300],
            cooldown_reason=request.POST.get("cooldown_reason", "")[:300],
        )
    if not outcome.ok:
        kept = {name: request.POST.get(name, "")[:300] for name in KEPT_FIELDS}
        return _pool_page(request, status=400, error=outcome.error, kept={**kept, "customers": ids})
    messages.success(
        request,
        _("Batch %(ref)s: %(n)d customers distributed.")
        % {"ref": batch.reference, "n": len(assignments)},
    )
    query = request.GET.copy()
    query["pool"] = "company" if department is None else department.pk
    query.pop("page", None)  # the distributed rows left: start again at the first page
    return redirect(f"{reverse('allocation:pool')}?{query.urlencode()}")


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request):
    if not may_request_customers(request.user):
        raise Http404
    ids = _ids(request.GET.getlist("customers") or request.POST.getlist("customers"))
    customers = list(customers_visible_to(request.user).filter(pk__in=ids, holder__isnull=True))
    error = None
    if request.method == "POST":
        with refusal() as outcome:
            claim = claim_create(
                actor=request.user,
                customer_ids=[c.pk for c in customers] or ids,
                reason=request.POST.get("reason", "")[:300],
                now=timezone.now(),
            )
        if not outcome.ok:
            error = outcome.error
        else:
            messages.success(request, _("Request %(ref)s sent to your manager.") % {"ref": claim})
            return redirect("allocation:claim_detail", pk=claim.pk)
    return render(
        request,
        "allocation/claim_new.html",
        {"customers": customers, "error": error, "reason": request.POST.get("reason", "")},
        status=400 if error else 200,
    )


def _claim_for(user, pk):
    claim = get_object_or_404(claims_with_parties(), pk=pk)
    if may_see_claim(user, claim):
        return claim
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def claim_detail(request, pk: int):
    claim = _claim_for(request.user, pk)
    error = None
    if request.method == "POST":
        with refusal() as outcome:
            claim_decide(
                actor=request.user,
                claim=claim,
                approve=request.POST.get("decision") == "approve",
                reason=request.POST.get("reason", "")[:300],
                now=timezone.now(),
            )
        if not outcome.ok:
            error = outcome.error
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("allocation:inbox")
    customers = claim.customers.select_related("department")
    return render(
        request,
        "allocation/claim_detail.html",
        {
            "claim": claim,
            "customers": customers,
            "error": error,
            "may_decide": claim.status == ClaimRequest.Status.PENDING
            and may_decide_claim(request.user, claim),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def protection(request):
    if not may_reclaim(request.user):
        raise Http404
    now = timezone.now()
    error = None
    if request.method == "POST":
        with refusal() as outcome:
            moved = protection_reclaim(
                actor=request.user,
                now=now,
                customer_ids=_ids(request.POST.getlist("customers")),
                reason=request.POST.get("reason", "")[:300],
            )
        if not outcome.ok:
            error = outcome.error
        else:
            messages.success(request, _("%(n)d customers returned to the pool.") % {"n": moved})
            return redirect("allocation:protection")
    rows = list(protection_queue(request.user, as_of=now)[:200])
    return render(
        request,
        "allocation/protection.html",
        {"rows": rows, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request, customer_pk: int):
    customer = get_object_or_404(customers_visible_to(request.user), pk=customer_pk)
    if not may_report_wrong_number(request.user, customer):
        raise Http404
    error = None
    if request.method == "POST":
        with refusal() as outcome:
            report_create(
                actor=request.user,
                customer=customer,
                note=request.POST.get("note", "")[:300],
                now=timezone.now(),
            )
        if not outcome.ok:
            error = outcome.error
        else:
            messages.success(request, _("Reported to your manager for verification."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "allocation/report_new.html",
        {"customer": customer, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def report_verify_page(request, pk: int):
    report = get_object_or_404(WrongNumberReport, pk=pk)
    if not may_verify_report(request.user, report):
        raise Http404
    with refusal(request) as outcome:
        report_verify(actor=request.user, report=report, now=timezone.now())
    if outcome.ok:
        messages.success(
            request,
            _("Verified: the customer is back in the pool and one replacement may be issued."),
        )
    return redirect("allocation:inbox")
