"""The report summaries (issue 19; sales/models/summaries.py) against their live twins.

Every fast read is compared with the live computation it replaces, on small data, after the
build and after what may happen since: collections (backdated ones too) and their reversals,
contracts and reducing amendments signed after the build, customers moving to another holder
or department (or to a pool), credit rows written after the build with dates in past months,
returns and transfers, and month edges in Asia/Shanghai."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from customers.models import Customer
from sales.models import (
    Collection,
    CreditPeriod,
    Instalment,
    ReceivableSnapshot,
    SalesCredit,
    SummaryState,
)
from sales.selectors import reports, yearly
from sales.selectors.receivables import receivables, receivables_totals
from sales.selectors.summaries import (
    credit_totals,
    snapshot_day,
    snapshot_receivables,
    snapshot_totals,
)
from sales.services.contracts import collection_reverse, contract_sign
from sales.services.summaries import credit_summary_build, receivables_build, summaries_build
from sales.tasks import sales_summaries
from tests.factories import register

from .test_perf_receivables import AS_OF, _contract, _day, _pay
from .test_perf_receivables import world as world  # noqa: F401 (the fixture)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 30, 1, 0, tzinfo=SH)
ROLES = ["gm", "manager_a", "manager_b", "manager_a1", "accountant_a", "sales_a", "sales_b"]
GROUPS = ["customer", "salesperson", "department"]


def _check_receivables(org) -> None:
    """Every role, every tab: the snapshot's rows (in order) and totals are the live ones."""
    for role in ROLES:
        user = getattr(org, role)
        for group in GROUPS:
            fast = snapshot_receivables(user, as_of=AS_OF, group=group)
            assert fast is not None
            assert list(fast) == list(receivables(user, as_of=AS_OF, group=group)), (role, group)
        assert snapshot_totals(user, as_of=AS_OF) == receivables_totals(user, as_of=AS_OF), role
        for department in (org.a, org.a1, org.b):
            assert snapshot_totals(user, as_of=AS_OF, department=department) == receivables_totals(
                user, as_of=AS_OF, department=department
            ), (role, department)


def test_the_snapshot_equals_the_live_ageing_after_the_build(world):
    receivables_build(as_of=AS_OF, now=NOW)
    assert snapshot_day() == AS_OF
    assert ReceivableSnapshot.objects.exists()
    _check_receivables(world)


def test_another_day_or_no_snapshot_is_read_live(world):
    assert snapshot_receivables(world.gm, as_of=AS_OF, group="customer") is None
    receivables_build(as_of=AS_OF, now=NOW)
    other = AS_OF + timedelta(days=1)
    assert snapshot_receivables(world.gm, as_of=other, group="department") is None
    assert snapshot_totals(world.gm, as_of=other) is None


def test_the_snapshot_follows_what_changes_after_the_build(world):
    org = world
    receivables_build(as_of=AS_OF, now=NOW)
    customer = Instalment.objects.filter(amount=200).get().customer
    # A collection recorded after the build (backdated a month), then reversed.
    instalment = Instalment.objects.get(customer=customer, amount=200)
    _pay(org.accountant_a, instalment, 150, _day(30))
    _check_receivables(org)
    collection = Collection.objects.get(instalment=instalment)
    collection_reverse(
        actor=org.accountant_a, collection=collection, reason="录错", now=NOW + timedelta(hours=1)
    )
    _check_receivables(org)
    # A full payment settles an instalment.
    _pay(org.accountant_a, instalment, 200, _day(1))
    _check_receivables(org)
    # A new customer's contract signed after the build (a customer not in the snapshot yet).
    newcomer = register(org.sales_b, now=datetime(2025, 6, 1, 9, 0, tzinfo=SH))
    _contract(newcomer, [(_day(100), 33), (_day(-3), 44)], actor=org.sales_b)
    _check_receivables(org)


def test_a_reducing_amendment_signed_after_the_build(world):
    org = world
    receivables_build(as_of=AS_OF, now=NOW)
    from customers.models import Settlement
    from sales.services.contracts import contract_create

    root = Instalment.objects.get(amount=300).contract
    amendment = contract_create(
        actor=org.sales_a,
        customer=root.customer,
        data={"title": "减少", "settlement_method": Settlement.GOODS_FIRST},
        lines=[{"product": "实木地板", "quantity": Decimal(-1), "unit_price": Decimal(250)}],
        instalments=[],
        now=NOW,
        amends=root,
    )
    contract_sign(
        actor=org.sales_a,
        contract=amendment,
        signed_at=NOW - timedelta(hours=2),
        now=NOW,
    )
    assert Instalment.objects.get(contract=root, amount=50).settled_on is None
    _check_receivables(org)


