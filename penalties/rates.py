"""Success rates (成功率) as the store handbook defines them (004 资料处理 2.C; SPEC §8):

    当月成功率     = signed in the month / store visitors (到店咨询) in the month
    约见成功率     = signed in the month after a phone inquiry / phone inquirers in the month
    整年成功率     = signed in the year / distinct people who inquired in the year
    家装顾问成功率 = signed via 家装顾问 in the month / people 家装顾问 brought in the month

Every term counts people, not records (004: 征询人数, 签单总数 per customer):

- a **store visitor** is a customer with a 到店 follow-up in the period, or registered in the
  period from a store channel (`STORE_VISIT_SOURCES`: 自然客流, 咨询后来店): the registration is
  the record of that visit (a store-collected customer waits in the pool, where nobody may log
  a follow-up before it is distributed). Every visitor counts (004 "无论房屋的大小和交房时间的
  长短都应当计算").
- a **phone inquirer** is a caller with a 咨询来电 (`InquiryCall`) in the period: the customer the
  call is attached to, or the normalised number when it matches no customer yet.
- **signed** is a customer with a qualifying deal in the period (a positive amount, or a gift or
  points record a manager confirmed: the no-deal clock's test, SPEC §6), counted once however many
  deals. A signed contract (SPEC §10) will be one more query in `_signed`.
- **invalid customers (无效客户) are counted**: declaring a visitor invalid must not raise a rate.

Attribution: a record counts for the department of the person it belongs to (the visit's or
call's author, the registering person, the deal's credited holder — else its author), the same
person-based attribution as the rest of the company overview. A scope's total counts each person
once even when two departments of the scope saw them.

Each function is one statement whatever the number of departments: the ORM builds the fact rows
(department, person, side), and a hand-written outer SELECT counts distinct people per department
and for the whole scope (Django cannot aggregate over a union). A zero denominator gives no
percentage (shown "—"), never a division error.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat

from crm.calendar import day_start
from crm.models import Staff
from customers.models import Customer, Deal, FollowUp, InquiryCall, Source

# Channels whose registration is itself the record of a store visit.
STORE_VISIT_SOURCES = (Source.WALK_IN, Source.STORE)
DESIGNER_SOURCE = Source.DESIGNER

_NUMERATOR, _DENOMINATOR = 1, 0


@dataclass(frozen=True)
class Period:
    """Calendar days `start` (included) to `end` (excluded), Asia/Shanghai."""

    start: date
    end: date

    @classmethod
    def month(cls, day: date) -> "Period":
        first = day.replace(day=1)
        return cls(first, first + relativedelta(months=1))

    @classmethod
    def year_to_month_end(cls, day: date) -> "Period":
        """1 January of `day`'s year to the end of `day`'s month: 整年 as of that month."""
        return cls(day.replace(month=1, day=1), cls.month(day).end)

    def window(self, column: str) -> dict:
        return {f"{column}__gte": day_start(self.start), f"{column}__lt": day_start(self.end)}


@dataclass(frozen=True)
class Rate:
    """`signed` people over `inquired` people; `percent` is None when nobody inquired."""

    signed: int = 0
    inquired: int = 0

    @property
    def percent(self) -> float | None:
        return self.signed / self.inquired * 100 if self.inquired else None


@dataclass(frozen=True)
class RateTable:
    """One rate for a scope: its total (each person once) and each department's share."""

    total: Rate = Rate()
    by_department: dict[int, Rate] = field(default_factory=dict)

    def for_department(self, department_id: int) -> Rate:
        return self.by_department.get(department_id, Rate())


@dataclass(frozen=True)
class RateSet:
    """The four rates of one department (or of a whole scope)."""

    month: Rate
    appointment: Rate
    year: Rate
    designer: Rate


