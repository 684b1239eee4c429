"""Sales by month's collections and month-end receivables from the per-month summary
(issue 19; sales/models/summaries.py `MonthFigure`) against the live computation, on small
data: after the build and after what may happen since — collections (backdated, on the
edges of months in Asia/Shanghai, early ones before the due day) and their reversals,
contracts and reducing amendments signed after the build, customers moving to another
holder, department or pool — for every role, narrowed by department or person, month ends
and days in the middle of a month, the month under way and past years."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from customers.models import Customer, Settlement
from sales.models import Collection, Instalment, MonthFigure, SummaryState
from sales.selectors import reports
from sales.selectors.summaries import month_figures
from sales.services.contracts import collection_reverse, contract_create, contract_sign
from sales.services.summaries import month_figures_build, summaries_build
from tests.factories import register

from .test_perf_receivables import _contract, _pay
from .test_perf_receivables import world as world  # noqa: F401 (the fixture)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 30, 1, 0, tzinfo=SH)
BUILT = date(2026, 6, 17)
ROLES = ["gm", "manager_a", "manager_b", "manager_a1", "accountant_a", "sales_a", "sales_b"]
AS_OFS = [
    date(2026, 6, 17),
    date(2026, 6, 30),
    date(2026, 6, 1),
    date(2026, 7, 5),
    date(2027, 2, 3),
]


def _live(fn, **kwargs):
    states = list(SummaryState.objects.all())
    SummaryState.objects.all().delete()
    try:
        return fn(**kwargs)
    finally:
        SummaryState.objects.bulk_create(states)


def _key(report):
    return [(r.month, r.sales, r.collections, r.receivable) for r in report.rows]


def _check(org, *, as_ofs=AS_OFS, read=True) -> None:
    for role in ROLES:
        user = getattr(org, role)
        for department, person in (
            (None, None),
            (org.a, None),
            (org.a1, None),
            (org.b, None),
            (None, org.sales_a),
            (None, org.sales_b),
            (org.a, org.sales_b),
        ):
            for as_of in as_ofs:
                for year in sorted({2026, as_of.year}):
                    args = {
                        "user": user,
                        "year": year,
                        "as_of": as_of,
                        "department": department,
                        "person": person,
                    }
                    fast = reports.sales_by_month(**args)
                    live = _live(reports.sales_by_month, **args)
                    assert _key(fast) == _key(live), (role, department, person, as_of, year)
    if read:  # the summary answered (it is not the live path twice)
        assert month_figures(org.gm, year=2026, as_of=date(2026, 6, 30)) is not None


def _edges(org):
    """Collections and a contract on the edges of months, recorded after the build."""
    customer = Customer.objects.filter(holder=org.sales_a).order_by("pk").first()
    contract = _contract(
        customer,
        [(date(2026, 5, 31), 100), (date(2026, 6, 1), 200), (date(2026, 7, 31), 300)],
        actor=org.sales_a,
    )
    may, june, july = Instalment.objects.filter(contract=contract).order_by("seq")
    _pay(org.accountant_a, may, 40, date(2026, 6, 1))  # late: counted from 1 June
    _pay(org.accountant_a, june, 50, date(2026, 5, 31))  # early: counted from 1 June
    _pay(org.accountant_a, july, 60, date(2026, 6, 17))  # early, on the build's day
    _pay(org.accountant_a, may, 60, date(2026, 5, 31))  # settles May's on its due day
    return contract


def test_the_figures_equal_the_live_computation_after_the_build(world):
    month_figures_build(as_of=BUILT, now=NOW)
    assert MonthFigure.objects.filter(kind="d").exists()
    _check(world)


def test_the_figures_follow_collections_contracts_and_amendments_after_the_build(world):
    org = world
    month_figures_build(as_of=BUILT, now=NOW)
    contract = _edges(org)
    _check(org)
    # A reversal of a backdated collection.
    collection = Collection.objects.filter(contract=contract, received_on=date(2026, 5, 31))
    collection_reverse(
        actor=org.accountant_a,
        collection=collection.order_by("pk").first(),
        reason="录错",
        now=NOW + timedelta(hours=1),
    )
    # A reducing amendment: cuts the latest unpaid instalments (July's, then June's).
    amendment = contract_create(
        actor=org.sales_a,
        customer=contract.customer,
        data={"title": "减少", "settlement_method": Settlement.GOODS_FIRST},
        lines=[{"product": "实木地板", "quantity": Decimal(-1), "unit_price": Decimal(260)}],
        instalments=[],
        now=NOW,
        amends=contract,
    )
    contract_sign(actor=org.sales_a, contract=amendment, signed_at=NOW, now=NOW)
    # A new customer's contract (not in the build), with instalments due in the past.
    newcomer = register(org.sales_b, now=datetime(2025, 6, 1, 9, 0, tzinfo=SH))
    _contract(newcomer, [(date(2026, 4, 30), 33), (date(2026, 6, 20), 44)], actor=org.sales_b)
    _pay(org.accountant_b, Instalment.objects.get(amount=33), 33, date(2026, 6, 18))
    _check(org)
    # Rebuilt: the same again.
    month_figures_build(as_of=BUILT, now=NOW)
    _check(org)


def test_customers_moving_after_the_build_are_counted_where_they_are(world):
    org = world
    _edges(org)
    month_figures_build(as_of=BUILT, now=NOW)
    owing = list(
        Customer.objects.filter(pk__in=Instalment.objects.values("customer_id")).order_by("pk")
    )
    moved, pooled, back, company = owing[0], owing[1], owing[2], owing[3]
    company.holder, company.pool, company.department = None, "company", None
    company.save()
    moved.holder, moved.department = org.sales_b, org.b
    moved.save()
    pooled.holder, pooled.pool = None, "department"
    pooled.save()
    first_holder = back.holder
    back.holder, back.department = org.sales_a1, org.a1
    back.save()
    back.holder, back.department = first_holder, first_holder.staff.department
    back.save()
    _check(org)
    # A collection of a moved customer after the move: counted where it is now.
    instalment = Instalment.objects.filter(customer=moved, settled_on__isnull=True).first()
    _pay(org.accountant_b, instalment, Decimal("1.00"), date(2026, 6, 18))
    _check(org)


def test_the_month_under_way_before_the_covered_days_is_read_live(world):
    summaries_build(as_of=BUILT, now=NOW)
    assert month_figures(world.gm, year=2026, as_of=date(2026, 5, 20)) is None
    assert month_figures(world.gm, year=2026, as_of=date(2026, 5, 31)) is not None
    _check(world, as_ofs=[date(2026, 5, 20), date(2025, 7, 1)], read=False)


def test_the_page_reads_the_figures(world, login):
    month_figures_build(as_of=BUILT, now=NOW)
    live = _live(reports.sales_by_month, user=world.gm, year=2026, as_of=date(2026, 6, 30))
    MonthFigure.objects.filter(kind="r").update(amount=Decimal("0.01"))
    fast = reports.sales_by_month(user=world.gm, year=2026, as_of=date(2026, 6, 30))
    assert fast.collections != live.collections  # read from the (tampered) summary
    assert [r.receivable for r in fast.rows] == [r.receivable for r in live.rows]