def test_customers_moving_after_the_build_are_counted_where_they_are(world):
    org = world
    receivables_build(as_of=AS_OF, now=NOW)
    owing = list(Customer.objects.filter(pk__in=ReceivableSnapshot.objects.values("customer")))
    moved, pooled, back, company = owing[0], owing[1], owing[2], owing[3]
    company.holder, company.pool, company.department = None, "company", None  # company pool
    company.save()
    moved.holder, moved.department = org.sales_b, org.b  # to another department
    moved.save()
    pooled.holder, pooled.pool = None, "department"  # to the department's pool
    pooled.save()
    first_holder = back.holder
    back.holder = org.sales_a1
    back.department = org.a1
    back.save()
    back.holder, back.department = first_holder, first_holder.staff.department  # and back
    back.save()
    _check_receivables(org)
    # A collection of a moved customer after the move: its row follows it.
    instalment = Instalment.objects.filter(customer=moved, settled_on__isnull=True).first()
    _pay(org.accountant_b, instalment, Decimal("1.00"), _day(0))
    _check_receivables(org)


def test_the_page_reads_the_snapshot_of_today(world, login):
    receivables_build(as_of=AS_OF, now=NOW)
    ReceivableSnapshot.objects.filter(overdue__gt=0).update(not_due=Decimal("0.01"))
    client = login(world.gm)
    with time_machine.travel(datetime(2026, 6, 30, 10, 0, tzinfo=SH), tick=False):
        page = client.get(reverse("sales:receivables"))
        other = client.get(reverse("sales:receivables"), {"as_of": "2026-06-29"})
    # The tampered snapshot shows on today's page (proof that it is read) and not on another
    # day's (live).
    assert all(row["not_due"] == Decimal("0.01") for row in page.context["rows"] if row["overdue"])
    assert not any(row["not_due"] == Decimal("0.01") for row in other.context["rows"])


# --- sales credit ----------------------------------------------------------------------------


def _credit(org, *, on, amount, user=None, department=None, kind=SalesCredit.Kind.DEAL, customer):
    return SalesCredit.objects.create(
        kind=kind,
        user=user,
        department=department,
        customer=customer,
        on_date=on,
        amount=Decimal(amount),
        created_at=NOW,
    )


@pytest.fixture
def credit(org):
    customer = register(org.sales_a, now=datetime(2025, 6, 1, 9, 0, tzinfo=SH))
    rows = [
        (date(2025, 12, 31), 100, org.sales_a, org.a, SalesCredit.Kind.DEAL),
        (date(2026, 1, 1), 200, org.sales_a, org.a, SalesCredit.Kind.CONTRACT),
        (date(2026, 5, 31), 300, org.sales_a2, org.a, SalesCredit.Kind.DEAL),
        (date(2026, 6, 1), 400, org.sales_b, org.b, SalesCredit.Kind.DEAL),
        (date(2026, 6, 15), -50, org.sales_b, org.b, SalesCredit.Kind.RETURN),
        (date(2026, 6, 16), 70, None, org.a1, SalesCredit.Kind.DEAL),  # sold from a pool
        (date(2026, 6, 20), -80, org.sales_a, org.a, SalesCredit.Kind.TRANSFER),
        (date(2026, 6, 20), 80, org.sales_b2, org.b, SalesCredit.Kind.TRANSFER),
        (date(2026, 12, 31), 90, org.sales_a1, org.a1, SalesCredit.Kind.DEAL),
    ]
    for on, amount, user, department, kind in rows:
        _credit(
            org,
            on=on,
            amount=amount,
            user=user,
            department=department,
            kind=kind,
            customer=customer,
        )
    org.customer = customer
    return org


def _after_build(org) -> None:
    """Credit written after the build: backdated into summarised months, a positive return
    row (returns count negative in the yearly totals whatever their sign), transfers."""
    customer = org.customer
    _credit(
        org, on=date(2026, 1, 31), amount=11, user=org.sales_a, department=org.a, customer=customer
    )
    _credit(
        org,
        on=date(2026, 6, 1),
        amount=12,
        user=org.sales_b,
        department=org.b,
        kind=SalesCredit.Kind.RETURN,
        customer=customer,
    )
    _credit(
        org,
        on=date(2026, 6, 30),
        amount=-13,
        user=org.sales_b,
        department=org.b,
        kind=SalesCredit.Kind.TRANSFER,
        customer=customer,
    )
    _credit(
        org,
        on=date(2026, 7, 1),
        amount=13,
        user=org.sales_a2,
        department=org.a,
        kind=SalesCredit.Kind.TRANSFER,
        customer=customer,
    )
    _credit(org, on=date(2025, 3, 3), amount=14, user=None, department=None, customer=customer)