@dataclass(frozen=True)
class SuccessRates:
    month: RateTable
    appointment: RateTable
    year: RateTable
    designer: RateTable

    @property
    def total(self) -> RateSet:
        return RateSet(
            self.month.total, self.appointment.total, self.year.total, self.designer.total
        )

    def for_department(self, department_id: int) -> RateSet:
        return RateSet(
            *(
                table.for_department(department_id)
                for table in (self.month, self.appointment, self.year, self.designer)
            )
        )


@dataclass(frozen=True)
class _Scope:
    department_ids: list[int] | None
    user_id: int | None


def _scope(department_ids, user) -> _Scope:
    return _Scope(
        department_ids=None if department_ids is None else list(department_ids),
        user_id=None if user is None else user.pk,
    )


# --- fact rows --------------------------------------------------------------------------------


def _facts(queryset: QuerySet, *, side: int, department, person, who, scope, reach) -> list:
    """`queryset` annotated with its fact columns (department id, person, side), inside the
    scope.

    `reach` names the person columns (`author_id`, …) through which a row can belong to the
    scope; each gives one part, scoped on that column first — an indexed `author_id IN (the
    department's staff)` — so a department's page starts from its people instead of computing
    the company's fact columns and keeping its rows (issue 19: a deal's Coalesce(credited,
    author) department scanned every deal). The exact filter on the fact columns stays on
    every part; a row reached twice is one fact twice, which the distinct counts ignore."""
    rows = queryset.annotate(
        fact_department=department, fact_person=person, fact_who=who, fact_side=Value(side)
    )
    if scope.department_ids is not None:
        rows = rows.filter(fact_department__in=scope.department_ids)
        members = Staff.objects.filter(department_id__in=scope.department_ids).values("user_id")
        return [rows.filter(**{f"{column}__in": members}) for column in reach]
    if scope.user_id is not None:
        rows = rows.filter(fact_who=scope.user_id)
        return [rows.filter(**{column: scope.user_id}) for column in reach]
    return [rows]


def _customer(column: str = "customer_id"):
    return Cast(column, output_field=CharField())


def _author_department():
    return F("author__staff__department_id")


def _visits(period: Period, scope, *, side: int = _DENOMINATOR, **customer) -> list:
    """到店 follow-ups in the period (corrections are not new visits)."""
    visits = FollowUp.objects.filter(
        kind=FollowUp.Kind.STORE_VISIT,
        amends__isnull=True,
        **period.window("occurred_at"),
        **{f"customer__{k}": v for k, v in customer.items()},
    )
    return _facts(
        visits,
        side=side,
        department=_author_department(),
        person=_customer(),
        who=F("author_id"),
        scope=scope,
        reach=("author_id",),
    )


def _registrations(period: Period, scope, *, side: int = _DENOMINATOR, **customer) -> list:
    """Customers registered in the period, counted for the registering person."""
    registered = Customer.objects.filter(**period.window("registered_at"), **customer)
    return _facts(
        registered,
        side=side,
        department=F("registered_by__staff__department_id"),
        person=_customer("pk"),
        who=F("registered_by_id"),
        scope=scope,
        reach=("registered_by_id",),
    )


def _store_visitors(period: Period, scope) -> list:
    """到店咨询: a 到店 follow-up, or a registration from a store channel (the visit itself)."""
    return _visits(period, scope) + _registrations(period, scope, source__in=STORE_VISIT_SOURCES)


def _phone_inquirers(period: Period, scope, *, side: int = _DENOMINATOR, **customer) -> list:
    """咨询来电: the attached customer, or the number while it matches no customer."""
    calls = InquiryCall.objects.filter(
        **period.window("occurred_at"), **{f"customer__{k}": v for k, v in customer.items()}
    )
    return _facts(
        calls,
        side=side,
        department=_author_department(),
        person=Coalesce(_customer(), Concat(Value("p"), F("phone"), output_field=CharField())),
        who=F("author_id"),
        scope=scope,
        reach=("author_id",),
    )


