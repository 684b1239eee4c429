"""Building and correcting the report summaries (sales/models/summaries.py; issue 19).

- `credit_summary_build`: `CreditPeriod` from every credit row up to the highest id, that id
  the watermark (reads add the rows above it).
- `receivables_build(as_of)`: the ageing of every customer owing something on `as_of`, and its
  sums per holder and per department; the customers' history watermark marks which moves
  the group sums already know.
- `receivables_refresh(customer_ids)`: called by every service that changes what is owed
  (contract_sign with its reductions, collection_record, collection_reverse) in its
  transaction: recomputes those customers' rows on the snapshot's day and moves the group
  sums by the difference.

Nightly (`sales.tasks.sales_summaries`, beat "sales-summaries" at 00:30 Asia/Shanghai) and by
`manage.py sales_summaries --as-of`.
"""

from collections import defaultdict
from datetime import date, datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, TruncMonth

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
from ..selectors.receivables import _open, _sums
from ..selectors.summaries import (
    COLUMNS,
    CREDIT,
    FUNNEL,
    MONEY,
    MONTHS,
    RECEIVABLES,
    ZERO,
    month_key,
    net_sales,
)

BATCH = 5000


def _state_for_update(name: str, *, now: datetime) -> SummaryState:
    state, _created = SummaryState.objects.get_or_create(name=name, defaults={"built_at": now})
    return SummaryState.objects.select_for_update().get(pk=state.pk)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# --- sales credit per period ---------------------------------------------------------------


@transaction.atomic
def credit_summary_build(*, now: datetime) -> int:
    """Rebuild `CreditPeriod` (months and years) from the credit rows up to the newest id.
    Returns the number of rows written."""
    state = _state_for_update(CREDIT, now=now)
    last = SalesCredit.objects.aggregate(m=Max("pk"))["m"] or 0
    CreditPeriod.objects.all().delete()
    months = (
        SalesCredit.objects.filter(pk__lte=last)
        .annotate(month=TruncMonth("on_date"))
        .order_by()
        .values_list("month", "user_id", "department_id")
        .annotate(
            s_amount=Sum("amount"),
            s_sales=Coalesce(
                Sum(net_sales(), filter=~Q(kind=SalesCredit.Kind.TRANSFER)),
                Value(ZERO),
                output_field=MONEY,
            ),
        )
    )
    years: dict = defaultdict(lambda: [ZERO, ZERO])  # years, and months and years per department
    batch: list[CreditPeriod] = []
    written = 0
    for month, user_id, department_id, amount, sales in months.iterator(chunk_size=BATCH):
        if isinstance(month, datetime):  # SQLite returns the truncation as a datetime
            month = month.date()
        batch.append(
            CreditPeriod(
                grain=CreditPeriod.Grain.MONTH,
                start=month,
                user_id=user_id,
                department_id=department_id,
                amount=amount,
                sales_amount=sales,
            )
        )
        for key in (
            (CreditPeriod.Grain.YEAR, date(month.year, 1, 1), user_id, department_id),
            (CreditPeriod.Grain.DEPARTMENT_MONTH, month, None, department_id),
            (CreditPeriod.Grain.DEPARTMENT_YEAR, date(month.year, 1, 1), None, department_id),
        ):
            total = years[key]
            total[0] += amount
            total[1] += sales
        if len(batch) >= BATCH:
            CreditPeriod.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    batch.extend(
        CreditPeriod(
            grain=grain,
            start=start,
            user_id=user_id,
            department_id=department_id,
            amount=amount,
            sales_amount=sales,
        )
        for (grain, start, user_id, department_id), (amount, sales) in years.items()
    )
    CreditPeriod.objects.bulk_create(batch, batch_size=BATCH)
    written += len(batch)
    state.last_id, state.as_of, state.built_at = last, None, now
    state.save()
    return written


# --- receivables ---------------------------------------------------------------------------


def _live_rows(as_of: date, customer_ids=None):
    """The per-customer ageing on `as_of` with the customer's holder and department now:
    (customer, holder, department, *COLUMNS) — the same sums as `receivables()`."""
    qs = Instalment.objects.filter(_open())
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=customer_ids)
    return (
        qs.order_by()
        .values("customer_id", "customer__holder_id", "customer__department_id")
        .annotate(**_sums(as_of))
        .values_list("customer_id", "customer__holder_id", "customer__department_id", *COLUMNS)
    )


def _history_last() -> int:
    history = Customer.history.model
    return history.objects.aggregate(m=Max("pk"))["m"] or 0


