"""Dispatch pages (派单, SPEC §12; 004 五). Thin: the store and the dispatch come through the
selectors (404 outside), one service call, redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import refusal
from crm.paging import numbered_page
from crm.rights import is_general_manager
from crm.validators import parse_id
from customers.selectors import customers_visible_to

from ..forms_dispatch import (
    FactsForm,
    ManagerAwayForm,
    NoteForm,
    ProgressForm,
    ProposeForm,
    RefuseForm,
    RequiredNoteForm,
)
from ..models import Dispatch, ManagerAway, Visit
from ..rights import (
    is_designer,
    is_store_manager,
    may_propose_dispatch,
    may_record_manager_away,
    may_work_dispatch,
)
from ..selectors.common import default_store, stores_visible_to
from ..selectors.dispatch import (
    LIVE,
    dispatch_for,
    dispatch_ranking,
    dispatches_visible_to,
    form_state,
    gm_may_authorise,
    is_big_order,
    manager_away_at,
    snapshot_rows,
    status_label,
)
from ..selectors.people import designers_of
from ..services.dispatch import (
    dispatch_confirm,
    dispatch_countersign,
    dispatch_progress,
    dispatch_propose,
    dispatch_refuse,
    dispatch_reject,
    manager_away_record,
)
from .home import check_page

LIST_SORTS = {"proposed": ("proposed_at",)}


def _store(request):
    check_page(request.user)
    return default_store(request.user, request.GET.get("store"))


@login_required
@require_http_methods(["GET"])
def dispatch_list(request):
    """The store's dispatches (a designer: their own), filtered by status."""
    user = request.user
    store = _store(request)
    qs = dispatches_visible_to(user)
    qs = qs.filter(store=store) if store is not None else qs.none()
    status = request.GET.get("status", "")
    if status == "live":
        qs = qs.filter(status__in=LIVE)
    elif status == "to_countersign":
        qs = qs.filter(
            confirmed_as=Dispatch.ConfirmedAs.GM_AUTHORISED, manager_signed_at__isnull=True
        ).exclude(status__in=[Dispatch.Status.PROPOSED, Dispatch.Status.REJECTED])
    elif status in Dispatch.Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    rows, page = numbered_page(qs, request, sorts=LIST_SORTS, default="-proposed")
    for row in rows:
        row.form_state = form_state(row)
    return render(
        request,
        "stores/dispatch_list.html",
        {
            "store": store,
            "stores": list(stores_visible_to(user)),
            "rows": rows,
            "page": page,
            "status": status,
            "statuses": [(v, status_label(v)) for v in Dispatch.Status.values],
            "may_propose": store is not None and may_propose_dispatch(user, store),
            "own_only": is_designer(user),
        },
    )


def _candidates(user, store) -> tuple[list, list]:
    """Customers the proposer may dispatch: recent visits in the store linked to a customer,
    and the store's own customers, without a live dispatch."""
    visible = customers_visible_to(user)
    live = Dispatch.objects.filter(status__in=LIVE).values("customer_id")
    visits = list(
        Visit.objects.filter(store=store, customer__in=visible.values("pk"))
        .exclude(customer__in=live)
        .select_related("customer")
        .order_by("-occurred_at")[:30]
    )
    seen = {v.customer_id for v in visits}
    customers = [
        c
        for c in visible.filter(department=store, is_invalid=False)
        .exclude(pk__in=live)
        .order_by("-registered_at")[:30]
        if c.pk not in seen
    ]
    return visits, customers


def _facts_initial(visit) -> dict:
    if visit is None:
        return {}
    return {
        "style": visit.preferred_style,
        "occupation": visit.occupation,
        "budget": visit.budget,
        "is_off_plan": visit.is_off_plan,
    }