def _live(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` with the summaries out of the way (the live computation)."""
    states = list(SummaryState.objects.all())
    SummaryState.objects.all().delete()
    try:
        return fn(*args, **kwargs)
    finally:
        SummaryState.objects.bulk_create(states)


def _ranking_key(r):
    return (
        r.total,
        [(p.rank, p.key, p.name, p.amount, p.share) for p in r.people],
        [(d.rank, d.key, d.name, d.amount, d.share) for d in r.departments],
    )


PERIODS = [
    ("month", date(2026, 6, 1)),
    ("month", date(2026, 1, 1)),
    ("month", date(2025, 12, 1)),
    ("quarter", date(2026, 4, 1)),
    ("year", date(2026, 1, 1)),
    ("year", date(2025, 1, 1)),
]


def _check_credit(org) -> None:
    for role in ROLES:
        user = getattr(org, role)
        for kind, month in PERIODS:
            period = reports.period_of(kind, month)
            for department in (None, org.a):
                fast = reports.ranking(user=user, period=period, department=department)
                live = _live(reports.ranking, user=user, period=period, department=department)
                assert _ranking_key(fast) == _ranking_key(live), (role, kind, month)
        for year in (2025, 2026):
            for department, person in ((None, None), (org.a, None), (None, org.sales_b)):
                args = {
                    "user": user,
                    "year": year,
                    "as_of": date(2026, 11, 30),
                    "department": department,
                    "person": person,
                }
                fast = reports.sales_by_month(**args)
                live = _live(reports.sales_by_month, **args)
                assert [r.sales for r in fast.rows] == [r.sales for r in live.rows], (role, year)
    settings_seconds = settings.SALES_YEARLY_CACHE_SECONDS
    assert settings_seconds == 0  # the live twin is not cached in tests
    fast = yearly.company_sales_by_year([2024, 2025, 2026])
    live = _live(yearly.company_sales_by_year, [2024, 2025, 2026])
    assert fast == live


def test_the_credit_summary_equals_the_live_sums(credit):
    credit_summary_build(now=NOW)
    assert CreditPeriod.objects.filter(grain="y").exists()
    _check_credit(credit)
    _after_build(credit)
    _check_credit(credit)
    credit_summary_build(now=NOW)  # rebuilt: the same again, with nothing above the mark
    _check_credit(credit)


def test_the_credit_summary_answers_and_reads_the_rows_since(credit):
    credit_summary_build(now=NOW)
    # Both the per-person and the per-department year rows (the company reads the latter).
    CreditPeriod.objects.filter(grain__in=["y", "Y"], start=date(2026, 1, 1)).update(amount=0)
    rows = credit_totals(None, start=date(2026, 1, 1), end=date(2026, 12, 31), keys=())
    assert rows == [(Decimal(0),)]  # read from the (tampered) summary
    _after_build(credit)
    rows = credit_totals(None, start=date(2026, 1, 1), end=date(2026, 12, 31), keys=())
    assert rows == [(Decimal(11 + 12 - 13 + 13),)]  # the rows since: every row as written


def test_days_that_are_not_whole_months_are_read_live(credit):
    credit_summary_build(now=NOW)
    assert credit_totals(None, start=date(2026, 1, 2), end=date(2026, 1, 31), keys=()) is None
    assert credit_totals(None, start=date(2026, 1, 1), end=date(2026, 1, 30), keys=()) is None


def test_month_edges_in_shanghai_follow_the_credit_date(org):
    """A contract signed at 23:30 on 31 May in Shanghai (15:30 UTC) is May's; at 00:10 on
    1 June (still 31 May in UTC) June's — in the summary as in the live sums."""
    customer = register(org.sales_a, now=datetime(2025, 6, 1, 9, 0, tzinfo=SH))
    for signed_at in (
        datetime(2026, 5, 31, 23, 30, tzinfo=SH),
        datetime(2026, 6, 1, 0, 10, tzinfo=SH),
    ):
        contract = _contract(customer, [(date(2026, 7, 1), 500)], actor=org.sales_a, signed=False)
        contract_sign(actor=org.sales_a, contract=contract, signed_at=signed_at, now=signed_at)
    credit_summary_build(now=NOW)
    may = reports.period_of("month", date(2026, 5, 1))
    june = reports.period_of("month", date(2026, 6, 1))
    assert reports.ranking(user=org.gm, period=may).total == Decimal(500)
    assert reports.ranking(user=org.gm, period=june).total == Decimal(500)
    assert _ranking_key(reports.ranking(user=org.gm, period=june)) == _ranking_key(
        _live(reports.ranking, user=org.gm, period=june)
    )


def test_the_nightly_task_builds_once_a_day(world):
    with time_machine.travel(datetime(2026, 6, 30, 0, 30, tzinfo=SH), tick=False):
        assert sales_summaries()["receivables"] > 0
        assert sales_summaries() == {}  # the later runs of the night
    assert snapshot_day() == AS_OF
    assert "sales-summaries" in settings.CELERY_BEAT_SCHEDULE
    assert summaries_build(as_of=AS_OF, now=NOW)["credit_periods"] > 0


def test_the_yearly_company_totals_read_a_fixed_number_of_queries(credit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    credit_summary_build(now=NOW)
    with CaptureQueriesContext(connection) as few:
        one = yearly.company_sales_by_year([2026])
    with CaptureQueriesContext(connection) as many:
        three = yearly.company_sales_by_year([2024, 2025, 2026])
    assert len(few.captured_queries) == len(many.captured_queries) == 3
    assert one[2026] == three[2026] == _live(yearly.company_sales_by_year, [2026])[2026]
