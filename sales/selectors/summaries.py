"""Reading the report summaries (sales/models/summaries.py; issue 19). Every function here
answers exactly what its live twin answers (`ranking`, `sales_by_month`, `receivables`, …
compute it from the source rows, and the tests compare the two), or None when the summary
cannot (not built, a period that is not whole months, another day than the snapshot's): the
caller then computes it live.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce, ExtractMonth, ExtractYear, Greatest
from django.utils import timezone

from crm.calendar import SHANGHAI
from customers.models import Customer

from ..models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Collection,
    Contract,
    CreditPeriod,
    FunnelCustomer,
    FunnelFigure,
    Instalment,
    MonthCustomer,
    MonthFigure,
    Opportunity,
    ReceivableGroup,
    ReceivableSnapshot,
    SalesCredit,
    SummaryState,
)
from .common import customer_condition, visible

CREDIT = "credit"
RECEIVABLES = "receivables"
MONTHS = "months"
FUNNEL = "funnel"
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal(0)
BUCKETS = ("not_due", "days_1_30", "days_31_90", "days_over_90")
GROUPS = ("customer", "salesperson", "department")
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
    summary = CreditPeriod.objects.filter(start__range=(first, last))
    plan = None if "user" in keys else _department_plan(condition)
    if plan is None:
        summary = summary.filter(grain=grain)
        if condition is not None:
            summary = summary.filter(condition)
    else:
        # The departments' part from the per-department rows, the rest (a viewer's own
        # credit outside their departments) from the per-person rows.
        coarse, fine = plan
        per_department = (
            CreditPeriod.Grain.DEPARTMENT_MONTH
            if grain == CreditPeriod.Grain.MONTH
            else CreditPeriod.Grain.DEPARTMENT_YEAR
        )
        wanted = Q(grain=per_department) & coarse
        if fine is not None:
            wanted |= Q(grain=grain) & fine
        summary = summary.filter(wanted)
    since = SalesCredit.objects.filter(pk__gt=mark, on_date__range=(start, end))
    if condition is not None:
        since = since.filter(condition)
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


def _credit_department_only(q) -> bool:
    if isinstance(q, Q):
        return all(key.split("__")[0] in ("department", "pk") for key, _v in _leaves(q))
    return q[0].split("__")[0] in ("department", "pk")


def _department_plan(condition: Q | None) -> tuple[Q, Q | None] | None:
    """(departments' part, the rest) with condition ≡ one or the other, the first naming
    departments only (read from the per-department rows), the rest None when there is none;
    None when the condition cannot be parted so (it names people throughout)."""
    if condition is None:
        return Q(), None
    if _credit_department_only(condition):
        return condition, None
    parts = (
        list(condition.children)
        if condition.connector == Q.AND and not condition.negated
        else [condition]
    )
    narrow = [p for p in parts if _credit_department_only(p)]
    rest = [p for p in parts if not _credit_department_only(p)]
    if len(rest) != 1 or not isinstance(rest[0], Q):
        return None
    either = rest[0]
    if either.connector != Q.OR or either.negated:
        return None
    plain = [c for c in either.children if _credit_department_only(c)]
    others = [c for c in either.children if not _credit_department_only(c)]
    if not plain or not others:
        return None
    plain_q = Q(*plain, _connector=Q.OR)
    narrow_q = Q(*narrow) if narrow else Q()
    return plain_q & narrow_q, Q(*others, _connector=Q.OR) & ~plain_q & narrow_q


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


def _department_scope(condition: Q | None) -> list[int] | None:
    """The departments of a scope that names departments only (an accountant's: `department
    __in`), else None."""
    if condition is None or condition.negated or len(condition.children) != 1:
        return None
    child = condition.children[0]
    if isinstance(child, Q):
        return _department_scope(child)
    key, value = child
    if key == "department__in":
        return [_id(v) for v in value]
    if key == "department":
        return [_id(value)]
    return None


def _moved(history_last: int) -> dict:
    """The snapshot's customers that changed holder or department since their row was
    written: {customer id: (holder now, department now)} (history above the watermark)."""
    history = Customer.history.model.objects.filter(pk__gt=history_last).values("id")
    rows = ReceivableSnapshot.objects.filter(customer_id__in=history).values_list(
        "customer_id",
        "holder_id",
        "department_id",
        "customer__holder_id",
        "customer__department_id",
    )
    return {
        pk: (holder_now, department_now)
        for pk, holder, department, holder_now, department_now in rows
        if (holder, department) != (holder_now, department_now)
    }


def _departments_rows(ids: list[int], history_last: int, group: str):
    """`receivables()` for a scope of whole departments (`ids`) from the snapshot's own
    columns (the customer's holder and department when its row was written), the customers
    that moved since taken where they are now: no join with a million customers. A
    queryset by customer, a list by salesperson or department."""
    moved = _moved(history_last)
    moved_in = [pk for pk, (_h, department) in moved.items() if department in ids]
    stayed = Q(department_id__in=ids) & ~Q(customer_id__in=list(moved))
    qs = ReceivableSnapshot.objects.filter(stayed | Q(customer_id__in=moved_in))
    if group == "customer":
        first = ExpressionWrapper(F("overdue") + Value(ZERO), output_field=MONEY)
        return qs.values(*COLUMNS, key=F("customer_id")).order_by(first.desc(), "-total", "key")
    column = "holder_id" if group == "salesperson" else "department_id"
    rows = {}
    sums = {name: Sum(name, default=0 if name == "overdue_count" else ZERO) for name in COLUMNS}
    for row in (
        ReceivableSnapshot.objects.filter(stayed).order_by().values(key=F(column)).annotate(**sums)
    ):
        rows[row["key"]] = row
    for row in ReceivableSnapshot.objects.filter(customer_id__in=moved_in).values(
        "customer_id", *COLUMNS
    ):
        holder, department = moved[row["customer_id"]]
        key = holder if group == "salesperson" else department
        target = rows.setdefault(key, {"key": key, **dict.fromkeys(COLUMNS[:-1], ZERO)})
        target.setdefault("overdue_count", 0)
        for name in COLUMNS:
            target[name] += row[name]
    return _order(list(rows.values()))


def snapshot_receivables(user, *, as_of: date, group: str):
    """`receivables()` from the snapshot when it is of `as_of`: a queryset of the same dicts
    by customer, a list by salesperson or department; None otherwise."""
    state = _state(RECEIVABLES)
    if state is None or state[1] != as_of:
        return None
    condition = customer_condition(user, prefix="")
    if group in ("salesperson", "department") and condition is None:
        rows = _company_groups(group, state[0])
        for row in rows:
            del row["customers"]
        return rows
    # An accountant's departments: the snapshot's own columns (issue 19 round 3: the join
    # with the customers of 20 departments took ~200 ms a query).
    departments = _department_scope(condition)
    if departments is not None:
        return _departments_rows(departments, state[0], group if group in GROUPS else "customer")
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
    condition = customer_condition(user, prefix="")
    if department is None and condition is None:
        return ReceivableGroup.objects.filter(kind="d").aggregate(**sums)
    departments = _department_scope(condition)
    if department is None and departments is not None:
        return _departments_rows(departments, state[0], "customer").order_by().aggregate(**sums)
    qs = visible(ReceivableSnapshot.objects.all(), user)
    if department is not None:
        qs = qs.filter(customer__department__path__startswith=department.path)
    return qs.aggregate(**sums)


# --- sales by month: collections and month-end receivables ----------------------------------

# A customer condition's lookups (customer_condition(prefix=""), the reports' narrowing) as
# `MonthFigure` / `MonthCustomer` columns, where 0 stands for none.
_LOOKUPS = {
    "department": "department_id",
    "department__in": "department_id__in",
    "holder": "holder_id",
    "holder__isnull": "holder_id__isnull",
    "pk__in": "pk__in",
}
_DEPARTMENT_ONLY = {"department", "department__in", "pk__in"}


def month_key(day: date) -> date:
    return date(day.year, day.month, 1)


def _leaves(q: Q):
    for child in q.children:
        if isinstance(child, Q):
            yield from _leaves(child)
        else:
            yield child


def _translatable(q: Q | None) -> bool:
    return q is None or all(key in _LOOKUPS for key, _value in _leaves(q))


def _department_only(q) -> bool:
    if isinstance(q, Q):
        return all(key in _DEPARTMENT_ONLY for key, _value in _leaves(q))
    return q[0] in _DEPARTMENT_ONLY


def _id(value) -> int:
    value = getattr(value, "pk", value)
    return value or 0


def _column(q) -> Q:
    """A condition on Customer (`_LOOKUPS` only) on the summary's 0-coded columns."""
    if not isinstance(q, Q):
        key, value = q
        if key == "holder__isnull":
            return ~Q(holder_id=0) if not value else Q(holder_id=0)
        if key in ("department__in", "pk__in"):
            ids = [_id(v) for v in value] if key != "pk__in" else list(value)
            return Q(**{_LOOKUPS[key]: ids})
        return Q(**{_LOOKUPS[key]: _id(value)})
    children = [_column(child) for child in q.children]
    result = Q()
    for child in children:
        result = (
            child if not result else (result | child if q.connector == Q.OR else result & child)
        )
    if not children:
        result = Q()
    return ~result if q.negated else result


def _matches(q: Q | None, holder: int, department: int) -> bool:
    """`q` (a condition on Customer, `_LOOKUPS` only) for a customer of this 0-coded group."""
    if q is None:
        return True

    def leaf(key, value) -> bool:
        if key == "holder__isnull":
            return (holder == 0) == bool(value)
        if key == "pk__in":
            return False  # only ever the empty list (nobody's rows)
        if key == "department__in":
            return department in {_id(v) for v in value}
        return (holder if key == "holder" else department) == _id(value)

    results = [
        _matches(child, holder, department) if isinstance(child, Q) else leaf(*child)
        for child in q.children
    ]
    result = any(results) if q.connector == Q.OR else all(results)
    return not result if q.negated else result


def _and(*parts: Q | None) -> Q | None:
    present = [p for p in parts if p is not None]
    if not present:
        return None
    result = present[0]
    for part in present[1:]:
        result = result & part
    return result


def _figure_condition(scope: Q | None, department: Q | None, person: Q | None) -> Q:
    """Which `MonthFigure` rows hold the customers matching scope ∧ department ∧ person: the
    per-department rows where the condition names departments only (the GM: ~7,000 rows
    instead of ~500,000), per-department rows for the departments of a "departments or
    mine" scope plus the holder's rows outside them, else the per-holder rows."""
    if person is None and (scope is None or _department_only(scope)):
        both = _and(scope, department)
        return Q(by_holder=False) & (_column(both) if both is not None else Q())
    if person is None and scope.connector == Q.OR and not scope.negated:
        plain = [c for c in scope.children if _department_only(c)]
        rest = [c for c in scope.children if not _department_only(c)]
        if plain and rest:
            plain_q = Q(*plain, _connector=Q.OR)
            rest_q = Q(*rest, _connector=Q.OR)
            narrow = _column(department) if department is not None else Q()
            coarse = Q(by_holder=False) & _column(plain_q) & narrow
            fine = Q(by_holder=True) & _column(rest_q) & ~_column(plain_q) & narrow
            return coarse | fine
    return Q(by_holder=True) & _column(_and(scope, department, person))


def _moved_contributions(mark: int, covered: date) -> list[tuple]:
    """The figures of the customers that moved to another group since the build: (old
    holder, old department, new holder, new department, kind, day, amount). Two queries."""
    history = Customer.history.model.objects.filter(pk__gt=mark).values("id")
    moved = (
        MonthCustomer.objects.filter(customer_id__in=history)
        .annotate(
            now_h=Coalesce("customer__holder_id", 0), now_d=Coalesce("customer__department_id", 0)
        )
        .exclude(now_h=F("holder_id"), now_d=F("department_id"))
    )
    group = MonthCustomer.objects.filter(customer_id=OuterRef("customer_id"))
    keys = {
        "was_h": Subquery(group.values("holder_id")[:1]),
        "was_d": Subquery(group.values("department_id")[:1]),
        "now_h": Coalesce("customer__holder_id", 0),
        "now_d": Coalesce("customer__department_id", 0),
    }
    names = ("was_h", "was_d", "now_h", "now_d")
    signed = Contract.Status.SIGNED
    out: list[tuple] = []
    instalments = (
        Instalment.objects.filter(contract__status=signed, customer_id__in=moved.values("pk"))
        .order_by()
        .values(**keys, k_due=F("due_on"))
        .annotate(total=Sum("amount"))
        .values_list(*names, "k_due", "total")
    )
    for *group_key, due, total in instalments:
        out.append((*group_key, "o", month_key(due), total))
        if due >= covered:
            out.append((*group_key, "d", due, total))
    collections = (
        Collection.objects.filter(contract__status=signed, customer_id__in=moved.values("pk"))
        .order_by()
        .values(
            **keys, k_on=F("received_on"), k_counted=Greatest("received_on", "instalment__due_on")
        )
        .annotate(total=Sum("amount"))
        .values_list(*names, "k_on", "k_counted", "total")
    )
    for *group_key, received_on, counted, total in collections:
        out.append((*group_key, "r", month_key(received_on), total))
        out.append((*group_key, "o", month_key(counted), -total))
        if counted >= covered:
            out.append((*group_key, "d", counted, -total))
    return out


def month_figures(
    user, *, year: int, as_of: date, department: Q | None = None, person: Q | None = None
) -> tuple[dict, dict] | None:
    """Sales by month's collections per month number and receivable per month index (0 …
    11, the months that have begun on `as_of`) from `MonthFigure`: exactly what
    `sales_by_month` computes live (the tests compare them). `department` / `person`: the
    narrowing as conditions on Customer. None when the summary cannot answer (not built, the
    month under way before the days it covers, a condition it cannot read). Four queries."""
    state = _state(MONTHS)
    if state is None or state[1] is None:
        return None
    mark, covered = state
    scope = customer_condition(user, prefix="")
    if not all(_translatable(q) for q in (scope, department, person)):
        return None
    months = [date(year, m, 1) for m in range(1, 13)]
    ends = []
    for m in months:
        if m > as_of:
            ends.append(None)
        else:
            last = (m.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            ends.append(min(last, as_of))
    known = [(i, d) for i, d in enumerate(ends) if d is not None]
    partial = [(i, d) for i, d in known if d.day != _last_day(d)]
    if partial and month_key(partial[0][1]) < covered:
        return None
    wanted = Q(kind="r", day__range=(months[0], months[-1]))
    if known:
        wanted |= Q(kind="o", day__lte=month_key(known[-1][1]))
    if partial:
        day = partial[0][1]
        wanted |= Q(kind="d", day__range=(month_key(day), day))
    kinds = ["r", "o", "d"] if partial else ["r", "o"]
    rows = (
        MonthFigure.objects.filter(_figure_condition(scope, department, person))
        .filter(wanted, kind__in=kinds)  # an index condition: the day rows stay unread
        .order_by()
        .values_list("kind", "day")
        .annotate(total=Sum("amount"))
    )
    sums: dict = defaultdict(lambda: ZERO)
    for kind, day, total in rows:
        sums[(kind, day)] += total
    full = _and(scope, department, person)
    for was_h, was_d, now_h, now_d, kind, day, total in _moved_contributions(mark, covered):
        sign = int(_matches(full, now_h, now_d)) - int(_matches(full, was_h, was_d))
        if sign:
            sums[(kind, day)] += sign * total
    collections = {m.month: sums.get(("r", m), ZERO) for m in months}
    receivable: dict[int, Decimal] = {}
    owed = sorted((day, total) for (kind, day), total in sums.items() if kind == "o")
    for i, end in known:
        if end.day == _last_day(end):
            receivable[i] = sum((t for day, t in owed if day <= months[i]), ZERO)
        else:
            before = sum((t for day, t in owed if day < months[i]), ZERO)
            this = sum(
                (t for (kind, day), t in sums.items() if kind == "d" and months[i] <= day <= end),
                ZERO,
            )
            receivable[i] = before + this
    return collections, receivable


def _last_day(day: date) -> int:
    return ((day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day


# --- the funnel ------------------------------------------------------------------------------


def funnel_month(*, expected_close: date, closed_at: datetime | None) -> date:
    """The month an opportunity counts in (`FunnelFigure.month`): the day it was closed in
    Asia/Shanghai once won or lost, else its expected close — as the live funnel's period
    filter reads them."""
    if closed_at is not None:
        return month_key(timezone.localtime(closed_at, SHANGHAI).date())
    return month_key(expected_close)


def _aware(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def funnel_groups(
    user,
    *,
    start: date,
    end: date,
    department: Q | None = None,
    person: Q | None = None,
    people: bool = True,
) -> list[dict] | None:
    """The funnel's groups from `FunnelFigure`: exactly the rows of the live aggregate in
    `sales.selectors.reports.funnel` — dicts of stage, department_id (and holder_id with
    `people`), n, amount — for the opportunities `user` sees counting in the months `start`
    … `end`. `department` / `person`: the narrowing as conditions on Customer. None when the
    summary cannot answer (not built, days that are not whole months, a condition it cannot
    read). Three queries."""
    state = _state(FUNNEL)
    if state is None or start.day != 1 or (end + timedelta(days=1)).day != 1 or end < start:
        return None
    mark = state[0]
    scope = customer_condition(user, prefix="")
    if not all(_translatable(q) for q in (scope, department, person)):
        return None
    full = _and(scope, department, person)
    if people:  # per person: the per-holder rows
        condition = Q(by_holder=True) & (_column(full) if full is not None else Q())
    else:
        condition = _figure_condition(scope, department, person)
    keys = ("stage", "department_id", "holder_id") if people else ("stage", "department_id")
    rows = (
        FunnelFigure.objects.filter(condition, month__range=(month_key(start), month_key(end)))
        .order_by()
        .values_list(*keys)
        .annotate(n=Sum("count"), t=Sum("amount"))
    )
    sums: dict = defaultdict(lambda: [0, ZERO])
    for *key, n, total in rows:
        cell = sums[tuple(key)]
        cell[0] += n
        cell[1] += total or ZERO
    # The customers that moved since the build: their opportunities of the period, live,
    # taken from the group they were counted in to the group they are in now.
    history = Customer.history.model.objects.filter(pk__gt=mark).values("id")
    moved = (
        FunnelCustomer.objects.filter(customer_id__in=history)
        .annotate(
            now_h=Coalesce("customer__holder_id", 0), now_d=Coalesce("customer__department_id", 0)
        )
        .exclude(now_h=F("holder_id"), now_d=F("department_id"))
    )
    group = FunnelCustomer.objects.filter(customer_id=OuterRef("customer_id"))
    in_period = Q(stage__in=OPEN_STAGES, expected_close__range=(start, end)) | Q(
        stage__in=CLOSED_STAGES,
        closed_at__gte=_aware(start),
        closed_at__lt=_aware(end + timedelta(days=1)),
    )
    changes = (
        Opportunity.objects.filter(in_period, customer_id__in=moved.values("pk"))
        .order_by()
        .values_list(
            "stage",
            Subquery(group.values("holder_id")[:1]),
            Subquery(group.values("department_id")[:1]),
            Coalesce("customer__holder_id", 0),
            Coalesce("customer__department_id", 0),
        )
        .annotate(n=Count("pk"), t=Sum("expected_amount"))
    )
    for stage, was_h, was_d, now_h, now_d, n, total in changes:
        for h, d, sign in ((was_h, was_d, -1), (now_h, now_d, 1)):
            if _matches(full, h, d):
                key = (stage, d, h) if people else (stage, d)
                cell = sums[key]
                cell[0] += sign * n
                cell[1] += sign * total
    out = []
    for key, (n, total) in sums.items():
        if not n:
            continue
        row = {"stage": key[0], "department_id": key[1] or None, "n": n, "amount": total}
        if people:
            row["holder_id"] = key[2] or None
        out.append(row)
    return out
