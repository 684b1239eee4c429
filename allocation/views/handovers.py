"""Handover (交接) pages. Thin: resolve scope (404 outside it), validate the input's shape,
call one service, show its message; nothing is written on a refusal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.errors import RuleError, refusal
from crm.models import Staff, User
from crm.paging import numbered_page
from crm.selectors import departments_managed_by, manages_company
from crm.validators import parse_id

from ..forms import HandoverOpenForm
from ..rights import may_manage_handovers
from ..selectors.handovers import (
    handover_candidates,
    handover_days,
    handover_items,
    handover_recipients,
    handovers_in_scope,
    held_counts,
    open_handovers_for,
)
from ..services.handover import handover_distribute, handover_open
from .common import require as _require

# The people list's one order (numbered_page wants a whitelist): tree order, role, username.
PEOPLE_SORTS = {"department": ("department__path", "role", "user__username")}
PEOPLE_PAGE_SIZE = 50


@login_required
def handover_list(request):
    """Open handovers with their countdown, recent closed ones, and the people a manager may
    mark as leaving or transferring: paged, narrowed by ?department=<id> (a managed
    department's subtree) and ?q=<name>. A company-wide viewer (the GM: every active person of
    the company) picks a department or searches first; the held counts are read for the
    shown page only."""
    _require(may_manage_handovers, request)
    now = timezone.now()
    managed = list(departments_managed_by(request.user).only("pk", "name", "path").order_by("path"))
    managed_ids = [d.pk for d in managed]
    wanted = request.GET.get("department") or ""
    department = next((d for d in managed if str(d.pk) == wanted), None)
    q = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    chosen = department is not None or bool(q)
    people, page = [], None
    if chosen or not manages_company(request.user):
        people, page = numbered_page(
            handover_candidates(request.user, managed, department=department, q=q),
            request,
            sorts=PEOPLE_SORTS,
            default="department",
            size=PEOPLE_PAGE_SIZE,
        )
        held = held_counts(s.user_id for s in people)
        for s in people:
            s.held = held.get(s.user_id, 0)
    return render(
        request,
        "allocation/handover_list.html",
        {
            "open_handovers": open_handovers_for(request.user, now, managed_ids),
            "closed_handovers": handovers_in_scope(request.user, managed_ids)
            .filter(closed_at__isnull=False)
            .order_by("-closed_at")[:20],
            "people": people,
            "page": page,
            "departments": managed if len(managed) > 1 else [],
            "department": department,
            "q": q,
            "choose_first": page is None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_new(request, staff_pk: int):
    """Mark a person of a managed department as leaving or transferring (starts the handover)."""
    _require(may_manage_handovers, request)
    staff = get_object_or_404(
        Staff.objects.filter(department__in=departments_managed_by(request.user))
        .exclude(user=request.user.pk)
        .select_related("user", "department"),
        pk=staff_pk,
    )
    now = timezone.now()
    form = HandoverOpenForm(
        request.POST or None,
        initial={"status": Staff.Status.LEFT, "effective_at": timezone.localtime(now)},
    )
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            handover = handover_open(
                actor=request.user,
                staff=staff,
                status=form.cleaned_data["status"],
                effective_at=form.cleaned_data["effective_at"],
                now=now,
            )
        if outcome.ok:
            messages.success(
                request,
                _("%(person)s: %(status)s. %(count)d customers went to the department pool.")
                % {
                    "person": staff.user.display_name,
                    "status": dict(form.fields["status"].choices)[form.cleaned_data["status"]],
                    "count": handover.items.count(),
                },
            )
            return redirect("allocation:handover_detail", pk=handover.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "allocation/handover_new.html",
        {
            "form": form,
            "staff": staff,
            "customers_held": staff.user.held_customers.count(),
            "days": handover_days(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_detail(request, pk: int):
    """The handover's customers in priority order, one recipient select each (manager)."""
    _require(may_manage_handovers, request)
    handover = get_object_or_404(handovers_in_scope(request.user), pk=pk)
    error = None
    if request.method == "POST":
        with refusal() as outcome:
            assignments = _assignments(request.POST)
            handover_distribute(
                actor=request.user,
                handover=handover,
                assignments=assignments,
                now=timezone.now(),
            )
        if not outcome.ok:
            error = outcome.error
        else:
            handover.refresh_from_db()
            if handover.closed_at:
                messages.success(request, _("Every customer is handed out; handover closed."))
            else:
                messages.success(
                    request,
                    _("%(count)d customers handed out.") % {"count": len(assignments)},
                )
            return redirect("allocation:handover_detail", pk=handover.pk)
    items = handover_items(handover)
    for item in items:  # a refused form keeps what the manager chose
        item.chosen = request.POST.get(f"to-{item.customer_id}", "")
    return render(
        request,
        "allocation/handover_detail.html",
        {
            "handover": handover,
            "items": items,
            "recipients": list(handover_recipients(handover)),
            "waiting": sum(1 for i in items if not i.is_settled),
            "error": error,
            "now": timezone.now(),
        },
        status=400 if error else 200,
    )


class _BadInput(RuleError):
    pass


def _assignments(post) -> dict:
    """`to-<customer id>` = `<recipient id>` fields → {customer id: recipient}. Unknown
    recipients stay in (as None) so the service refuses them with its message."""
    wanted = {}
    for key, value in post.items():
        if not key.startswith("to-") or not value:
            continue
        customer_id, recipient_id = parse_id(key[3:]), parse_id(value)
        if customer_id is None or recipient_id is None:
            raise _BadInput(_("The form was not understood; reload the page."))
        wanted[customer_id] = recipient_id
    users = User.objects.select_related("staff").in_bulk(set(wanted.values()))
    return {customer_id: users.get(user_id) for customer_id, user_id in wanted.items()}