@transaction.atomic
def receivables_build(*, as_of: date, now: datetime) -> int:
    """Rebuild the snapshot for `as_of` and its group sums. Returns the customers owing."""
    state = _state_for_update(RECEIVABLES, now=now)
    history_last = _history_last()
    ReceivableGroup.objects.all().delete()
    ReceivableSnapshot.objects.all().delete()
    sql, params = _live_rows(as_of).query.sql_with_params()
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in ("customer_id", "holder_id", "department_id", *COLUMNS)
    )
    snapshot, groups = _table(ReceivableSnapshot), _table(ReceivableGroup)
    sums = ", ".join(f"SUM({connection.ops.quote_name(c)})" for c in COLUMNS)
    names = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {snapshot} ({columns}) {sql}", params)
        written = cursor.rowcount
        for kind, column in (("s", "holder_id"), ("d", "department_id")):
            cursor.execute(
                f"INSERT INTO {groups} (kind, {connection.ops.quote_name('key')}, {names}, "
                f"customers) SELECT %s, COALESCE({column}, 0), {sums}, COUNT(*) "
                f"FROM {snapshot} GROUP BY COALESCE({column}, 0)",
                [kind],
            )
    state.as_of, state.last_id, state.built_at = as_of, history_last, now
    state.save()
    return written


def _share_state() -> SummaryState | None:
    """The receivables' state, read under a shared lock on PostgreSQL: a rebuild (which
    locks it for update) waits for the corrections under way, and they for it."""
    if connection.vendor == "postgresql":
        rows = list(
            SummaryState.objects.raw(
                f"SELECT * FROM {_table(SummaryState)} WHERE name = %s FOR SHARE", [RECEIVABLES]
            )
        )
        return rows[0] if rows else None
    return SummaryState.objects.filter(pk=RECEIVABLES).first()


def _add(deltas: dict, key: tuple, row: dict, sign: int) -> None:
    delta = deltas.setdefault(key, dict.fromkeys((*COLUMNS, "customers"), 0))
    for name in COLUMNS:
        delta[name] += sign * row[name]
    delta["customers"] += sign


def receivables_refresh(customer_ids) -> None:
    """Recompute the snapshot rows of `customer_ids` on the snapshot's day from their
    instalments as they are now in this transaction, and move the group sums by the
    difference (the rows' holder and department become the customers' current ones). Call
    after the change, inside the service's transaction. Nothing to do without a snapshot."""
    ids = sorted({pk for pk in customer_ids if pk is not None})
    if not ids:
        return
    state = _share_state()
    if state is None or state.as_of is None:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for pk in ids:  # one correction at a time per customer, in id order
                cursor.execute("SELECT pg_advisory_xact_lock(19, %s)", [pk])
    old = {
        row["customer_id"]: row
        for row in ReceivableSnapshot.objects.filter(customer_id__in=ids).values(
            "customer_id", "holder_id", "department_id", *COLUMNS
        )
    }
    new = {}
    for customer_id, holder_id, department_id, *values in _live_rows(state.as_of, ids):
        new[customer_id] = {
            "customer_id": customer_id,
            "holder_id": holder_id,
            "department_id": department_id,
            **dict(zip(COLUMNS, values, strict=True)),
        }
    deltas: dict = {}
    for row, sign in [(r, -1) for r in old.values()] + [(r, 1) for r in new.values()]:
        _add(deltas, ("s", row["holder_id"] or 0), row, sign)
        _add(deltas, ("d", row["department_id"] or 0), row, sign)
    ReceivableSnapshot.objects.filter(customer_id__in=ids).delete()
    ReceivableSnapshot.objects.bulk_create(ReceivableSnapshot(**row) for row in new.values())
    for (kind, key), delta in sorted(deltas.items()):
        if not any(delta.values()):
            continue
        changes = {name: F(name) + value for name, value in delta.items()}
        if not ReceivableGroup.objects.filter(kind=kind, key=key).update(**changes):
            try:
                with transaction.atomic():
                    ReceivableGroup.objects.create(kind=kind, key=key, **delta)
            except IntegrityError:  # created meanwhile by another correction
                ReceivableGroup.objects.filter(kind=kind, key=key).update(**changes)


# --- sales by month: collections and month-end receivables ----------------------------------


def _insert_select(model, columns: tuple[str, ...], qs) -> int:
    sql, params = qs.query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table(model)} ({names}) {sql}", params)
        return cursor.rowcount


FIGURE_COLUMNS = ("kind", "by_holder", "day", "holder_id", "department_id", "amount")


