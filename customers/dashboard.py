"""What customers adds to the dashboards (crm/dashboard.py): the salesperson's 今日待跟进, the
accountant's 资料补录 summary and a department's customer figures on its page. Reads only;
each function is a constant number of queries whatever the rows."""

from datetime import timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery

from crm.models import Department

from .models import Customer, FollowUp
from .selectors import VALID, incomplete_records

WORKLIST_KEYS = ("overdue", "due_this_week", "no_deal", "total")

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


def worklist_summary(user, *, today) -> dict:
    """`incomplete_summary(user, today=today)`, the same figures read faster (issue 19): counted
    per department id in the order of customer_incomplete_idx (an index-only scan grouped as
    it reads), the department's name joined to the twenty-odd groups afterwards. Joined first
    and sorted by name, 28,000 incomplete records of an accountant's 20 departments took 16 ms
    (a sort of every row); this way 5 ms. Rows ordered by department name, as the selector."""
    week = today + timedelta(days=7)
    dealt = Q(first_deal_at__isnull=False)
    grouped = (
        incomplete_records(user)
        .order_by()
        .values("department_id")
        .annotate(
            overdue=Count("pk", filter=dealt & Q(completion_due__lt=today)),
            due_this_week=Count(
                "pk", filter=dealt & Q(completion_due__gte=today, completion_due__lt=week)
            ),
            no_deal=Count("pk", filter=Q(first_deal_at__isnull=True)),
            total=Count("pk"),
        )
        .values("department_id", *WORKLIST_KEYS)
    )
    try:
        inner, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # nothing visible: the selector's empty answer
        return {**dict.fromkeys(WORKLIST_KEYS, 0), "by_department": []}
    columns = ", ".join(f"g.{key}" for key in WORKLIST_KEYS)
    sql = (
        f"SELECT g.department_id, d.name, {columns} FROM ({inner}) g "
        f"LEFT JOIN {Department._meta.db_table} d ON d.id = g.department_id ORDER BY d.name"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        by_department = [
            dict(zip(("department_id", "department__name", *WORKLIST_KEYS), row, strict=True))
            for row in cursor.fetchall()
        ]
    totals = {key: sum(r[key] for r in by_department) for key in WORKLIST_KEYS}
    return {**totals, "by_department": by_department}


def worklist_panel(request, *, now, today) -> dict:
    """The accountant's 资料补录 in figures (overdue, due this week, by department); one query
    (`worklist_summary`) after the scope's departments."""
    return {"worklist": worklist_summary(request.user, today=today)}


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
