"""Sales reports (SPEC §10 "Reports", §8 dashboards): the funnel by stage, sales / collections /
receivables by month, and the ranking (业绩排行) by person and by department.

Every figure is one set-based aggregate over an indexed table, whatever the number of rows:
the page costs the same few queries for ten opportunities or ten million.

Scope (SPEC §1), decided here once and used by the pages and their exports alike:
- opportunities, collections and receivables follow the customer (`sales.selectors.common`):
  a salesperson's own customers, a manager's / accountant's departments, the GM everything;
- sales credit (`SalesCredit`, the one table every sales figure reads) follows the credit: a
  salesperson sees their own credit, a manager / accountant the credit booked to their
  departments (the credited person's department when the row was written), the GM all;
- the ranking shows a salesperson their own department (names and totals only: nobody's
  customers), a manager / accountant their departments, the GM the company.

Clocks are explicit: callers pass the period and `as_of`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Department, User
from crm.selectors import departments_visible_to, staff_visible_to
from customers.rights import sees_only_own_customers

from ..defaults import stage_probabilities
from ..models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Collection,
    Contract,
    Instalment,
    Opportunity,
    SalesCredit,
    Stage,
)
from .common import visible
from .summaries import credit_totals, funnel_groups, month_figures

ZERO = Decimal("0")
CENT = Decimal("0.01")


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Days `start` … `end`, both included."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


PERIOD_KINDS = ("month", "quarter", "year")


def period_of(kind: str, month: date) -> Period:
    """The month, quarter or year that holds `month` (its first day)."""
    if kind == "year":
        return Period(date(month.year, 1, 1), date(month.year, 12, 31))
    if kind == "quarter":
        first = date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
        return Period(first, first + relativedelta(months=3) - timedelta(days=1))
    return Period(month, month + relativedelta(months=1) - timedelta(days=1))


def _aware(day: date) -> datetime:
    """Midnight starting `day` in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))


# --- scope -----------------------------------------------------------------------------------


def _own_department_id(user) -> int | None:
    staff = getattr(user, "staff", None)
    return staff.department_id if staff else None


