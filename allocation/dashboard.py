"""Allocation's part of the dashboards: the managers' (what waits on them, the reclaim queue,
handovers, the store-collected customers waiting for their first distribution), the
salesperson's (即将回收, their requests and swaps, what was reclaimed from them with the appeal
button) and a department page's notices. Each a constant number of queries."""

from datetime import timedelta

from django.db.models import Count, Q

from crm.dashboard import managed_department_ids
from customers.models import Customer
from customers.selectors import VALID

from .inbox import inbox_for
from .models import ClaimRequest, PublicNotice, SwapRequest
from .selectors.distribution import protection_queue, store_collected_waiting_rows
from .selectors.handovers import open_handovers_for
from .selectors.notices import reclaimed_from
from .services.notices import appeal_deadline
from .services.store_collected import pool_waiting_url
from .services.warnings import countdown_policies, days_left

SHOWN = 10
RECENT_DAYS = 30  # decided requests and swaps stay on the dashboard this long


def manager_panel(request, *, now, today) -> dict:
    user = request.user
    # The departments the user manages, resolved once for the whole page (issue 19): each
    # read below takes the literal list instead of planning the permission subquery again.
    managed = managed_department_ids(request)
    handovers = open_handovers_for(user, now, managed_ids=managed)
    return {
        "inbox": inbox_for(user, now=now, managed_ids=managed)[:8],
        "queue_count": protection_queue(user, as_of=now, managed_ids=managed).count(),
        "handovers": handovers,
        # 000 §4.2③: the manager distributes store-collected customers every day.
        "store_waiting": [
            {"name": name, "count": n, "url": pool_waiting_url(pk)}
            for pk, name, n in store_collected_waiting_rows(managed)
        ],
    }


def reclaim_soon(user, *, today, limit: int = SHOWN) -> list[Customer]:
    """即将回收: held customers whose reclaim day falls within the warning window (the longest
    warning offset of the active rules, 7 days by default), with the days left — the same
    countdown as the customer list (`days_left`). Two queries."""
    policies = countdown_policies()
    window = max((d for p in policies for d in p.warn_offsets), default=7)
    held = Customer.objects.filter(VALID, holder=user).only(
        "pk",
        "name",
        "holder_id",
        "holder_since",
        "acquired_via",
        "is_invalid",
        "last_followup_at",
        "last_deal_at",
    )
    soon = []
    for customer in held:
        left = days_left(customer, policies, today)
        if left is not None and left <= window:
            customer.days_left = left
            soon.append(customer)
    soon.sort(key=lambda c: (c.days_left, c.pk))
    return soon[:limit]


def salesperson_panel(request, *, now, today) -> dict:
    user = request.user
    recent = now - timedelta(days=RECENT_DAYS)
    claims = list(
        ClaimRequest.objects.filter(requester=user)
        .filter(Q(status=ClaimRequest.Status.PENDING) | Q(decided_at__gte=recent))
        .annotate(n=Count("customers"))
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    swaps = list(
        SwapRequest.objects.filter(Q(proposer=user) | Q(counterpart=user))
        .filter(Q(status__in=SwapRequest.OPEN_STATUSES) | Q(created_at__gte=recent))
        .select_related("proposer", "counterpart")
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    reclaimed = reclaimed_from(user, now=now, limit=SHOWN)
    for notice in reclaimed:
        notice.deadline = appeal_deadline(notice.ends_at)
        notice.may_appeal = (
            notice.ends_at > now and notice.appealed_at is None and not notice.decision
        )
    return {
        "soon": reclaim_soon(user, today=today),
        "claims": claims,
        "swaps": swaps,
        "reclaimed": reclaimed,
    }


def department_panel(request, department, *, now, today) -> dict:
    """A department page's public notices: running, and appeals waiting (one query).

    Only rows that are one or the other are read: notices keep no department index (the
    sweep writes one per reclaimed customer), so "this department's notices" read all
    150,000 of them (12 ms); the OR of the two counts' own conditions lets PostgreSQL start
    from notice_ends_idx and notice_appeal_pending_idx (0.6 ms, issue 19 round 3)."""
    running = Q(ends_at__gt=now)
    waiting = Q(appealed_at__isnull=False, decision="")
    return PublicNotice.objects.filter(running | waiting, department=department).aggregate(
        notices_running=Count("pk", filter=running),
        appeals_waiting=Count("pk", filter=waiting),
    )
