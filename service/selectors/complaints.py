"""Reads of complaints (SPEC §11 投诉): who sees which, the list, the analysis.

A complaint is seen by whoever took it, its responsible person, those who see its department
(its managers and accountants, the GM) and those who see its customer unmasked (SPEC §1 via
`sales.selectors.common.customer_condition`)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext

from crm.calendar import SHANGHAI, day_start
from crm.models import Staff, User
from crm.selectors import departments_visible_to
from sales.selectors.common import customer_condition

from ..models import Complaint, ComplaintCategory, ComplaintEvent


def complaints_visible_to(user) -> QuerySet[Complaint]:
    if not user.is_authenticated or not user.is_active:
        return Complaint.objects.none()
    condition = customer_condition(user)
    if condition is None:
        return Complaint.objects.all()
    # The customer branch is a subquery of its own: OR-ed with the others over a join to the
    # customer table it made every list read join and filter all complaints (0.3 s for a
    # salesperson at 20,000 complaints, issue 19); alone it starts from the customer indexes.
    # Same rows (`test_complaints_visible_to_matches_the_plain_condition`).
    by_customer = Complaint.objects.filter(Q(customer__isnull=False) & condition).values("pk")
    scope = (
        Q(taken_by=user.pk)
        | Q(responsible=user.pk)
        | Q(department__in=departments_visible_to(user))
        | Q(pk__in=by_customer)
    )
    return Complaint.objects.filter(scope)


def complaint_list(
    user,
    *,
    step: str = "",
    category_id: int | None = None,
    overdue_at: datetime | None = None,
    mine: bool = False,
) -> QuerySet[Complaint]:
    rows = complaints_visible_to(user).select_related(
        "category", "department", "responsible", "customer"
    )
    if step:
        rows = rows.filter(step=step)
    if category_id:
        rows = rows.filter(category_id=category_id)
    if overdue_at is not None:
        rows = rows.filter(step=Complaint.Step.RECEIVED, response_due__lte=overdue_at)
    if mine:
        rows = rows.filter(responsible=user.pk)
    return rows


def complaint_events(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.select_related("actor").order_by("at", "pk")


def active_categories() -> QuerySet[ComplaintCategory]:
    return ComplaintCategory.objects.filter(is_active=True).order_by("position", "pk")


def responsible_choices() -> QuerySet[User]:
    """Current members of staff (the form checks the person belongs to the chosen
    department)."""
    return (
        User.objects.filter(is_active=True, staff__isnull=False)
        .exclude(staff__status=Staff.Status.LEFT)
        .exclude(staff__role="")
        .select_related("staff", "staff__department")
        .order_by("staff__department__name", "username")
    )


def breach_person_choices() -> QuerySet[User]:
    return responsible_choices()


# --- analysis ----------------------------------------------------------------------------------


@dataclass
class Group:
    key: object
    label: str
    count: int = 0
    closed: int = 0
    days: list = field(default_factory=list)

    @property
    def average_days(self) -> float | None:
        return round(sum(self.days) / len(self.days), 1) if self.days else None

    @property
    def median_days(self) -> float | None:
        return round(median(self.days), 1) if self.days else None


@dataclass
class Analysis:
    year: int
    total: Group
    by_category: list
    by_department: list
    by_month: list


def _days(row) -> float:
    return (row["archived_at"] - row["taken_at"]).total_seconds() / 86400


def complaint_analysis(user, *, year: int) -> Analysis:
    """Complaints taken in `year` (Asia/Shanghai) that `user` sees: how many, how many closed
    (archived), average and median days from taking to archiving — by category, by department
    and by month. One query; a year's complaints are few enough to group in Python."""
    start, end = day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))
    # Plain tuples with the month (Asia/Shanghai) and the time to archiving worked out by the
    # database: the GM's year is thousands of rows, and building a dict with two converted
    # datetimes per row was most of the page (issue 19). Same figures
    # (`test_complaint_analysis_matches_the_row_by_row_grouping`).
    rows = (
        complaints_visible_to(user)
        .filter(taken_at__gte=start, taken_at__lt=end)
        .annotate(
            month=ExtractMonth("taken_at", tzinfo=SHANGHAI),
            span=ExpressionWrapper(F("archived_at") - F("taken_at"), output_field=DurationField()),
        )
        .values_list(
            "category_id", "category__name", "department_id", "department__name", "month", "span"
        )
    )  # fmt: skip
    total = Group(None, "")
    categories: dict = {}
    departments: dict = {}
    months = {m: Group(m, f"{year}-{m:02d}") for m in range(1, 13)}
    for category_id, category_name, department_id, department_name, month, span in rows:
        category = categories.get(category_id)
        if category is None:
            category = categories[category_id] = Group(category_id, _label(category_name))
        department = departments.get(department_id)
        if department is None:
            department = departments[department_id] = Group(department_id, department_name)
        groups = (total, category, department, months[month])
        if span is None:
            for group in groups:
                group.count += 1
        else:
            days = span.total_seconds() / 86400
            for group in groups:
                group.count += 1
                group.closed += 1
                group.days.append(days)
    order = {c.pk: i for i, c in enumerate(ComplaintCategory.objects.order_by("position", "pk"))}
    return Analysis(
        year=year,
        total=total,
        by_category=sorted(categories.values(), key=lambda g: order.get(g.key, 0)),
        by_department=sorted(departments.values(), key=lambda g: g.label),
        by_month=list(months.values()),
    )


def _label(name: str) -> str:
    return gettext(name)


def entry_complaint_evidence(entry, user):
    """The complaint behind a ledger entry, for the entry's page (penalties.evidence): its
    date, category, content and verification to whoever sees the entry (the evidence the
    entry rests on); the link to the complaint only for those who see the complaint."""
    complaint = (
        Complaint.objects.filter(ledger_entry=entry.pk)
        .select_related("category", "verified_by", "breach_person")
        .first()
    )
    if complaint is None:
        return None
    linked = complaints_visible_to(user).filter(pk=complaint.pk).exists()
    return ("service/_complaints_evidence.html", {"complaint": complaint, "linked": linked})
