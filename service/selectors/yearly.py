"""Reads of the yearly evaluation (001 四.4; SPEC §11).

Which customers are due for year Y: those held by somebody now (the task runs up to the due
date, when "now" is the due date) with at least one purchase record or signed contract credited
that year (`SalesCredit` kinds deal/contract, the table every sales figure reads; returns and
transfers do not make a customer due). The holder at submission submits; an evaluation once
submitted stays with the customer whoever holds it later."""

from datetime import date

from constance import config
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from customers.models import Customer
from sales.models import SalesCredit
from sales.selectors.common import visible

from ..models import YearlyEvaluation

SALE_KINDS = (SalesCredit.Kind.DEAL, SalesCredit.Kind.CONTRACT)


def _month_day(raw: str, year: int, fallback: tuple[int, int]) -> date:
    try:
        month, day = (int(part) for part in str(raw).strip().split("-"))
        return date(year, month, day)
    except (TypeError, ValueError):
        return date(year, *fallback)


def due_date(year: int) -> date:
    """The last day to submit (constance YEARLY_EVALUATION_DUE, default 12-25)."""
    return _month_day(config.YEARLY_EVALUATION_DUE, year, (12, 25))


def reminders_from(year: int) -> date:
    """The first day of the daily reminders (YEARLY_EVALUATION_REMINDERS_FROM, default 12-01)."""
    return _month_day(config.YEARLY_EVALUATION_REMINDERS_FROM, year, (12, 1))


def overdue_year(today: date) -> int | None:
    """The year whose evaluations are overdue on `today`: this year's after its due date, or last
    year's in the weeks after it (so a missed run heals); None otherwise."""
    if today > due_date(today.year):
        return today.year
    if today > due_date(today.year - 1) and (today - due_date(today.year - 1)).days <= 40:
        return today.year - 1
    return None


def had_sales(year: int):
    return Exists(
        SalesCredit.objects.filter(
            customer=OuterRef("pk"),
            kind__in=SALE_KINDS,
            on_date__gte=date(year, 1, 1),
            on_date__lt=date(year + 1, 1, 1),
        )
    )


def due_customers(year: int):
    """Customers due for `year` (see the module docstring)."""
    return Customer.objects.filter(had_sales(year), holder__isnull=False)


def missing_evaluations(year: int):
    """Due customers without a submitted evaluation for `year`."""
    done = YearlyEvaluation.objects.filter(customer=OuterRef("pk"), year=year)
    return due_customers(year).exclude(Exists(done))


def yearly_rows(user, year: int, *, status: str = ""):
    """The user's due customers for `year` (SPEC §1 scope): `status` '' all, 'missing',
    'submitted', 'awaiting' (the managers' parts still open). Each evaluation's state is read
    for the shown page only, by `with_evaluations` (issue 19: four subqueries per row made the
    page's capped count read them for up to 10,000 customers)."""
    ev = YearlyEvaluation.objects.filter(customer=OuterRef("pk"), year=year)
    qs = visible(due_customers(year), user, prefix="")
    if status == "missing":
        qs = qs.exclude(Exists(ev))
    elif status == "submitted":
        qs = qs.filter(Exists(ev))
    elif status == "awaiting":  # one evaluation per customer and year
        qs = qs.filter(Exists(ev.filter(director_at__isnull=True)))
    return qs.select_related("holder", "department")


def with_evaluations(rows: list, year: int) -> list:
    """`rows` (customers) with their `year` evaluation's evaluation_id, submitted_at,
    manager_at and director_at (None without one), in one query."""
    found = {
        e["customer_id"]: e
        for e in YearlyEvaluation.objects.filter(
            customer_id__in=[c.pk for c in rows], year=year
        ).values("customer_id", "pk", "submitted_at", "manager_at", "director_at")
    }
    for customer in rows:
        e = found.get(customer.pk, {})
        customer.evaluation_id = e.get("pk")
        customer.submitted_at = e.get("submitted_at")
        customer.manager_at = e.get("manager_at")
        customer.director_at = e.get("director_at")
    return rows


def overdue_rows(user, year: int):
    """The overdue list: due customers of the user's departments still without an evaluation."""
    return visible(missing_evaluations(year), user, prefix="").select_related(
        "holder", "department"
    )


def evaluations_visible_to(user):
    return visible(YearlyEvaluation.objects.all(), user).select_related(
        "customer", "department__parent__manager", "department__manager", "submitted_by",
        "manager_by", "director_by",
    )  # fmt: skip


def overall_text(ev: YearlyEvaluation) -> str:
    """总体评价 of the yearly table: the holder's transaction and credit evaluations, then the
    managers' verdicts."""
    parts = [
        _("Transaction: %(grade)s") % {"grade": ev.get_transaction_grade_display()},
        _("Credit: %(grade)s") % {"grade": ev.credit_grade},
    ]
    if ev.transaction_note:
        parts.append(ev.transaction_note)
    if ev.manager_note:
        parts.append(_("Business manager: %(text)s") % {"text": ev.manager_note})
    if ev.director_note:
        parts.append(_("Supervising manager: %(text)s") % {"text": ev.director_note})
    return "；".join(parts)


def contact_text(ev: YearlyEvaluation) -> str:
    text = ev.get_contact_grade_display()
    return f"{text}：{ev.contact_note}" if ev.contact_note else text


def evaluations_by_year(customer, years) -> dict:
    """The yearly table's loader: {year: (总体评价, 联系人评价)} in one query."""
    rows = YearlyEvaluation.objects.filter(customer=customer, year__in=list(years))
    return {ev.year: (overall_text(ev), contact_text(ev)) for ev in rows}