def credit_condition(user) -> Q | None:
    """Which `SalesCredit` rows `user` reads; None: all. See the module docstring."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if sees_only_own_customers(user):
        return Q(user=user.pk)
    if user.is_superuser or user.has_perm("crm.view_department_customers"):
        return None
    # A literal id list keeps the (department, on_date) index usable (customers.selectors).
    ids = list(departments_visible_to(user).values_list("pk", flat=True))
    return Q(department__in=ids) | Q(user=user.pk)


def ranking_condition(user) -> Q | None:
    """The ranking's rows: a salesperson sees their own department's (业绩排行 of the team),
    everybody else what `credit_condition` gives them."""
    if user.is_authenticated and user.is_active and sees_only_own_customers(user):
        department_id = _own_department_id(user)
        return Q(department=department_id) if department_id else Q(user=user.pk)
    return credit_condition(user)


def _scoped(qs: QuerySet, condition: Q | None) -> QuerySet:
    return qs if condition is None else qs.filter(condition)


def report_departments(user) -> QuerySet[Department]:
    """The departments a report may be narrowed to (none for a salesperson)."""
    if sees_only_own_customers(user):
        return Department.objects.none()
    return departments_visible_to(user).order_by("path")


def report_people(user) -> QuerySet[User]:
    """The people a report may be narrowed to (none for a salesperson)."""
    if sees_only_own_customers(user):
        return User.objects.none()
    return User.objects.filter(staff__in=staff_visible_to(user)).order_by("username")


def subtree_ids(department: Department) -> list[int]:
    """The department and every department under it (one prefix match on `path`)."""
    return list(
        Department.objects.filter(path__startswith=department.path).values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class _Person:
    display_name: str
    department: str  # the person's department now ("" without one)


def _names(user_ids, department_ids) -> tuple[dict, dict]:
    """Display names of people (with their current department's name) and departments: two
    queries, whatever the number of rows. Plain values, not model instances: the ranking of
    a whole company names 10,000 people."""
    wanted = {i for i in user_ids if i}
    # Thousands of ids (the company's ranking): their id range rather than an IN list, whose
    # compiling alone costs Django ~80 ms for 10,000 ids; the rows outside `wanted` are dropped.
    users = (
        User.objects.filter(pk__range=(min(wanted), max(wanted)))
        if len(wanted) > 500
        else User.objects.filter(pk__in=wanted)
    )
    rows = users.values_list("pk", "last_name", "first_name", "username", "staff__department__name")
    people = {
        # crm.models.User.display_name: the full name, family name first, else the username.
        pk: _Person(f"{last}{first}".strip() or username, department or "")
        for pk, last, first, username, department in rows
        if pk in wanted
    }
    departments = {
        d.pk: d for d in Department.objects.filter(pk__in=[i for i in department_ids if i])
    }
    return people, departments


# --- funnel ----------------------------------------------------------------------------------


@dataclass
class FunnelCell:
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO

    def add(self, other: "FunnelCell") -> None:
        self.count += other.count
        self.amount += other.amount
        self.weighted += other.weighted


@dataclass
class FunnelRow:
    """One group (the whole scope, a department, a person): a cell per stage and the open
    stages together."""

    key: object
    label: str
    department: str = ""
    cells: dict = field(default_factory=lambda: {s: FunnelCell() for s in Stage.values})

    @property
    def open(self) -> FunnelCell:
        total = FunnelCell()
        for stage in OPEN_STAGES:
            total.add(self.cells[stage])
        return total

    def stage_cells(self) -> list[FunnelCell]:
        return [self.cells[s] for s in Stage.values]


@dataclass
class Funnel:
    stages: list  # (stage, label, probability)
    total: FunnelRow
    departments: list[FunnelRow]
    people: list[FunnelRow]
    period: Period


def _live_funnel_groups(*, user, period: Period, subtree, person, people) -> list[dict]:
    """The funnel's groups from the opportunities: one aggregate grouped by (stage,
    department[, holder]) — the twin of `funnel_groups` (tests/sales/test_funnel_figures.py)."""
    qs = visible(Opportunity.objects.all(), user).filter(
        Q(stage__in=OPEN_STAGES, expected_close__range=(period.start, period.end))
        | Q(
            stage__in=CLOSED_STAGES,
            closed_at__gte=_aware(period.start),
            closed_at__lt=_aware(period.end + timedelta(days=1)),
        )
    )
    if subtree is not None:
        qs = qs.filter(customer__department__in=subtree)
    if person is not None:
        qs = qs.filter(customer__holder=person.pk)
    keys = {"department_id": F("customer__department")}
    if people:
        keys["holder_id"] = F("customer__holder")
    return list(
        qs.order_by().values("stage", **keys).annotate(n=Count("pk"), amount=Sum("expected_amount"))
    )


def funnel(
    *, user, period: Period, department: Department | None = None, person=None, people=True
) -> Funnel:
    """销售漏斗: per stage, the count, expected amount and weighted amount (expected × the
    stage's probability) of the opportunities `user` sees (SPEC §10), for the whole scope,
    per department and per person (the owner: the customer's holder now).

    Open opportunities count when their expected close date falls in `period`; won and lost
    ones when they were closed in `period`. One aggregate query grouped by (stage,
    department, holder); the rows roll up here. With `people=False` the query groups by
    (stage, department) only and `people` stays empty: the company-wide page of the GM would
    otherwise list every salesperson (10,000 at a million customers, docs/performance.md)."""
    # The per-month summary (sales/models/summaries.py `FunnelFigure`) answers the same
    # groups from a few thousand rows; without it (or for a period of other days), live.
    subtree = subtree_ids(department) if department is not None else None
    groups = funnel_groups(
        user,
        start=period.start,
        end=period.end,
        department=Q(department__in=subtree) if subtree is not None else None,
        person=Q(holder=person.pk) if person is not None else None,
        people=people,
    )
    if groups is None:
        groups = _live_funnel_groups(
            user=user, period=period, subtree=subtree, person=person, people=people
        )
    probabilities = stage_probabilities()
    names, departments = _names(
        {g.get("holder_id") for g in groups}, {g["department_id"] for g in groups}
    )
    total = FunnelRow(key=None, label=_("Total"))
    by_department: dict = {}
    by_person: dict = {}
    for g in groups:
        amount = g["amount"] or ZERO
        weighted = (amount * probabilities.get(g["stage"], 0) / 100).quantize(CENT)
        cell = FunnelCell(g["n"], amount, weighted)
        total.cells[g["stage"]].add(cell)
        d = g["department_id"]
        if d not in by_department:
            by_department[d] = FunnelRow(
                key=d, label=departments[d].name if d in departments else _("No department")
            )
        by_department[d].cells[g["stage"]].add(cell)
        if not people:
            continue
        h = g["holder_id"]
        if h not in by_person:
            holder = names.get(h)
            by_person[h] = FunnelRow(
                key=h,
                label=holder.display_name if holder else _("In a pool (no holder)"),
                department=holder.department if holder else "",
            )
        by_person[h].cells[g["stage"]].add(cell)
    department_rows = sorted(
        by_department.values(),
        key=lambda r: departments[r.key].path if r.key in departments else "~",
    )
    person_rows = sorted(by_person.values(), key=lambda r: (r.key is None, -r.open.amount, r.label))
    stages = [(s, label, probabilities.get(s, 0)) for s, label in Stage.choices]
    return Funnel(stages, total, department_rows, person_rows, period)


# --- sales, collections and receivables by month -----------------------------------------------


@dataclass
class MonthRow:
    month: date
    sales: Decimal
    collections: Decimal
    # None for a month that has not begun on `as_of`.
    receivable: Decimal | None

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass
class ByMonth:
    year: int
    rows: list[MonthRow]
    as_of: date

    @property
    def sales(self) -> Decimal:
        return sum((r.sales for r in self.rows), ZERO)

    @property
    def collections(self) -> Decimal:
        return sum((r.collections for r in self.rows), ZERO)

    @property
    def receivable(self) -> Decimal | None:
        """Receivable at the last month that has begun."""
        known = [r.receivable for r in self.rows if r.receivable is not None]
        return known[-1] if known else None


def month_end(month: date, as_of: date) -> date | None:
    """The day a month's receivable is measured: its last day, or `as_of` for the month under
    way; None for a month that has not begun."""
    if month > as_of:
        return None
    return min(month + relativedelta(months=1) - timedelta(days=1), as_of)


def _customer_filters(qs: QuerySet, subtree, person) -> QuerySet:
    if subtree is not None:
        qs = qs.filter(customer__department__in=subtree)
    if person is not None:
        qs = qs.filter(customer__holder=person.pk)
    return qs


def credit_rows(user, *, period: Period, department=None, person=None) -> QuerySet[SalesCredit]:
    """The `SalesCredit` rows of `period` that `user` reads, narrowed to the department (its
    subtree, by the credited department) or the person credited."""
    qs = _scoped(SalesCredit.objects.all(), credit_condition(user)).filter(
        on_date__range=(period.start, period.end)
    )
    if department is not None:
        qs = qs.filter(department__in=subtree_ids(department))
    if person is not None:
        qs = qs.filter(user=person.pk)
    return qs


def _live_collections_and_receivables(user, *, months, as_of, subtree, person):
    """The collections per month number and the receivable per month index, from the
    source rows (see `sales_by_month`)."""
    year_period = Period(months[0], date(months[0].year, 12, 31))
    collected_qs = _customer_filters(
        visible(Collection.objects.all(), user), subtree, person
    ).filter(contract__status=Contract.Status.SIGNED)
    collections = dict(
        collected_qs.filter(received_on__range=(year_period.start, year_period.end))
        .order_by()
        .values_list("received_on__month")
        .annotate(total=Sum("amount"))
    )
    ends = [month_end(m, as_of) for m in months]
    known = [d for d in ends if d is not None]
    receivable: dict[int, Decimal] = {}
    if known:
        open_qs = _customer_filters(
            visible(Instalment.objects.all(), user), subtree, person
        ).filter(
            settled_on__isnull=True,
            contract__status=Contract.Status.SIGNED,
            due_on__lte=known[-1],
        )
        outstanding = open_qs.aggregate(
            **{
                f"m{i}": Sum(F("amount") - F("paid"), filter=Q(due_on__lte=d))
                for i, d in enumerate(known)
            }
        )
        later = collected_qs.filter(
            received_on__gt=known[0], instalment__due_on__lte=known[-1]
        ).aggregate(
            **{
                f"m{i}": Sum("amount", filter=Q(received_on__gt=d, instalment__due_on__lte=d))
                for i, d in enumerate(known)
            }
        )
        for i in range(len(known)):
            receivable[i] = (outstanding[f"m{i}"] or ZERO) + (later[f"m{i}"] or ZERO)
    return collections, receivable


def sales_by_month(*, user, year: int, as_of: date, department=None, person=None) -> ByMonth:
    """销售/回款/应收 by month of `year` (SPEC §10):

    - sales: the net `SalesCredit` of the month (purchase records, signed contracts and
      amendments, returns negative, credit transfers — which net to zero company-wide but move
      credit between people and departments), scoped and filtered by the credit;
    - collections: the money received (`Collection.received_on`) in the month, reversals
      negative, scoped and filtered by the customer;
    - receivable at the month's end D (the last day, or `as_of` for the month under way):
      Σ over the instalments of signed contracts due on or before D of (amount − what was
      collected on that instalment up to D). An instalment that falls due later is not yet
      receivable; a payment made early reduces only its own instalment, so the figure is never
      negative. It equals the overdue + due-today part of the ageing as it stood on D.

    Read set-based, from the current state rolled back: receivable(D) = Σ (amount − paid) of
    the still open instalments due by D (the partial open-instalment index) + Σ collections
    received after D on instalments due by D (the received_on index). One row of twelve
    filtered sums per query; five queries in all. With the per-month summary built
    (`MonthFigure`, sales/models/summaries.py) the collections and receivables are read from
    it instead, and equal these (tests/sales/test_month_figures.py)."""
    months = [date(year, m, 1) for m in range(1, 13)]
    year_period = Period(months[0], date(year, 12, 31))
    subtree = subtree_ids(department) if department is not None else None
    condition = credit_condition(user)
    for narrow in (
        Q(department__in=subtree) if subtree is not None else None,
        Q(user=person.pk) if person is not None else None,
    ):
        if narrow is not None:
            condition = narrow if condition is None else condition & narrow
    summed = credit_totals(condition, start=year_period.start, end=year_period.end, keys=("month",))
    if summed is not None:
        sales = dict(summed)
    else:
        sales = dict(
            credit_rows(user, period=year_period, department=department, person=person)
            .order_by()
            .values_list("on_date__month")
            .annotate(total=Sum("amount"))
        )
    # Collections and receivables from the per-month summary (sales/models/summaries.py
    # `MonthFigure`), else live.
    fast = month_figures(
        user,
        year=year,
        as_of=as_of,
        department=Q(department__in=subtree) if subtree is not None else None,
        person=Q(holder=person.pk) if person is not None else None,
    )
    if fast is not None:
        collections, receivable = fast
    else:
        collections, receivable = _live_collections_and_receivables(
            user, months=months, as_of=as_of, subtree=subtree, person=person
        )
    rows = [
        MonthRow(
            month=m,
            sales=sales.get(m.month) or ZERO,
            collections=collections.get(m.month) or ZERO,
            receivable=receivable.get(i),
        )
        for i, m in enumerate(months)
    ]
    return ByMonth(year=year, rows=rows, as_of=as_of)


# --- ranking ---------------------------------------------------------------------------------


@dataclass
class RankRow:
    rank: int | None
    key: object
    name: str
    department: str
    amount: Decimal
    share: Decimal | None  # percent of the table's total


@dataclass
class Ranking:
    period: Period
    people: list[RankRow]
    departments: list[RankRow]
    total: Decimal
    # The person rows there are (`people` holds the first `limit` of them and the pool line
    # when `ranking` was given a limit).
    people_total: int = -1

    def __post_init__(self):
        if self.people_total < 0:
            self.people_total = len(self.people)


def _ranked(items: list[tuple], total: Decimal) -> list[RankRow]:
    """`items` (key, name, department, amount) ordered by amount, highest first, with
    competition ranks (equal amounts share a rank: 1, 2, 2, 4)."""
    items = sorted(items, key=lambda i: (-i[3], i[1]))
    rows: list[RankRow] = []
    for position, (key, name, department, amount) in enumerate(items, start=1):
        rank = rows[-1].rank if rows and rows[-1].amount == amount else position
        share = (amount * 100 / total).quantize(Decimal("0.1")) if total else None
        rows.append(RankRow(rank, key, name, department, amount, share))
    return rows


def ranking_pairs(user, *, period: Period, department: Department | None = None) -> list:
    """The ranking's live sums: (user, department, Σ amount) of the period's credit rows
    `user` reads (the twin of the summary's `credit_totals`)."""
    qs = _scoped(SalesCredit.objects.all(), ranking_condition(user)).filter(
        on_date__range=(period.start, period.end)
    )
    if department is not None:
        qs = qs.filter(department__in=subtree_ids(department))
    return list(qs.order_by().values_list("user", "department").annotate(total=Sum("amount")))


def ranking(
    *, user, period: Period, department: Department | None = None, limit: int | None = None
) -> Ranking:
    """业绩排行 (SPEC §10): the net sales credit of `period` summed per person and per
    department — so an approved credit transfer moves a person up or down and a return
    brings them down. Share: the row's part of the table's total. Credit of a sale made while
    the customer was in a pool (credited to nobody) counts for its department and appears in
    the person table as an unranked line, so both tables add up to the same total.

    One aggregate query (per user and department) plus two for the names. `limit`: the
    person rows are the first `limit` ranked people (and the pool line) only — the same rows
    as the whole table's first ones, named and ranked without the other 10,000 (the page)."""
    condition = ranking_condition(user)
    if department is not None:
        subtree = Q(department__in=subtree_ids(department))
        condition = subtree if condition is None else condition & subtree
    # The summary per (month or year, person, department) plus the credit written since it
    # was built (sales/models/summaries.py): the year's ranking reads ~10,000 rows instead of
    # every credit row. Without it (or for days that are not whole months), live: one scan
    # of the period's rows (`credit_date_cover_idx` holds user, department and amount: read
    # from the index alone), grouped by both keys. Either way rolled up here: the pairs are
    # about as many as the people.
    pairs = credit_totals(
        condition, start=period.start, end=period.end, keys=("user", "department")
    )
    if pairs is None:
        pairs = ranking_pairs(user, period=period, department=department)
    per_user: dict = {}
    per_department: dict = {}
    for uid, did, amount in pairs:
        per_user[uid] = per_user.get(uid, ZERO) + amount
        per_department[did] = per_department.get(did, ZERO) + amount
    ranked_ids = [uid for uid in per_user if uid is not None]
    chosen = ranked_ids
    if limit is not None and len(ranked_ids) > limit:
        # The first `limit` by amount and every tie with the last of them: all that may come
        # first once ties are ordered by name, ranked as in the whole table.
        cut = sorted((per_user[uid] for uid in ranked_ids), reverse=True)[limit - 1]
        chosen = [uid for uid in ranked_ids if per_user[uid] >= cut]
    people, departments = _names(chosen, per_department.keys())
    if chosen is not ranked_ids and not all(uid in people for uid in chosen):
        people, departments = _names(ranked_ids, per_department.keys())  # never: PROTECTed
        chosen = ranked_ids
    total = sum(per_department.values(), ZERO)
    person_rows = _ranked(
        [
            (uid, people[uid].display_name, people[uid].department, per_user[uid])
            for uid in chosen
            if uid in people
        ],
        total,
    )
    people_total = len(person_rows) if chosen is ranked_ids else len(ranked_ids)
    if limit is not None:
        person_rows = person_rows[:limit]
    if per_user.get(None):
        amount = per_user[None]
        person_rows.append(
            RankRow(
                None,
                None,
                _("Sold from a pool (credited to nobody)"),
                "",
                amount,
                (amount * 100 / total).quantize(Decimal("0.1")) if total else None,
            )
        )
    department_rows = _ranked(
        [
            (
                did,
                departments[did].name if did in departments else _("No department"),
                "",
                amount,
            )
            for did, amount in per_department.items()
        ],
        total,
    )
    return Ranking(
        period,
        person_rows,
        department_rows,
        total,
        people_total + (1 if per_user.get(None) else 0),
    )
