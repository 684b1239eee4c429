"""The salesperson's day (SPEC §4, §8): call-backs due, this month's follow-up quota by intent
grade, late entries. Reads only; each function is a constant number of queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from constance import config
from dateutil.relativedelta import relativedelta
from django.db.models import Count, Min, Q

from crm.calendar import day_start

from .models import Customer, Deal, FollowUp
from .selectors import VALID, VISIT_KINDS


def month_bounds(today) -> tuple[datetime, datetime]:
    start = day_start(today.replace(day=1))
    return start, start + relativedelta(months=1)


def quotas() -> dict[str, int]:
    return {"A": config.QUOTA_A, "B": config.QUOTA_B, "C": config.QUOTA_C, "D": config.QUOTA_D}


def callbacks_due(user, *, now: datetime, limit: int = 20) -> list[Customer]:
    """Held customers whose first inquiry has had no call-back or visit since: due within
    CALLBACK_DAYS (default 2) of that inquiry (004 回访计划). Soonest first; two queries.
    Invalid customers (无效客户) owe no call-back."""
    customers = list(
        Customer.objects.filter(VALID, holder=user)
        .annotate(
            first_call=Min("inquiries__occurred_at"),
            first_logged=Min(
                "followups__occurred_at", filter=Q(followups__kind=FollowUp.Kind.INQUIRY)
            ),
        )
        .filter(Q(first_call__isnull=False) | Q(first_logged__isnull=False))
        .only("pk", "name", "intent_grade")
    )
    if not customers:
        return []
    visits: dict[int, list[datetime]] = {}
    for customer_id, at in FollowUp.objects.filter(
        customer__in=[c.pk for c in customers], kind__in=VISIT_KINDS
    ).values_list("customer_id", "occurred_at"):
        visits.setdefault(customer_id, []).append(at)
    due = []
    for customer in customers:
        first = min(d for d in (customer.first_call, customer.first_logged) if d)
        if any(at >= first for at in visits.get(customer.pk, [])):
            continue
        customer.first_inquiry = first
        customer.callback_due = first + timedelta(days=config.CALLBACK_DAYS)
        customer.callback_overdue = customer.callback_due < now
        due.append(customer)
    due.sort(key=lambda c: c.callback_due)
    return due[:limit]


@dataclass
class GradeQuota:
    grade: str
    quota: int
    customers: int = 0
    on_track: int = 0
    missing: int = 0  # follow-ups still owed this month (−1 point each on the 1st)
    behind: list = field(default_factory=list)


def quota_progress(user, *, today) -> list[GradeQuota]:
    """Follow-ups this month per held customer against its grade's quota (A ≥ 4, B ≥ 3,
    C ≥ 2, D ≥ 1 by default; 004). Invalid customers (无效客户) owe none. The month-end scan
    counts the same with SQL (`penalties.services.scans.quota_shortfall`); a test asserts the
    two agree."""
    start, end = month_bounds(today)
    per_grade = {g: GradeQuota(g, q) for g, q in quotas().items()}
    customers = (
        Customer.objects.filter(VALID, holder=user)
        .annotate(
            done=Count(
                "followups",
                filter=Q(
                    followups__author=user,
                    followups__amends__isnull=True,
                    followups__occurred_at__gte=start,
                    followups__occurred_at__lt=end,
                ),
            )
        )
        .only("pk", "name", "intent_grade")
        .order_by("intent_grade", "pk")
    )
    for customer in customers:
        row = per_grade.get(customer.intent_grade)
        if row is None:
            continue
        row.customers += 1
        owed = max(row.quota - customer.done, 0)
        if owed:
            row.missing += owed
            if len(row.behind) < 10:
                row.behind.append((customer, customer.done))
        else:
            row.on_track += 1
    return list(per_grade.values())


def late_entries(user, *, today, limit: int = 10):
    """This month's records the user entered after the deadline (LATE_ENTRY evidence)."""
    start, end = month_bounds(today)
    window = {"author": user, "is_late": True, "entered_at__gte": start, "entered_at__lt": end}
    followups = list(
        FollowUp.objects.filter(**window).select_related("customer").order_by("-entered_at")[:limit]
    )
    deals = list(
        Deal.objects.filter(**window).select_related("customer").order_by("-entered_at")[:limit]
    )
    return sorted(followups + deals, key=lambda r: r.entered_at, reverse=True)[:limit]


def day_panel(request, *, now, today) -> dict:
    """Context of the salesperson's day on the dashboard."""
    user = request.user
    return {
        "callbacks": callbacks_due(user, now=now),
        "quotas": quota_progress(user, today=today),
        "late": late_entries(user, today=today),
        "held_count": Customer.objects.filter(holder=user).count(),
    }
