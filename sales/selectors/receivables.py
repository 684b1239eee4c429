"""Receivables and ageing (应收账款与账龄, SPEC §10; 001 附录 2): what customers still owe on
signed contracts, by how long it has been overdue on a given day.

- An instalment is owed while it is not settled (`settled_on` empty); what it owes is
  `amount − paid` (`paid` is kept by `collection_record`, so a partial payment counts at once).
  Only signed contracts owe anything: a draft's collection plan is a proposal.
- Days overdue on `as_of` = `as_of − due_on`. Buckets: 未到期 (due today or later, 0 days or
  fewer), 逾期 1–30, 31–90 and 90+ (91 days and more).
- Grouped per customer, per salesperson (the customer's current holder; pooled customers form
  one row, 公共资源池) or per department (the customer's department; the company pool has none).
- Scoped by `sales.selectors.common.visible` (SPEC §1): a salesperson sees their own
  customers only, so a customer they may see only masked never appears.

Set-based: the buckets are conditional sums in one GROUP BY over the open instalments
(`instalment_open_idx` covers `settled_on IS NULL`); the bucket edges are plain date
constants computed here, so the database compares `due_on` with a literal and does no date
arithmetic. Labels (names) are read afterwards for the rows of one page only.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import Department, User
from customers.models import Customer

from ..models import Instalment
from .common import visible

GROUPS = {
    "customer": ("customer_id", gettext_lazy("By customer")),
    "salesperson": ("customer__holder_id", gettext_lazy("By salesperson")),
    "department": ("customer__department_id", gettext_lazy("By department")),
}
BUCKETS = ("not_due", "days_1_30", "days_31_90", "days_over_90")
BUCKET_LABELS = {
    "not_due": gettext_lazy("Not yet due"),
    "days_1_30": gettext_lazy("Overdue 1–30 days"),
    "days_31_90": gettext_lazy("Overdue 31–90 days"),
    "days_over_90": gettext_lazy("Overdue over 90 days"),
}
REMINDER_INTERVAL_DAYS = 7  # 电子催款单 again every week while unpaid

MONEY = DecimalField(max_digits=16, decimal_places=2)


def _open() -> Q:
    """Unsettled instalments of signed contracts: `signed` is set on a contract's
    instalments when it is signed (`contract_sign`), so no join or anti-join against the
    contracts; `instalment_owed_idx` covers exactly these rows (customer, then due date,
    amount and paid), so the ageing and its totals are read from the index alone."""
    return Q(settled_on__isnull=True, signed=True)


def bucket_of(days_overdue: int) -> str:
    """The bucket of an instalment `days_overdue` days past its due date (the Python twin of
    `_bucket_conditions`; tests/sales/test_receivables.py checks they agree on the edges)."""
    if days_overdue <= 0:
        return "not_due"
    if days_overdue <= 30:
        return "days_1_30"
    if days_overdue <= 90:
        return "days_31_90"
    return "days_over_90"


def _bucket_conditions(as_of: date) -> dict[str, Q]:
    """Each bucket as a condition on `due_on` (days overdue = as_of − due_on)."""
    day_30, day_90 = as_of - timedelta(days=30), as_of - timedelta(days=90)
    return {
        "not_due": Q(due_on__gte=as_of),
        "days_1_30": Q(due_on__lt=as_of, due_on__gte=day_30),
        "days_31_90": Q(due_on__lt=day_30, due_on__gte=day_90),
        "days_over_90": Q(due_on__lt=day_90),
    }


def _sums(as_of: date) -> dict:
    """The four bucket sums and the overdue count; `overdue` and `total` are added from the
    buckets (the buckets part the open instalments, so the figures are the same) rather than
    summed again: each SUM over a million numeric rows costs about 0.1 s, and PostgreSQL
    computes an aggregate that appears twice once."""
    outstanding = F("amount") - F("paid")
    sums = {
        name: Sum(outstanding, filter=condition, default=Decimal(0), output_field=MONEY)
        for name, condition in _bucket_conditions(as_of).items()
    }
    sums["overdue"] = sums["days_1_30"] + sums["days_31_90"] + sums["days_over_90"]
    sums["total"] = sums["not_due"] + sums["overdue"]
    # `due_on` (never empty), not the id: the index holds it.
    sums["overdue_count"] = Count("due_on", filter=Q(due_on__lt=as_of))
    return sums


def open_instalments(user) -> QuerySet[Instalment]:
    """The instalments still owed on signed contracts of customers `user` sees."""
    return visible(Instalment.objects.filter(_open()), user)


def receivables(user, *, as_of: date, group: str = "customer") -> QuerySet:
    """One row per customer / salesperson / department with the outstanding amount in each
    bucket on `as_of`: dicts with `key` (customer id, holder id — None for the pools — or
    department id), not_due, days_1_30, days_31_90, days_over_90, overdue, total and
    overdue_count. Largest overdue first. One aggregate query (slice it for a page)."""
    column = GROUPS[group][0] if group in GROUPS else GROUPS["customer"][0]
    return (
        open_instalments(user)
        .order_by()
        .values(key=F(column))
        .annotate(**_sums(as_of))
        .order_by("-overdue", "-total", F("key").asc(nulls_last=True))
    )


def receivables_totals(user, *, as_of: date, department: Department | None = None) -> dict:
    """The totals row (the same buckets over everything `user` sees; with `department`, only
    that department and its sub-departments). One query."""
    qs = open_instalments(user)
    if department is not None:
        qs = qs.filter(customer__department__path__startswith=department.path)
    return qs.aggregate(**_sums(as_of))


def totals_of(rows: list[dict]) -> dict:
    """The totals row as the sum of every grouped row (all of them, not a page): the same
    figures as `receivables_totals` over the same scope, since each open instalment is in
    exactly one group. For the tabs with few groups (people, departments) this spares a
    second pass over the instalments."""
    totals = {name: Decimal(0) for name in (*BUCKETS, "overdue", "total")}
    totals["overdue_count"] = 0
    for row in rows:
        for name in totals:
            totals[name] += row[name]
    return totals


def with_labels(rows: list[dict], group: str) -> list[dict]:
    """The page's rows with `label` (and for customers `customer_id`): one query for the
    names of the keys on the page."""
    keys = [row["key"] for row in rows if row["key"] is not None]
    if group == "salesperson":
        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=keys)}
        pooled = _("Public pool")
    elif group == "department":
        names = dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
        pooled = _("Company pool (no department)")
    else:
        names = dict(Customer.objects.filter(pk__in=keys).values_list("pk", "name"))
        pooled = ""
    for row in rows:
        row["label"] = names.get(row["key"], "") if row["key"] is not None else pooled
        row["is_pool"] = row["key"] is None
    return rows


# --- one customer: the drill-down and the reminder letter ----------------------------------


@dataclass(frozen=True)
class OpenInstalment:
    pk: int
    contract_id: int
    contract_number: str
    seq: int
    due_on: date
    amount: Decimal
    paid: Decimal
    days_overdue: int
    last_reminded_on: date | None

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid

    @property
    def bucket(self) -> str:
        return bucket_of(self.days_overdue)

    @property
    def bucket_label(self) -> str:
        return str(BUCKET_LABELS[self.bucket])


def customer_open_instalments(
    customer: Customer, *, as_of: date, overdue_only: bool = False
) -> list[OpenInstalment]:
    """The open instalments of one customer (whom the caller has found through the scoped
    customer queryset), oldest due first, with their days overdue on `as_of`. One query."""
    qs = Instalment.objects.filter(_open(), customer=customer)
    if overdue_only:
        qs = qs.filter(due_on__lt=as_of)
    rows = qs.order_by("due_on", "contract_id", "seq").values_list(
        "pk",
        "contract_id",
        "contract__number",
        "seq",
        "due_on",
        "amount",
        "paid",
        "last_reminded_on",
    )
    return [
        OpenInstalment(
            pk=pk,
            contract_id=contract_id,
            contract_number=number,
            seq=seq,
            due_on=due_on,
            amount=amount,
            paid=paid,
            days_overdue=(as_of - due_on).days,
            last_reminded_on=reminded,
        )
        for pk, contract_id, number, seq, due_on, amount, paid, reminded in rows
    ]


def summary_of(instalments: list[OpenInstalment]) -> dict:
    return {
        "amount": sum((i.amount for i in instalments), Decimal(0)),
        "paid": sum((i.paid for i in instalments), Decimal(0)),
        "outstanding": sum((i.outstanding for i in instalments), Decimal(0)),
        "count": len(instalments),
    }


# --- the reminders' selection ----------------------------------------------------------------


def instalments_due_for_reminder(*, as_of: date) -> QuerySet[Instalment]:
    """Overdue instalments whose holder should be reminded on `as_of` (SPEC §10 电子催款单):
    unsettled and not fully paid, due before `as_of` (so the first reminder comes the day
    after the due date), and not reminded in the last `REMINDER_INTERVAL_DAYS` days. After a
    reminder on day D the next comes on D + 7; a run that missed days finds the instalment
    once, not once per missed day; a run for a day already covered (or an earlier one) finds
    nothing."""
    last_week = as_of - timedelta(days=REMINDER_INTERVAL_DAYS)
    return Instalment.objects.filter(_open(), due_on__lt=as_of, paid__lt=F("amount")).filter(
        Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=last_week)
    )
