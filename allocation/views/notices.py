"""Notice board pages (公示, SPEC §6): the board, a notice with the previous holder's appeal and
the manager's restore/confirm, and the manager's 不满意 verification. Thin: scope through
`notices_visible_to` (404 outside), one service call, its message shown; a refused POST
answers 400 and writes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.errors import refusal
from crm.validators import parse_id
from customers.models import FollowUp
from customers.selectors import customers_visible_to

from ..models import JobRun, PublicNotice
from ..rights import may_appeal, may_decide_notice, may_see_notices, may_verify_unsatisfied
from ..selectors.notices import newest_notices, notices_visible_to, run_notices
from ..services.notices import (
    notice_appeal,
    notice_decide,
    unsatisfied_verify,
    unsatisfied_withdraw,
)

BOARD_SIZE = 200
RESTORE = ("restore", "approve")  # the inbox posts approve/reject
CONFIRM = ("confirm", "reject")


RELATED = ("customer", "previous_holder", "department", "decided_by")


def _notices(user):
    return notices_visible_to(user).select_related(*RELATED)


@login_required
@require_GET
def notice_board(request):
    """Running notices and undecided appeals (?show=all: the latest notices of any state)."""
    if not may_see_notices(request.user):
        raise Http404
    now = timezone.now()
    show = "all" if request.GET.get("show") == "all" else "current"
    # ?mine=reclaimed: what was reclaimed from the viewer (the reclaim notification's link;
    # &run=<id> narrows it to that run's customers, shown whatever their state).
    mine = request.GET.get("mine") == "reclaimed"
    notices = notices_visible_to(request.user)
    run = None
    if mine:
        notices = notices.filter(previous_holder=request.user.pk)
        run_id = parse_id(request.GET.get("run"))
        run = JobRun.objects.filter(pk=run_id).first() if run_id else None
        if run is not None:
            notices = notices.filter(pk__in=run_notices(run).values("pk"))
    if run is not None:  # one run's notices: few, read through its own bounds
        page = notices.order_by("-reclaimed_at", "-pk")[:BOARD_SIZE]
    elif show == "current":
        # Running (ends_at index) or appealed and undecided (partial index): as many as the
        # last few working days' sweeps opened, whatever the history's length.
        running = Q(ends_at__gt=now) | Q(appealed_at__isnull=False, decision="")
        page = notices.filter(running).order_by("-reclaimed_at", "-pk")[:BOARD_SIZE]
    else:
        page = newest_notices(notices, limit=BOARD_SIZE)
    # The page of ids first, then its rows with their customer and people: joined before the
    # LIMIT, PostgreSQL hashed the whole user table (and, misjudging the scope, read every
    # customer) for 200 rows.
    notices = list(
        PublicNotice.objects.filter(pk__in=page.values("pk"))
        .select_related(*RELATED)
        .order_by("-reclaimed_at", "-pk")
    )
    return render(
        request,
        "allocation/notice_board.html",
        {"notices": notices, "show": show, "mine": mine, "run": run, "now": now},
    )


def _notice_for(user, pk: int) -> PublicNotice:
    return get_object_or_404(_notices(user), pk=pk)


def _detail(request, notice: PublicNotice, *, error=None):
    notice = _notice_for(request.user, notice.pk)  # fresh after a decision or a refusal
    now = timezone.now()
    context = {
        "notice": notice,
        "now": now,
        "error": error,
        "may_appeal": may_appeal(request.user, notice, now),
        "may_decide": notice.appealed_at is not None
        and not notice.decision
        and may_decide_notice(request.user, notice),
    }
    return render(request, "allocation/notice_detail.html", context, status=400 if error else 200)


@login_required
@require_GET
def notice_detail(request, pk: int):
    return _detail(request, _notice_for(request.user, pk))


@login_required
@require_POST
def notice_appeal_view(request, pk: int):
    notice = _notice_for(request.user, pk)
    with refusal() as outcome:
        notice_appeal(
            actor=request.user,
            notice=notice,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
        )
    if not outcome.ok:
        return _detail(request, notice, error=outcome.error)
    messages.success(request, _("Your appeal was sent to the manager."))
    return redirect("allocation:notice_detail", pk=notice.pk)


@login_required
@require_POST
def notice_decide_view(request, pk: int):
    """POST decision=restore|confirm (the inbox: approve|reject) and reason."""
    notice = _notice_for(request.user, pk)
    decision = request.POST.get("decision", "")
    if decision not in RESTORE + CONFIRM:
        return _detail(request, notice, error=_("Choose to restore the customer or to confirm."))
    with refusal() as outcome:
        notice = notice_decide(
            actor=request.user,
            notice=notice,
            restore=decision in RESTORE,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
        )
    if not outcome.ok:
        return _detail(request, notice, error=outcome.error)
    if notice.decision == PublicNotice.Decision.RESTORED:
        messages.success(
            request,
            _("%(customer)s was restored to %(person)s.")
            % {
                "customer": notice.customer.name,
                "person": notice.previous_holder.display_name,
            },
        )
    else:
        messages.success(request, _("The reclaim was confirmed."))
    return redirect("allocation:notice_detail", pk=notice.pk)


def _unsatisfied_action(request, pk: int, service, done: str, **kwargs):
    """Verify or withdraw a 不满意 (SPEC §6): managers of the customer's department only, 404
    for anybody else; a refusal is shown with the way back to the customer."""
    followup = get_object_or_404(
        FollowUp.objects.select_related("customer"),
        pk=pk,
        customer__in=customers_visible_to(request.user).values("pk"),
    )
    if not may_verify_unsatisfied(request.user, followup.customer):
        raise Http404
    back = reverse("customers:detail", args=[followup.customer_id]) + "#timeline"
    with refusal() as outcome:
        service(actor=request.user, followup=followup, now=timezone.now(), **kwargs)
    if not outcome.ok:
        return render(
            request,
            "allocation/notice_refused.html",
            {"error": outcome.error, "back": back},
            status=400,
        )
    messages.success(request, done)
    return redirect(back)


@login_required
@require_POST
def unsatisfied_verify_view(request, pk: int):
    return _unsatisfied_action(
        request, pk, unsatisfied_verify, _("The unsatisfied follow-up was verified.")
    )


@login_required
@require_POST
def unsatisfied_withdraw_view(request, pk: int):
    """撤销不满意核实: the only way to lift the unsatisfied rule (SPEC §6)."""
    return _unsatisfied_action(
        request,
        pk,
        unsatisfied_withdraw,
        _("The verification was withdrawn; the customer stays."),
        reason=request.POST.get("reason", "")[:300],
    )