def _signed(period: Period, scope, *, after_phone_inquiry: bool = False, **customer) -> list:
    """签单: customers with a qualifying deal in the period. Extension point: a signed contract
    (SPEC §10, a deal on its signed date) adds its own fact rows here."""
    deals = Deal.objects.filter(
        Q(amount__gt=0) | Q(confirmed_at__isnull=False),
        **period.window("occurred_at"),
        **{f"customer__{k}": v for k, v in customer.items()},
    )
    if after_phone_inquiry:
        deals = deals.filter(
            Exists(
                InquiryCall.objects.filter(
                    customer=OuterRef("customer_id"), occurred_at__lte=OuterRef("occurred_at")
                )
            )
        )
    return _facts(
        deals,
        side=_NUMERATOR,
        department=Coalesce(
            F("credited_to__staff__department_id"), F("author__staff__department_id")
        ),
        person=_customer(),
        who=Coalesce(F("credited_to_id"), F("author_id")),
        scope=scope,
        reach=("credited_to_id", "author_id"),
    )


def _count(facts: dict[str, list[QuerySet]]) -> dict[str, RateTable]:
    """Distinct people per side for each rate, per department and for the whole scope, in one
    statement: `facts` maps a rate's name to its fact querysets."""
    names = list(facts)
    parts = [
        part.annotate(fact_rate=Value(i))
        .order_by()
        .values_list("fact_rate", "fact_department", "fact_person", "fact_side")
        for i, name in enumerate(names)
        for part in facts[name]
    ]
    tables = {name: RateTable() for name in names}
    first, *rest = parts
    try:
        union_sql, params = first.union(*rest, all=True).query.sql_with_params()
    except EmptyResultSet:  # an empty department scope: nothing to count
        return tables
    signed = f"COUNT(DISTINCT CASE WHEN f.fact_side = {_NUMERATOR} THEN f.fact_person END)"
    inquired = f"COUNT(DISTINCT CASE WHEN f.fact_side = {_DENOMINATOR} THEN f.fact_person END)"
    sql = (
        f"WITH f AS ({union_sql}) "
        f"SELECT f.fact_rate, 0, f.fact_department, {signed}, {inquired} FROM f "
        "GROUP BY f.fact_rate, f.fact_department "
        f"UNION ALL SELECT f.fact_rate, 1, NULL, {signed}, {inquired} FROM f GROUP BY f.fact_rate"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    totals, by_department = {}, {name: {} for name in names}
    for rate_index, is_total, department_id, n_signed, n_inquired in rows:
        name = names[rate_index]
        rate = Rate(signed=n_signed or 0, inquired=n_inquired or 0)
        if is_total:
            totals[name] = rate
        elif department_id is not None:
            by_department[name][department_id] = rate
    return {
        name: RateTable(total=totals.get(name, Rate()), by_department=by_department[name])
        for name in names
    }


# --- the four rates ---------------------------------------------------------------------------


def _monthly_facts(period: Period, scope: _Scope) -> list[QuerySet]:
    return _signed(period, scope) + _store_visitors(period, scope)


def _appointment_facts(period: Period, scope: _Scope) -> list[QuerySet]:
    return _signed(period, scope, after_phone_inquiry=True) + _phone_inquirers(period, scope)


def _yearly_facts(period: Period, scope: _Scope) -> list[QuerySet]:
    return _signed(period, scope) + _store_visitors(period, scope) + _phone_inquirers(period, scope)


def _designer_facts(period: Period, scope: _Scope) -> list[QuerySet]:
    return (
        _signed(period, scope, source=DESIGNER_SOURCE)
        + _registrations(period, scope, source=DESIGNER_SOURCE)
        + _visits(period, scope, source=DESIGNER_SOURCE)
        + _phone_inquirers(period, scope, source=DESIGNER_SOURCE)
    )


def _one(facts: list[QuerySet]) -> RateTable:
    return _count({"rate": facts})["rate"]


def monthly_success_rate(*, period: Period, department_ids=None, user=None) -> RateTable:
    """当月成功率 = 当月签单总数 / 当月到店面征询总数 (004 资料处理 2.C): customers signed in
    `period` over store visitors in `period`. `department_ids` (None: the whole company) or
    `user` limit whose records count. One query."""
    return _one(_monthly_facts(period, _scope(department_ids, user)))


def appointment_success_rate(*, period: Period, department_ids=None, user=None) -> RateTable:
    """约见成功率 = 当月约见签单总数 / 当月电话征询总数 (004 资料处理 2.C): customers signed in
    `period` who had a 咨询来电 on or before their deal (at any earlier time) over the callers of
    `period`. One query."""
    return _one(_appointment_facts(period, _scope(department_ids, user)))


def yearly_success_rate(*, period: Period, department_ids=None, user=None) -> RateTable:
    """整年成功率 = 当年签单总个数 / 当年征询总人数 (004 资料处理 2.C): customers signed in
    `period` (give `Period.year_to_month_end`) over distinct people with a store visit or an
    inquiry call in it — a visitor who also called counts once. One query."""
    return _one(_yearly_facts(period, _scope(department_ids, user)))


def designer_success_rate(*, period: Period, department_ids=None, user=None) -> RateTable:
    """家装顾问成功率 = 当月家装顾问签单总数 / 家装顾问引入征询总人数 (004 资料处理 2.C): customers
    whose source is 家装顾问引入 signed in `period` over such customers registered (brought in),
    visiting the store or calling in `period`. One query."""
    return _one(_designer_facts(period, _scope(department_ids, user)))


def success_rates(*, month: date, department_ids=None, user=None) -> SuccessRates:
    """The four rates above for `month` (整年: 1 January to the end of `month`), in one query."""
    this_month, scope = Period.month(month), _scope(department_ids, user)
    return SuccessRates(
        **_count(
            {
                "month": _monthly_facts(this_month, scope),
                "appointment": _appointment_facts(this_month, scope),
                "year": _yearly_facts(Period.year_to_month_end(month), scope),
                "designer": _designer_facts(this_month, scope),
            }
        )
    )


def _rates_key(*, month: date, department_ids=None, user=None) -> str:
    if user is not None:
        scope = f"user:{user.pk}"
    elif department_ids is None:
        scope = "all"
    else:
        scope = ",".join(map(str, sorted(department_ids)))
    return "rates:" + hashlib.sha1(f"{scope}:{month:%Y-%m}".encode()).hexdigest()


def recent_success_rates(*, month: date, department_ids=None, user=None) -> SuccessRates:
    """`success_rates`, kept in the shared cache for DASHBOARD_RATES_CACHE_SECONDS (the
    dashboards and the company view). Counting distinct people over a month of visits, calls
    and deals and a year of inquiries reads 0.2–0.7 s for one department at a million customers
    and 15–25 s for the whole company (docs/performance.md), and distinct counts cannot be
    added up from daily summaries; a rate a few minutes old tells the manager the same. The
    whole company's current month is refreshed in the background (`refresh_company_rates`), so
    no page waits for it. 0 computes it every time (the tests)."""
    seconds = settings.DASHBOARD_RATES_CACHE_SECONDS
    if not seconds:
        return success_rates(month=month, department_ids=department_ids, user=user)
    return cache.get_or_set(
        _rates_key(month=month, department_ids=department_ids, user=user),
        lambda: success_rates(month=month, department_ids=department_ids, user=user),
        seconds,
    )


def refresh_company_rates(*, month: date) -> SuccessRates:
    """Compute the whole company's rates for `month` and keep them for the company view until
    well after the next refresh (beat every 10 minutes: `penalties.tasks.company_rates_task`)."""
    rates = success_rates(month=month)
    seconds = settings.DASHBOARD_RATES_CACHE_SECONDS
    if seconds:
        cache.set(_rates_key(month=month), rates, max(seconds, 3 * 600))
    return rates