def _figure_sources(covered: date) -> list:
    """(kind, queryset, day expression, amount sign) of every `MonthFigure` row per holder."""
    signed = Contract.Status.SIGNED
    instalments = Instalment.objects.filter(contract__status=signed)
    collections = Collection.objects.filter(contract__status=signed)
    counted = Greatest("received_on", "instalment__due_on")
    return [
        ("r", collections, TruncMonth("received_on"), 1),
        ("o", instalments, TruncMonth("due_on"), 1),
        ("o", collections, TruncMonth(counted), -1),
        ("d", instalments.filter(due_on__gte=covered), F("due_on"), 1),
        ("d", collections.annotate(k_counted=counted).filter(k_counted__gte=covered), counted, -1),
    ]


@transaction.atomic
def month_figures_build(*, as_of: date, now: datetime) -> int:
    """Rebuild `MonthFigure` and `MonthCustomer` from every signed instalment and collection;
    day rows ("d") from the month of `as_of`. Returns the rows written."""
    state = _state_for_update(MONTHS, now=now)
    history_last = _history_last()
    covered = date(as_of.year, as_of.month, 1)
    MonthFigure.objects.all().delete()
    MonthCustomer.objects.all().delete()
    owing = Instalment.objects.filter(contract__status=Contract.Status.SIGNED).values("customer_id")
    _insert_select(
        MonthCustomer,
        ("customer_id", "holder_id", "department_id"),
        Customer.objects.filter(pk__in=owing)
        .order_by()
        .values_list("pk", Coalesce("holder_id", 0), Coalesce("department_id", 0)),
    )
    written = 0
    for kind, qs, day, sign in _figure_sources(covered):
        total = Sum("amount") if sign > 0 else -Sum("amount")
        rows = (
            qs.order_by()
            .values(
                k_kind=Value(kind),
                k_by_holder=Value(True),
                k_day=day,
                k_holder=Coalesce("customer__holder_id", 0),
                k_department=Coalesce("customer__department_id", 0),
            )
            .annotate(k_amount=total)
            .values_list("k_kind", "k_by_holder", "k_day", "k_holder", "k_department", "k_amount")
        )
        written += _insert_select(MonthFigure, FIGURE_COLUMNS, rows)
    per_department = (
        MonthFigure.objects.filter(by_holder=True)
        .order_by()
        .values("kind", "day", "department_id")
        .annotate(k_by_holder=Value(False), k_holder=Value(0), k_amount=Sum("amount"))
        .values_list("kind", "k_by_holder", "day", "k_holder", "department_id", "k_amount")
    )
    written += _insert_select(MonthFigure, FIGURE_COLUMNS, per_department)
    state.as_of, state.last_id, state.built_at = covered, history_last, now
    state.save()
    return written


def _share(name: str) -> SummaryState | None:
    if connection.vendor == "postgresql":
        rows = list(
            SummaryState.objects.raw(
                f"SELECT * FROM {_table(SummaryState)} WHERE name = %s FOR SHARE", [name]
            )
        )
        return rows[0] if rows else None
    return SummaryState.objects.filter(pk=name).first()


def _customer_group(model, customer_id: int) -> tuple[int, int]:
    """(holder, department) in which the customer's figures of a summary are counted (`model`:
    `MonthCustomer` or `FunnelCustomer`): the stored group, or its group now, stored for the
    next change (0: none)."""
    group = model.objects.filter(pk=customer_id).values_list("holder_id", "department_id").first()
    if group is not None:
        return group
    holder, department = (
        Customer.objects.filter(pk=customer_id).values_list("holder_id", "department_id").get()
    )
    group = (holder or 0, department or 0)
    try:
        with transaction.atomic():
            model.objects.create(
                customer_id=customer_id, holder_id=group[0], department_id=group[1]
            )
    except IntegrityError:  # written meanwhile by another change of this customer
        group = model.objects.filter(pk=customer_id).values_list("holder_id", "department_id").get()
    return group


