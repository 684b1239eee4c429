"""Reading the report summaries (sales/models/summaries.py; issue 19). Every function here
answers exactly what its live twin answers (`ranking`, `sales_by_month`, `receivables`, …
compute it from the source rows, and the tests compare the two), or None when the summary
cannot (not built, a period that is not whole months, another day than the snapshot's): the
caller then computes it live.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce, ExtractMonth, ExtractYear

from customers.models import Customer

from ..models import CreditPeriod, ReceivableGroup, ReceivableSnapshot, SalesCredit, SummaryState
from .common import customer_condition, visible

CREDIT = "credit"
RECEIVABLES = "receivables"
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal(0)
BUCKETS = ("not_due", "days_1_30", "days_31_90", "days_over_90")
COLUMNS = (*BUCKETS, "overdue", "total", "overdue_count")


def net_sales(value: str = "amount"):
    """A credit row's value with a return always negative, whichever sign it was written
    with (the yearly table's net sales)."""
    return Case(
        When(kind=SalesCredit.Kind.RETURN, then=-Abs(F(value))),
        default=F(value),
        output_field=MONEY,
    )


def credit_mark():
    """A subquery: the credit summary's watermark (None when not built)."""
    return Subquery(SummaryState.objects.filter(pk=CREDIT).values("last_id")[:1])


def _state(name: str):
    return SummaryState.objects.filter(pk=name).values_list("last_id", "as_of").first()


# --- sales credit ----------------------------------------------------------------------------


def _months_of(start: date, end: date) -> tuple[str, date, date] | None:
    """The summary rows covering `start` … `end`: one year's row, or the month rows; None if
    the days are not whole months."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1 or end < start:
        return None
    if start.month == 1 and end.month == 12:  # whole years
        return CreditPeriod.Grain.YEAR, start, date(end.year, 1, 1)
    return CreditPeriod.Grain.MONTH, start, date(end.year, end.month, 1)


def credit_totals(
    condition: Q | None,
    *,
    start: date,
    end: date,
    keys: tuple[str, ...],
    net: bool = False,
    mark: int | None = None,
) -> list[tuple] | None:
    """Σ credit of the days `start` … `end` per `keys` ("user", "department", "month": the
    month's number) over the rows matching `condition` (a Q on SalesCredit's `user` /
    `department`): the summary's rows plus the credit rows written since it was built.
    `net`: the yearly table's net sales (no transfers, returns negative) instead of every
    row as written. `mark`: the summary's watermark when the caller has read it. Two
    queries (three without `mark`); None when the summary cannot answer."""
    if mark is None:
        state = _state(CREDIT)
        mark = state[0] if state else None
    shape = _months_of(start, end)
    if mark is None or shape is None:
        return None
    if "month" in keys and shape[0] == CreditPeriod.Grain.YEAR:
        shape = (CreditPeriod.Grain.MONTH, start, date(end.year, end.month, 1))
    grain, first, last = shape
    summary = CreditPeriod.objects.filter(grain=grain, start__range=(first, last))
    since = SalesCredit.objects.filter(pk__gt=mark, on_date__range=(start, end))
    if condition is not None:
        summary, since = summary.filter(condition), since.filter(condition)
    if net:
        since = since.exclude(kind=SalesCredit.Kind.TRANSFER)
    extract = {"month": ExtractMonth, "year": ExtractYear}
    summary_keys = {k: extract[k]("start") if k in extract else F(k) for k in keys}
    since_keys = {k: extract[k]("on_date") if k in extract else F(k) for k in keys}
    names = [f"k_{k}" for k in keys]
    totals: dict[tuple, Decimal] = {}
    for qs, group, value in (
        (summary, summary_keys, "sales_amount" if net else "amount"),
        (since, since_keys, net_sales() if net else F("amount")),
    ):
        if not keys:
            rows = [(qs.aggregate(t=Sum(value))["t"],)]
        else:
            rows = (
                qs.order_by()
                .values(**{f"k_{k}": e for k, e in group.items()})
                .annotate(t=Sum(value))
                .values_list(*names, "t")
            )
        for *key, total in rows:
            totals[tuple(key)] = totals.get(tuple(key), ZERO) + (total or ZERO)
    return [(*key, total) for key, total in totals.items()]


# --- receivables -----------------------------------------------------------------------------


def snapshot_day() -> date | None:
    state = _state(RECEIVABLES)
    return state[1] if state else None


def _zero_row(key) -> dict:
    return {"key": key, **dict.fromkeys(COLUMNS[:-1], ZERO), "overdue_count": 0, "customers": 0}


def _order(rows: list[dict]) -> list[dict]:
    """The live order: largest overdue, then total, then the key (the pool last)."""
    rows.sort(key=lambda r: (r["key"] is None, r["key"] or 0))
    rows.sort(key=lambda r: (-r["overdue"], -r["total"]))
    return rows


def _company_groups(group: str, history_last: int) -> list[dict]:
    """Every holder's / department's sums for a viewer who sees the whole company: the
    group sums, with the customers that moved since the build (the customers' history above
    the watermark) taken from where they were counted to where they are."""
    kind, column = ("s", "holder_id") if group == "salesperson" else ("d", "department_id")
    rows = {
        (r["key"] or None): {**r, "key": r["key"] or None}
        for r in ReceivableGroup.objects.filter(kind=kind).values("key", *COLUMNS, "customers")
    }
    history = Customer.history.model.objects.filter(pk__gt=history_last).values("id")
    moved = ReceivableSnapshot.objects.filter(customer_id__in=history).values(
        column, *COLUMNS, now=F(f"customer__{column}")
    )
    for row in moved:
        was, now = row[column], row["now"]
        if was == now:
            continue
        for key, sign in ((was, -1), (now, 1)):
            target = rows.setdefault(key, _zero_row(key))
            for name in COLUMNS:
                target[name] += sign * row[name]
            target["customers"] += sign
    return _order([r for r in rows.values() if r["customers"] > 0])


def snapshot_receivables(user, *, as_of: date, group: str):
    """`receivables()` from the snapshot when it is of `as_of`: a queryset of the same dicts
    by customer, a list by salesperson or department; None otherwise."""
    state = _state(RECEIVABLES)
    if state is None or state[1] != as_of:
        return None
    condition = customer_condition(user)
    if group in ("salesperson", "department") and condition is None:
        rows = _company_groups(group, state[0])
        for row in rows:
            del row["customers"]
        return rows
    qs = visible(ReceivableSnapshot.objects.all(), user)
    if group in ("salesperson", "department"):
        column = "customer__holder_id" if group == "salesperson" else "customer__department_id"
        sums = {name: Sum(name, default=0 if name == "overdue_count" else ZERO) for name in COLUMNS}
        grouped = qs.order_by().values(key=F(column)).annotate(**sums)
        return _order(list(grouped))
    qs = qs.values(*COLUMNS, key=F("customer_id"))
    if condition is None:  # the whole company: read in the order index's order
        return qs.order_by("-overdue", "-total", "key")
    # A department's or a person's customers: found through the customers' indexes, then
    # sorted (`overdue + 0` keeps PostgreSQL from walking the order index of every customer
    # owing, probing each: 193 → 74 ms for a department at a million customers).
    first = ExpressionWrapper(F("overdue") + Value(ZERO), output_field=MONEY)
    return qs.order_by(first.desc(), "-total", "key")


def snapshot_totals(user, *, as_of: date, department=None) -> dict | None:
    """`receivables_totals()` from the snapshot when it is of `as_of`; None otherwise."""
    state = _state(RECEIVABLES)
    if state is None or state[1] != as_of:
        return None
    sums = {
        name: Coalesce(Sum(name), Value(0 if name == "overdue_count" else ZERO)) for name in COLUMNS
    }
    if department is None and customer_condition(user) is None:
        return ReceivableGroup.objects.filter(kind="d").aggregate(**sums)
    qs = visible(ReceivableSnapshot.objects.all(), user)
    if department is not None:
        qs = qs.filter(customer__department__path__startswith=department.path)
    return qs.aggregate(**sums)
