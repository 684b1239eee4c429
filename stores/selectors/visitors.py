"""Reads of the visitor register (SPEC §12; 004 第三章 三.2): the register of a day or month,
the lines waiting for the store manager, pre-registrations, the week to reconcile and the
store's figures — 店面咨询人数, 电话咨询人数 and the four success rates of 004 三.2.C."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, QuerySet

from crm.calendar import day_start
from crm.models import Staff

from ..models import Dispatch
from ..models.visitors import PreRegistration, Visit, WeeklyReconciliation
from ..rights import is_home_consultant, may_keep_register
from .common import store_people

P = Staff.Position
CREDITED = Q(consultant__isnull=False)
STORE_VISIT = Q(kind=Visit.Kind.STORE)
FIRST_CALL = Q(kind=Visit.Kind.PHONE, is_first_inquiry=True)


def visits_of(store, *, start, end) -> QuerySet[Visit]:
    """The register lines of `store` that happened in [start, end) (aware datetimes)."""
    return (
        Visit.objects.filter(store=store, occurred_at__gte=start, occurred_at__lt=end)
        .select_related("recorded_by", "consultant")
        .order_by("-occurred_at", "-pk")
    )


def visits_to_check(store) -> QuerySet[Visit]:
    """界定客户有效性: the lines whose source the store manager must decide, oldest first."""
    return (
        Visit.objects.filter(store=store, source_status=Visit.SourceStatus.TO_CHECK)
        .select_related("recorded_by")
        .order_by("occurred_at", "pk")
    )


def count_to_check(store) -> int:
    return Visit.objects.filter(store=store, source_status=Visit.SourceStatus.TO_CHECK).count()


def preregs_visible_to(user, store) -> QuerySet[PreRegistration]:
    """A consultant sees their own notices; the customer managers, the manager and the GM
    every one of the store; anyone else none."""
    qs = PreRegistration.objects.filter(store=store).select_related("consultant", "created_by")
    if may_keep_register(user, store):
        return qs
    if is_home_consultant(user):
        return qs.filter(consultant=user)
    return qs.none()


def candidate_preregs(visit: Visit) -> list[PreRegistration]:
    """Waiting notices of the store the visitor may answer to (same phone, or same name), shown
    to the store manager deciding a mismatch."""
    match = Q(pk__in=[])
    if visit.phone:
        match |= Q(phone_key=visit.phone)
    if visit.visitor_name:
        match |= Q(name=visit.visitor_name)
    return list(
        PreRegistration.objects.filter(
            match, store_id=visit.store_id, status=PreRegistration.Status.WAITING
        ).select_related("consultant")
    )


def home_consultants(store):
    return store_people(store, P.HOME_CONSULTANT)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class WeekToReconcile:
    week_start: date
    visits: list
    dispatches: list
    signed: WeeklyReconciliation | None


def week_to_reconcile(store, *, week_start: date) -> WeekToReconcile:
    start, end = day_start(week_start), day_start(week_start + timedelta(days=7))
    return WeekToReconcile(
        week_start=week_start,
        visits=list(visits_of(store, start=start, end=end)),
        dispatches=list(
            Dispatch.objects.filter(store=store, proposed_at__gte=start, proposed_at__lt=end)
            .select_related("customer", "designer")
            .order_by("proposed_at", "pk")
        ),
        signed=WeeklyReconciliation.objects.filter(store=store, week_start=week_start)
        .select_related("market_manager", "signed_by")
        .first(),
    )


def recent_weeks(store, *, today: date, weeks: int = 8) -> list[dict]:
    """The last `weeks` ended weeks, newest first, each with its sign-off or None."""
    last = monday_of(today) - timedelta(days=7)
    starts = [last - timedelta(days=7 * i) for i in range(weeks)]
    signed = {
        r.week_start: r
        for r in WeeklyReconciliation.objects.filter(
            store=store, week_start__in=starts
        ).select_related("market_manager__staff", "signed_by")
    }
    return [{"week_start": s, "signed": signed.get(s)} for s in starts]


# --- figures (004 第三章 三.2) ---------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    n: int
    m: int

    @property
    def percent(self) -> str:
        """'—' when nothing to divide by (no visitor, no rate)."""
        return "—" if not self.m else f"{100 * self.n / self.m:.1f}%"


@dataclass
class StoreFigures:
    month_start: date
    store_visits: int  # 店面咨询人数: every store visitor of the month
    phone_inquiries: int  # 电话咨询人数: first phone inquiries of the month
    month_rate: Rate  # 当月成功率
    phone_rate: Rate  # 电话成功率
    year_rate: Rate  # 全年成功率 (1 January to the month's end)
    consultant_rate: Rate  # 家装顾问成功率
    designers: list = field(default_factory=list)


def _periods(month_start: date):
    month_start = month_start.replace(day=1)
    start = day_start(month_start)
    end = day_start(month_start + relativedelta(months=1))
    year_start = day_start(month_start.replace(month=1))
    return start, end, year_start


def store_figures(store, *, month_start: date, with_designers: bool = False) -> StoreFigures:
    """The store's month (004 三.2): 店面咨询人数 = store visits, 电话咨询人数 = first phone
    inquiries, and

    - 当月成功率 = dispatches signed in the month / store visits in the month;
    - 电话成功率 = signed in the month whose visit was a phone inquiry / first phone inquiries;
    - 全年成功率 = signed from 1 January to the month's end / (store visits + first phone
      inquiries) in the same period;
    - 家装顾问成功率 = signed in the month whose visit credited a consultant / visits crediting
      a consultant in the month.

    "Signed" is `Dispatch.signed_at` in the period, for this store. Two queries (three with
    the designers)."""
    start, end, year_start = _periods(month_start)
    in_month = Q(occurred_at__gte=start, occurred_at__lt=end)
    v = Visit.objects.filter(
        store=store, occurred_at__gte=year_start, occurred_at__lt=end
    ).aggregate(
        store_month=Count("pk", filter=in_month & STORE_VISIT),
        phone_month=Count("pk", filter=in_month & FIRST_CALL),
        credited_month=Count("pk", filter=in_month & CREDITED),
        year=Count("pk", filter=STORE_VISIT | FIRST_CALL),
    )
    signed_month = Q(signed_at__gte=start)
    d = Dispatch.objects.filter(
        store=store, signed_at__gte=year_start, signed_at__lt=end
    ).aggregate(
        month=Count("pk", filter=signed_month),
        phone=Count("pk", filter=signed_month & Q(visit__kind=Visit.Kind.PHONE)),
        credited=Count("pk", filter=signed_month & Q(visit__consultant__isnull=False)),
        year=Count("pk"),
    )
    figures = StoreFigures(
        month_start=month_start.replace(day=1),
        store_visits=v["store_month"],
        phone_inquiries=v["phone_month"],
        month_rate=Rate(d["month"], v["store_month"]),
        phone_rate=Rate(d["phone"], v["phone_month"]),
        year_rate=Rate(d["year"], v["year"]),
        consultant_rate=Rate(d["credited"], v["credited_month"]),
    )
    if with_designers:
        figures.designers = designer_figures(store, month_start=month_start)
    return figures


@dataclass
class DesignerFigures:
    designer: object
    in_hand: int  # confirmed, deposit received, not signed, not closed
    dispatched: int  # confirmed dispatches decided this month
    signed: int  # signed this month
    year_rate: Rate  # signed / confirmed dispatches, 1 January to the month's end


def designer_figures(store, *, month_start: date) -> list[DesignerFigures]:
    """Per designer of the store: orders in hand, dispatched and signed this month, and the
    conversion of the year to date. Two queries."""
    start, end, year_start = _periods(month_start)
    confirmed = ~Q(confirmed_as="")
    confirmed_year = confirmed & Q(decided_at__gte=year_start, decided_at__lt=end)
    rows = {
        r["designer"]: r
        for r in Dispatch.objects.filter(store=store)
        .values("designer")
        .annotate(
            in_hand=Count(
                "pk",
                filter=Q(
                    status=Dispatch.Status.CONFIRMED,
                    deposit_at__isnull=False,
                    signed_at__isnull=True,
                    closed_at__isnull=True,
                ),
            ),
            dispatched=Count("pk", filter=confirmed & Q(decided_at__gte=start, decided_at__lt=end)),
            signed=Count("pk", filter=Q(signed_at__gte=start, signed_at__lt=end)),
            signed_year=Count("pk", filter=Q(signed_at__gte=year_start, signed_at__lt=end)),
            confirmed_year=Count("pk", filter=confirmed_year),
        )
        .order_by()
    }
    out = []
    for designer in store_people(store, P.DESIGNER):
        r = rows.get(designer.pk, {})
        out.append(
            DesignerFigures(
                designer=designer,
                in_hand=r.get("in_hand", 0),
                dispatched=r.get("dispatched", 0),
                signed=r.get("signed", 0),
                year_rate=Rate(r.get("signed_year", 0), r.get("confirmed_year", 0)),
            )
        )
    return out


def today_count(store, *, today: date) -> int:
    """Visitors (store visits and phone inquiries) registered for `today`."""
    return Visit.objects.filter(
        store=store,
        occurred_at__gte=day_start(today),
        occurred_at__lt=day_start(today + timedelta(days=1)),
    ).count()