def month_figures_add(customer_id: int, *, received=(), owed=()) -> None:
    """Append what a change adds to the sales-by-month figures, in the service's transaction:
    `received` [(day received, amount)] — collections (reversals negative); `owed`
    [(day it counts from, amount)] — + an instalment signed at its due day, − a collection
    at the later of its day and its instalment's due day, − a reduction's cut at the
    instalment's due day (+ for a reversal). Nothing to do without the summary."""
    state = _share(MONTHS)
    if state is None or state.as_of is None:
        return
    group = _customer_group(MonthCustomer, customer_id)
    sums: dict = defaultdict(lambda: ZERO)
    for day, amount in received:
        sums[("r", month_key(day))] += amount
    for day, amount in owed:
        sums[("o", month_key(day))] += amount
        if day >= state.as_of:
            sums[("d", day)] += amount
    MonthFigure.objects.bulk_create(
        MonthFigure(
            kind=kind,
            by_holder=by_holder,
            day=day,
            holder_id=group[0] if by_holder else 0,
            department_id=group[1],
            amount=amount,
        )
        for (kind, day), amount in sorted(sums.items())
        if amount
        for by_holder in (True, False)
    )


# --- the funnel ------------------------------------------------------------------------------

FUNNEL_COLUMNS = ("by_holder", "stage", "month", "holder_id", "department_id", "count", "amount")


@transaction.atomic
def funnel_build(*, now: datetime) -> int:
    """Rebuild `FunnelFigure` and `FunnelCustomer` from every opportunity: open ones by the
    month of their expected close, won and lost ones by the month they were closed in
    (Asia/Shanghai). Returns the rows written."""
    state = _state_for_update(FUNNEL, now=now)
    history_last = _history_last()
    FunnelFigure.objects.all().delete()
    FunnelCustomer.objects.all().delete()
    _insert_select(
        FunnelCustomer,
        ("customer_id", "holder_id", "department_id"),
        Customer.objects.filter(pk__in=Opportunity.objects.values("customer_id"))
        .order_by()
        .values_list("pk", Coalesce("holder_id", 0), Coalesce("department_id", 0)),
    )
    closed_month = TruncMonth("closed_at", output_field=DateField(), tzinfo=SHANGHAI)
    written = 0
    for stages, month in (
        (OPEN_STAGES, TruncMonth("expected_close")),
        (CLOSED_STAGES, closed_month),
    ):
        rows = (
            Opportunity.objects.filter(stage__in=stages)
            .order_by()
            .values(
                k_by_holder=Value(True),
                k_stage=F("stage"),
                k_month=month,
                k_holder=Coalesce("customer__holder_id", 0),
                k_department=Coalesce("customer__department_id", 0),
            )
            .annotate(k_count=Count("pk"), k_amount=Sum("expected_amount"))
            .values_list(
                "k_by_holder",
                "k_stage",
                "k_month",
                "k_holder",
                "k_department",
                "k_count",
                "k_amount",
            )
        )
        written += _insert_select(FunnelFigure, FUNNEL_COLUMNS, rows)
    per_department = (
        FunnelFigure.objects.filter(by_holder=True)
        .order_by()
        .values("stage", "month", "department_id")
        .annotate(
            k_by_holder=Value(False),
            k_holder=Value(0),
            k_count=Sum("count"),
            k_amount=Sum("amount"),
        )
        .values_list(
            "k_by_holder", "stage", "month", "k_holder", "department_id", "k_count", "k_amount"
        )
    )
    written += _insert_select(FunnelFigure, FUNNEL_COLUMNS, per_department)
    state.as_of, state.last_id, state.built_at = None, history_last, now
    state.save()
    return written


def funnel_add(customer_id: int, changes) -> None:
    """Append what an opportunity's change does to the funnel, in the service's transaction:
    `changes` [(stage, month, count, amount)] — (+1, its amount) where it now counts, (−1,
    −its amount) where it counted before (`funnel_month`). Nothing to do without the
    summary."""
    state = _share(FUNNEL)
    if state is None:
        return
    group = _customer_group(FunnelCustomer, customer_id)
    sums: dict = defaultdict(lambda: [0, ZERO])
    for stage, month, count, amount in changes:
        total = sums[(stage, month)]
        total[0] += count
        total[1] += amount
    FunnelFigure.objects.bulk_create(
        FunnelFigure(
            by_holder=by_holder,
            stage=stage,
            month=month,
            holder_id=group[0] if by_holder else 0,
            department_id=group[1],
            count=count,
            amount=amount,
        )
        for (stage, month), (count, amount) in sorted(sums.items())
        if count or amount
        for by_holder in (True, False)
    )


def summaries_build(*, as_of: date, now: datetime) -> dict:
    """Every summary of sales: the nightly job and `manage.py sales_summaries`."""
    return {
        "credit_periods": credit_summary_build(now=now),
        "receivables": receivables_build(as_of=as_of, now=now),
        "month_figures": month_figures_build(as_of=as_of, now=now),
        "funnel": funnel_build(now=now),
    }
