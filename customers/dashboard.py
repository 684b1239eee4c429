"""What customers adds to the dashboards (crm/dashboard.py): the salesperson's 今日待跟进, the
accountant's 资料补录 summary and a department's customer figures on its page. Reads only;
each function is a constant number of queries whatever the rows."""

from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery

from .models import Customer, FollowUp
from .selectors import VALID, incomplete_records, incomplete_summary

FOLLOWUPS_SHOWN = 20


def followups_due(user, *, today, limit: int = FOLLOWUPS_SHOWN) -> list[Customer]:
    """今日待跟进: held customers whose latest follow-up set a next-step date that is today or
    past (a later follow-up replaces the plan). Most overdue first; one query."""
    latest = FollowUp.objects.filter(customer=OuterRef("pk"), amends__isnull=True).order_by(
        "-occurred_at", "-pk"
    )
    customers = list(
        Customer.objects.filter(VALID, holder=user)
        .annotate(
            next_date=Subquery(latest.values("next_date")[:1]),
            next_step=Subquery(latest.values("next_step")[:1]),
        )
        .filter(next_date__lte=today)
        .only("pk", "name", "intent_grade")
        .order_by("next_date", "pk")[:limit]
    )
    for customer in customers:
        customer.days_overdue = (today - customer.next_date).days
    return customers


def followups_panel(request, *, now, today) -> dict:
    return {"due": followups_due(request.user, today=today)}


def worklist_panel(request, *, now, today) -> dict:
    """The accountant's 资料补录 in figures (overdue, due this week, by department); one query."""
    return {"worklist": incomplete_summary(request.user, today=today)}


def department_worklist(request, department, *, now, today) -> dict:
    """A department page's 资料补录 figures for those who work the records; one query."""
    week = today + timedelta(days=7)
    dealt = Q(first_deal_at__isnull=False)
    return {
        "incomplete": incomplete_records(request.user)
        .filter(department=department)
        .aggregate(
            overdue=Count("pk", filter=dealt & Q(completion_due__lt=today)),
            due_this_week=Count(
                "pk", filter=dealt & Q(completion_due__gte=today, completion_due__lt=week)
            ),
            total=Count("pk"),
        )
    }