@login_required
@require_http_methods(["GET", "POST"])
def dispatch_new(request):
    """Propose a designer: the live ranking (places, keys, reasons); the first eligible is
    chosen by default, anyone else needs a reason."""
    user = request.user
    store = _store(request)
    if store is None or not may_propose_dispatch(user, store):
        raise Http404
    visit = customer = None
    visit_id = request.GET.get("visit")
    if visit_id not in (None, ""):
        visit = Visit.objects.filter(
            store=store, pk=parse_id(visit_id) or 0, customer__isnull=False
        ).first()
        if visit is None:
            raise Http404
        customer_id = visit.customer_id
    else:
        customer_id = request.GET.get("customer")
    if customer_id not in (None, ""):
        customer = customers_visible_to(user).filter(pk=parse_id(customer_id) or 0).first()
        if customer is None:
            raise Http404
    base = {"store": store, "stores": list(stores_visible_to(user))}
    if customer is None:
        visits, customers = _candidates(user, store)
        return render(
            request,
            "stores/dispatch_new.html",
            {**base, "visits": visits, "customers": customers},
        )
    now = timezone.now()
    designers = list(designers_of(store).order_by("username"))
    initial = _facts_initial(visit)
    if request.method == "POST":
        form = ProposeForm(request.POST, designers=designers)
        facts = FactsForm(request.POST, auto_id="facts_%s")
    else:
        has_facts = any(k in request.GET for k in ("style", "occupation", "budget", "is_off_plan"))
        facts = FactsForm(request.GET if has_facts else None, initial=initial, auto_id="facts_%s")
        form = None
    known = facts.cleaned_data if facts.is_bound and facts.is_valid() else initial
    ranking = dispatch_ranking(
        store=store,
        as_of=now,
        is_big_order=is_big_order(known.get("budget")),
        is_off_plan=bool(known.get("is_off_plan")),
        style=known.get("style") or "",
        occupation=known.get("occupation") or "",
    )
    first = next((r for r in ranking if r.place is not None), None)
    if form is None:
        form = ProposeForm(
            initial={**initial, **known, "designer": first.designer.pk if first else None},
            designers=designers,
        )
    elif form.is_valid():
        data = form.cleaned_data
        designer = next((d for d in designers if d.pk == data["designer"]), None)
        with refusal(form) as outcome:
            dispatch = dispatch_propose(
                actor=user,
                store=store,
                customer=customer,
                designer=designer,
                reason=data["reason"],
                now=now,
                visit=visit,
                style=data["style"],
                occupation=data["occupation"],
                budget=data["budget"],
                is_off_plan=data["is_off_plan"],
            )
        if outcome.ok:
            messages.success(request, _("Dispatch proposed; the store manager confirms it."))
            return redirect("stores:dispatch_detail", pk=dispatch.pk)
    live = Dispatch.objects.filter(customer=customer, status__in=LIVE).first()
    return render(
        request,
        "stores/dispatch_new.html",
        {
            **base,
            "customer": customer,
            "visit": visit,
            "facts": facts,
            "form": form,
            "ranking": snapshot_rows([r.as_json() for r in ranking]),
            "first": first,
            "big": is_big_order(known.get("budget")),
            "live": (
                live if live and dispatches_visible_to(user).filter(pk=live.pk).exists() else None
            ),
            "live_exists": live is not None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET"])
def dispatch_detail(request, pk: int):
    """A dispatch: the ranking shown when proposed, the consultation form's state and what the
    viewer may do next."""
    user = request.user
    check_page(user)
    dispatch = dispatch_for(user, pk)
    store = dispatch.store
    now = timezone.now()
    proposed = dispatch.status == Dispatch.Status.PROPOSED
    manager = is_store_manager(user, store)
    gm = is_general_manager(user)
    may_decide = proposed and (manager or (gm and gm_may_authorise(store, now)))
    works = may_work_dispatch(user, dispatch)
    state = form_state(dispatch)
    return render(
        request,
        "stores/dispatch_detail.html",
        {
            "d": dispatch,
            "store": store,
            "snapshot": snapshot_rows(dispatch.ranking),
            "state": state,
            "may_decide": may_decide,
            "gm_waits": proposed and gm and not manager and not may_decide,
            "away": manager_away_at(store, now),
            "may_countersign": manager and state == "to_countersign",
            "may_refuse": works
            and dispatch.status in LIVE
            and dispatch.plan_at is None
            and dispatch.deposit_at is None,
            "may_progress": works and dispatch.status == Dispatch.Status.CONFIRMED,
            "note_form": NoteForm(),
            "reject_form": RequiredNoteForm(),
            "refuse_form": RefuseForm(),
            "progress_form": ProgressForm(initial={"at": timezone.localtime(now)}),
        },
    )


def _act(request, pk, form_class, action, done: str):
    """Run one POSTed action on a dispatch the viewer sees; back to its page."""
    check_page(request.user)
    dispatch = dispatch_for(request.user, pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, errors[0] if errors else _("Check the form."))
    else:
        data = form.cleaned_data if form is not None else {}
        with refusal(request) as outcome:
            action(dispatch, data, timezone.now())
        if outcome.ok:
            messages.success(request, done)
    return redirect(reverse("stores:dispatch_detail", args=[dispatch.pk]))


@login_required
@require_POST
def dispatch_confirm_view(request, pk: int):
    return _act(
        request,
        pk,
        NoteForm,
        lambda d, data, now: dispatch_confirm(
            actor=request.user, dispatch=d, note=data["note"], now=now
        ),
        _("Dispatch confirmed."),
    )


@login_required
@require_POST
def dispatch_reject_view(request, pk: int):
    return _act(
        request,
        pk,
        RequiredNoteForm,
        lambda d, data, now: dispatch_reject(
            actor=request.user, dispatch=d, note=data["note"], now=now
        ),
        _("Dispatch not confirmed."),
    )


@login_required
@require_POST
def dispatch_countersign_view(request, pk: int):
    return _act(
        request,
        pk,
        None,
        lambda d, data, now: dispatch_countersign(actor=request.user, dispatch=d, now=now),
        _("Consultation form countersigned."),
    )


@login_required
@require_POST
def dispatch_refuse_view(request, pk: int):
    return _act(
        request,
        pk,
        RefuseForm,
        lambda d, data, now: dispatch_refuse(
            actor=request.user, dispatch=d, reason=data["reason"], now=now
        ),
        _("Refusal recorded; the designer gets no dispatch for a while."),
    )


@login_required
@require_POST
def dispatch_progress_view(request, pk: int):
    return _act(
        request,
        pk,
        ProgressForm,
        lambda d, data, now: dispatch_progress(
            actor=request.user,
            dispatch=d,
            step=data["step"],
            at=data["at"],
            amount=data["amount"],
            now=now,
        ),
        _("Progress recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def manager_away(request):
    """店经理不在: the recorded absences of the store manager, and the form to add one."""
    user = request.user
    store = _store(request)
    if store is None:
        raise Http404
    may_record = may_record_manager_away(user, store)
    form = ManagerAwayForm(request.POST or None) if may_record else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            with refusal(form) as outcome:
                manager_away_record(
                    actor=user, store=store, now=timezone.now(), **form.cleaned_data
                )
            if outcome.ok:
                messages.success(request, _("Absence recorded."))
                return redirect(f"{reverse('stores:manager_away')}?store={store.pk}")
    now = timezone.now()
    return render(
        request,
        "stores/dispatch_away.html",
        {
            "store": store,
            "stores": list(stores_visible_to(user)),
            "rows": ManagerAway.objects.filter(store=store).select_related("recorded_by")[:50],
            "form": form,
            "away": manager_away_at(store, now),
            "now": now,
        },
        status=400 if request.method == "POST" else 200,
    )
