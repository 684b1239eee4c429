"""Figures for the managers' and the GM's dashboards (SPEC §8). Each function is one GROUP BY
query whatever the number of departments or months, so a page's query count stays constant.

Attribution: customers count for the department they sit in; follow-ups, deals and inquiry
calls for their author's department; reclaims for the department the event names; ledger
amounts for the entry's department. The success rates (004 资料处理 2.C) are in `rates.py`."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from allocation.models import PublicNotice
from crm.calendar import SHANGHAI, day_start
from crm.models import Department, Staff
from customers.models import Customer, Deal, FollowUp, InquiryCall, OwnershipEvent, OwnershipKind
from customers.summary import Activity, activity_by_department, activity_by_month

from .models import LedgerEntry
from .rates import RateSet, recent_success_rates
from .services.scans import quota_shortfall


def _by(queryset, key: str, **aggregates) -> dict:
    return {row[key]: row for row in queryset.order_by().values(key).annotate(**aggregates)}


@dataclass
class DepartmentRow:
    department: Department
    held: int = 0
    pooled: int = 0
    followups: int = 0
    deals: int = 0
    inquiries: int = 0
    reclaimed: int = 0
    fines: Decimal = Decimal(0)
    to_confirm: int = 0
    # The four success rates, filled in by the page that shows them.
    rates: RateSet | None = None


# Up to this many departments the customers are counted on every request (an index-only read
# of the department's rows); more — the GM's whole company — are counted at most every
# DASHBOARD_COUNTS_CACHE_SECONDS (adding up a million rows takes 150–350 ms).
COUNT_LIVE_DEPARTMENTS = 20


def _customer_counts(ids: list[int]) -> dict:
    return _by(
        Customer.objects.filter(department_id__in=ids),
        "department_id",
        held=Count("pk", filter=Q(holder__isnull=False)),
        pooled=Count("pk", filter=Q(holder__isnull=True)),
    )


def _counts_key(ids: list[int]) -> str:
    return "customer-counts:" + hashlib.sha1(",".join(map(str, sorted(ids))).encode()).hexdigest()


def customer_counts(ids: list[int]) -> dict:
    """Customers held and pooled per department of `ids` (live, or a few minutes old for
    more than COUNT_LIVE_DEPARTMENTS departments; `refresh_company_counts` keeps the whole
    company's fresh in the background)."""
    seconds = settings.DASHBOARD_COUNTS_CACHE_SECONDS
    if not seconds or len(ids) <= COUNT_LIVE_DEPARTMENTS:
        return _customer_counts(ids)
    return cache.get_or_set(_counts_key(ids), lambda: _customer_counts(ids), seconds)


def refresh_company_counts() -> dict:
    """Count every department's customers now and keep them past the next refresh (beat every
    10 minutes with the company's success rates)."""
    ids = list(Department.objects.values_list("pk", flat=True))
    counts = _customer_counts(ids)
    seconds = settings.DASHBOARD_COUNTS_CACHE_SECONDS
    if seconds:
        cache.set(_counts_key(ids), counts, max(seconds, 3 * 600))
    return counts


def department_rows(departments, *, month: date) -> list[DepartmentRow]:
    """Every department of `departments` side by side for one month (5 queries in all). The
    follow-ups, deals, inquiry calls and reclaims come from the activity summary plus the rows
    written since its build (`customers.summary`; issue 19); the customers are counted live."""
    departments = list(departments)
    ids = [d.pk for d in departments]
    start, end = day_start(month), day_start(month + relativedelta(months=1))
    customers = customer_counts(ids)
    activity = activity_by_department(ids, start=start, end=end, month=month)
    ledger = _by(
        LedgerEntry.objects.filter(department_id__in=ids, month=month),
        "department_id",
        fines=Sum("amount", filter=Q(status=LedgerEntry.Status.CONFIRMED)),
        to_confirm=Count("pk", filter=Q(status=LedgerEntry.Status.PROPOSED)),
    )
    rows = []
    for d in departments:
        c = customers.get(d.pk, {})
        a = activity.get(d.pk, Activity())
        led = ledger.get(d.pk, {})
        rows.append(
            DepartmentRow(
                department=d,
                held=c.get("held", 0),
                pooled=c.get("pooled", 0),
                followups=a.followups,
                deals=a.deals,
                inquiries=a.inquiries + a.inquiry_followups,
                reclaimed=a.reclaimed,
                fines=led.get("fines") or Decimal(0),
                to_confirm=led.get("to_confirm", 0),
            )
        )
    return rows


def _department_rows_live(departments, *, month: date) -> list[DepartmentRow]:
    """`department_rows` counted straight from the source tables: the reference the tests
    compare the summary with (issue 19); not used by the pages."""
    departments = list(departments)
    ids = [d.pk for d in departments]
    start, end = day_start(month), day_start(month + relativedelta(months=1))
    customers = _by(
        Customer.objects.filter(department_id__in=ids),
        "department_id",
        held=Count("pk", filter=Q(holder__isnull=False)),
        pooled=Count("pk", filter=Q(holder__isnull=True)),
    )
    window = {"occurred_at__gte": start, "occurred_at__lt": end}
    author_dept = "author__staff__department_id"
    followups = _by(
        FollowUp.objects.filter(
            amends__isnull=True, author__staff__department_id__in=ids, **window
        ),
        author_dept,
        n=Count("pk"),
        inquiries=Count("pk", filter=Q(kind=FollowUp.Kind.INQUIRY)),
    )
    deals = _by(
        Deal.objects.filter(author__staff__department_id__in=ids, **window),
        author_dept,
        n=Count("pk"),
    )
    inquiries = _by(
        InquiryCall.objects.filter(author__staff__department_id__in=ids, **window),
        author_dept,
        n=Count("pk"),
    )
    reclaimed = _by(
        OwnershipEvent.objects.filter(
            kind__in=[OwnershipKind.RECLAIM, OwnershipKind.CONFISCATION],
            department_id__in=ids,
            at__gte=start,
            at__lt=end,
        ),
        "department_id",
        n=Count("pk"),
    )
    ledger = _by(
        LedgerEntry.objects.filter(department_id__in=ids, month=month),
        "department_id",
        fines=Sum("amount", filter=Q(status=LedgerEntry.Status.CONFIRMED)),
        to_confirm=Count("pk", filter=Q(status=LedgerEntry.Status.PROPOSED)),
    )
    rows = []
    for d in departments:
        c = customers.get(d.pk, {})
        led = ledger.get(d.pk, {})
        rows.append(
            DepartmentRow(
                department=d,
                held=c.get("held", 0),
                pooled=c.get("pooled", 0),
                followups=followups.get(d.pk, {}).get("n", 0),
                deals=deals.get(d.pk, {}).get("n", 0),
                inquiries=inquiries.get(d.pk, {}).get("n", 0)
                + followups.get(d.pk, {}).get("inquiries", 0),
                reclaimed=reclaimed.get(d.pk, {}).get("n", 0),
                fines=led.get("fines") or Decimal(0),
                to_confirm=led.get("to_confirm", 0),
            )
        )
    return rows


@dataclass
class Trend:
    labels: list[str]
    followups: list[int] = field(default_factory=list)
    deals: list[int] = field(default_factory=list)
    inquiries: list[int] = field(default_factory=list)
    reclaimed: list[int] = field(default_factory=list)
    fines: list[Decimal] = field(default_factory=list)


def monthly_trend(*, department_ids: list[int] | None, last_month: date, months: int = 12) -> Trend:
    """The trend, kept in the shared cache for DASHBOARD_TREND_CACHE_SECONDS: counting a year
    of follow-ups at a million customers takes seconds (docs/performance.md), and a trend a
    few minutes old tells the same story."""
    seconds = settings.DASHBOARD_TREND_CACHE_SECONDS
    if not seconds:
        return _monthly_trend(department_ids=department_ids, last_month=last_month, months=months)
    scope = "all" if department_ids is None else ",".join(map(str, sorted(department_ids)))
    key = "trend:" + hashlib.sha1(f"{scope}:{last_month}:{months}".encode()).hexdigest()
    return cache.get_or_set(
        key,
        lambda: _monthly_trend(department_ids=department_ids, last_month=last_month, months=months),
        seconds,
    )


def _monthly_trend(*, department_ids: list[int] | None, last_month: date, months: int) -> Trend:
    """Company (or `department_ids`) totals per month over `months` months ending with
    `last_month` (3 queries): the activity summary plus the rows since its build
    (`customers.summary`; issue 19), and the confirmed fines."""
    first = last_month - relativedelta(months=months - 1)
    months_list = [first + relativedelta(months=i) for i in range(months)]
    start, end = day_start(first), day_start(last_month + relativedelta(months=1))
    activity = activity_by_month(department_ids, first=first, last=last_month, start=start, end=end)
    ledger = LedgerEntry.objects.filter(
        status=LedgerEntry.Status.CONFIRMED, month__gte=first, month__lte=last_month
    )
    if department_ids is not None:
        ledger = ledger.filter(department_id__in=department_ids)
    fines = dict(
        ledger.order_by().values("month").annotate(s=Sum("amount")).values_list("month", "s")
    )
    per_month = [activity.get(m, Activity()) for m in months_list]
    return Trend(
        labels=[m.strftime("%Y-%m") for m in months_list],
        followups=[a.followups for a in per_month],
        deals=[a.deals for a in per_month],
        inquiries=[a.inquiries + a.inquiry_followups for a in per_month],
        reclaimed=[a.reclaimed for a in per_month],
        fines=[fines.get(m) or Decimal(0) for m in months_list],
    )


def _monthly_trend_live(
    *, department_ids: list[int] | None, last_month: date, months: int
) -> Trend:
    """`_monthly_trend` counted straight from the source tables: the tests' reference (issue
    19); not used by the pages."""
    first = last_month - relativedelta(months=months - 1)
    months_list = [first + relativedelta(months=i) for i in range(months)]
    start, end = day_start(first), day_start(last_month + relativedelta(months=1))
    scope = {} if department_ids is None else {"author__staff__department_id__in": department_ids}

    def per_month(queryset, field_name: str) -> dict[date, int]:
        rows = (
            queryset.annotate(m=TruncMonth(field_name, tzinfo=SHANGHAI))
            .order_by()
            .values("m")
            .annotate(n=Count("pk"))
        )
        return {(r["m"].date() if isinstance(r["m"], datetime) else r["m"]): r["n"] for r in rows}

    window = {"occurred_at__gte": start, "occurred_at__lt": end}
    followups = per_month(
        FollowUp.objects.filter(amends__isnull=True, **window, **scope), "occurred_at"
    )
    deals = per_month(Deal.objects.filter(**window, **scope), "occurred_at")
    inquiries = per_month(InquiryCall.objects.filter(**window, **scope), "occurred_at")
    logged = per_month(
        FollowUp.objects.filter(kind=FollowUp.Kind.INQUIRY, amends__isnull=True, **window, **scope),
        "occurred_at",
    )
    events = OwnershipEvent.objects.filter(
        kind__in=[OwnershipKind.RECLAIM, OwnershipKind.CONFISCATION], at__gte=start, at__lt=end
    )
    if department_ids is not None:
        events = events.filter(department_id__in=department_ids)
    reclaimed = per_month(events, "at")
    ledger = LedgerEntry.objects.filter(
        status=LedgerEntry.Status.CONFIRMED, month__gte=first, month__lte=last_month
    )
    if department_ids is not None:
        ledger = ledger.filter(department_id__in=department_ids)
    fines = dict(
        ledger.order_by().values("month").annotate(s=Sum("amount")).values_list("month", "s")
    )
    return Trend(
        labels=[m.strftime("%Y-%m") for m in months_list],
        followups=[followups.get(m, 0) for m in months_list],
        deals=[deals.get(m, 0) for m in months_list],
        inquiries=[inquiries.get(m, 0) + logged.get(m, 0) for m in months_list],
        reclaimed=[reclaimed.get(m, 0) for m in months_list],
        fines=[fines.get(m) or Decimal(0) for m in months_list],
    )


# The columns of the company page's totals row: each a plain sum over the departments shown.
TOTAL_KEYS = (
    "held",
    "pooled",
    "followups",
    "deals",
    "inquiries",
    "reclaimed",
    "fines",
    "to_confirm",
)


@dataclass
class CompanyOverview:
    """The figures of the company page (SPEC §8) for one month: each department's row with its
    success rates, the totals of the scope, the scope's rates and the 12-month trend."""

    rows: list[DepartmentRow]
    totals: dict
    total_rates: RateSet
    trend: Trend


def company_overview(
    departments, *, department_ids: list[int] | None, month: date
) -> CompanyOverview:
    """`departments` side by side for `month`, their sums and 004's four success rates (each
    department's and the scope's, each person counted once), and the trend of `department_ids`
    (None: the whole company). A constant number of queries whatever the departments."""
    rows = department_rows(departments.order_by("path"), month=month)
    trend = monthly_trend(department_ids=department_ids, last_month=month)
    totals = {key: sum(getattr(r, key) for r in rows) for key in TOTAL_KEYS}
    rates = recent_success_rates(month=month, department_ids=department_ids)
    for r in rows:
        r.rates = rates.for_department(r.department.pk)
    return CompanyOverview(rows=rows, totals=totals, total_rates=rates.total, trend=trend)


@dataclass
class QuotaRow:
    staff: Staff
    held: int
    missing: int


def quota_status(department_ids: list[int], *, month: date) -> list[QuotaRow]:
    """Follow-ups each salesperson still owes this month against the grade quota (3 queries)."""
    staff = list(
        Staff.objects.filter(
            role=Staff.Role.SALESPERSON,
            department_id__in=department_ids,
            status=Staff.Status.ACTIVE,
        )
        .select_related("user", "department")
        .order_by("department__path", "user__username")
    )
    users = [s.user_id for s in staff]
    held = dict(
        Customer.objects.filter(holder_id__in=users)
        .order_by()
        .values("holder_id")
        .annotate(n=Count("pk"))
        .values_list("holder_id", "n")
    )
    missing = quota_shortfall(month, month + relativedelta(months=1), holders=users)
    return [QuotaRow(s, held.get(s.user_id, 0), missing.get(s.user_id, 0)) for s in staff]


def notices_running(department_ids: list[int], *, now: datetime) -> int:
    return PublicNotice.objects.filter(department_id__in=department_ids, ends_at__gt=now).count()
