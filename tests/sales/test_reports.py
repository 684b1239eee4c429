"""Sales reports (SPEC §10): funnel, sales / collections / receivables by month, ranking —
figures computed by hand, scope per role, exports equal to the pages and logged, constant
query counts. Rows are built directly with the ORM (read-side tests)."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import ExportLog
from sales.defaults import stage_probabilities
from sales.models import (
    Collection,
    Contract,
    Instalment,
    Opportunity,
    SalesCredit,
    Stage,
    StageProbability,
)
from sales.selectors.reports import (
    Period,
    funnel,
    period_of,
    ranking,
    sales_by_month,
)
from tests.factories import register

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=TZ)
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
D = Decimal
_numbers = count(1)


# --- a small builder -------------------------------------------------------------------------


def opportunity(customer, stage, amount, *, close=date(2026, 6, 30), closed_on=None):
    closed_at = None
    if stage in (Stage.WON, Stage.LOST):
        closed_at = datetime.combine(closed_on or close, datetime.min.time(), tzinfo=TZ)
    return Opportunity.objects.create(
        customer=customer,
        product="集成灶",
        expected_amount=D(amount),
        expected_close=close,
        stage=stage,
        lost_reason="价格" if stage == Stage.LOST else "",
        created_by=customer.holder or customer.registered_by,
        created_at=NOW,
        stage_changed_at=NOW,
        closed_at=closed_at,
    )


def credit(user, amount, on, *, kind=SalesCredit.Kind.DEAL, customer=None, department=None):
    if department is None:
        department = user.staff.department if user else customer.department
    return SalesCredit.objects.create(
        kind=kind,
        user=user,
        department=department,
        customer=customer or _any_customer(user),
        on_date=on,
        amount=D(amount),
        created_at=NOW,
    )


_customers: dict = {}


def _any_customer(user):
    if (
        user.pk not in _customers
        or not type(_customers[user.pk]).objects.filter(pk=_customers[user.pk].pk).exists()
    ):
        _customers[user.pk] = register(user)
    return _customers[user.pk]


def contract(customer, *, signed=True, instalments=()):
    """A contract with instalments [(due_on, amount)]."""
    c = Contract.objects.create(
        customer=customer,
        number=f"HT-{next(_numbers)}",
        settlement_method="rolling",
        status=Contract.Status.SIGNED if signed else Contract.Status.DRAFT,
        total=sum((D(a) for _d, a in instalments), D(0)),
        signed_at=datetime(2026, 1, 5, 9, 0, tzinfo=TZ) if signed else None,
        credited_to=customer.holder if signed else None,
        created_by=customer.holder,
        created_at=datetime(2026, 1, 5, 9, 0, tzinfo=TZ),
    )
    rows = [
        Instalment.objects.create(
            contract=c, seq=i, due_on=due, amount=D(amount), customer=customer
        )
        for i, (due, amount) in enumerate(instalments, start=1)
    ]
    return c, rows


def collect(instalment, amount, on, *, actor):
    """A collection, keeping `paid` / `settled_on` as collection_record does."""
    row = Collection.objects.create(
        instalment=instalment,
        contract=instalment.contract,
        customer=instalment.customer,
        amount=D(amount),
        received_on=on,
        recorded_by=actor,
        recorded_at=NOW,
    )
    instalment.paid += D(amount)
    instalment.settled_on = on if instalment.paid == instalment.amount else None
    instalment.save(update_fields=["paid", "settled_on"])
    return row


# --- funnel ----------------------------------------------------------------------------------


@pytest.fixture
def funnel_world(org):
    a1 = register(org.sales_a)
    a2 = register(org.sales_a2)
    b1 = register(org.sales_b)
    opportunity(a1, Stage.CONTACT, 1000)
    opportunity(a1, Stage.PROPOSAL, 2000)
    opportunity(a2, Stage.PROPOSAL, 4000)
    opportunity(a2, Stage.NEGOTIATION, 8000)
    opportunity(a1, Stage.WON, 3000, closed_on=date(2026, 3, 1))
    opportunity(b1, Stage.NEEDS, 10000)
    opportunity(b1, Stage.LOST, 500, closed_on=date(2026, 4, 1))
    # Outside the period: expected to close next year; won last year.
    opportunity(b1, Stage.NEEDS, 99999, close=date(2027, 1, 10))
    opportunity(a1, Stage.WON, 77777, closed_on=date(2025, 12, 31))
    return org


def _cells(row):
    return {s: (c.count, c.amount, c.weighted) for s, c in row.cells.items() if c.count}


def test_funnel_counts_amounts_and_weighted_amounts_by_stage_department_and_person(funnel_world):
    org = funnel_world
    report = funnel(user=org.gm, period=YEAR)
    # Seeded probabilities: contact 10, needs 25, proposal 50, negotiation 75, won 100, lost 0.
    assert _cells(report.total) == {
        "contact": (1, D(1000), D(100)),
        "needs": (1, D(10000), D(2500)),
        "proposal": (2, D(6000), D(3000)),
        "negotiation": (1, D(8000), D(6000)),
        "won": (1, D(3000), D(3000)),
        "lost": (1, D(500), D(0)),
    }
    assert (report.total.open.count, report.total.open.amount, report.total.open.weighted) == (
        5,
        D(25000),
        D(11600),
    )
    departments = {r.label: r for r in report.departments}
    assert set(departments) == {org.a.name, org.b.name}
    assert departments[org.a.name].open.weighted == D(100 + 1000 + 2000 + 6000)
    assert departments[org.b.name].open.amount == D(10000)
    people = {r.key: r for r in report.people}
    assert _cells(people[org.sales_a.pk]) == {
        "contact": (1, D(1000), D(100)),
        "proposal": (1, D(2000), D(1000)),
        "won": (1, D(3000), D(3000)),
    }
    assert _cells(people[org.sales_a2.pk]) == {
        "proposal": (1, D(4000), D(2000)),
        "negotiation": (1, D(8000), D(6000)),
    }
    assert people[org.sales_a.pk].department == org.a.name


def test_funnel_reads_the_probabilities_the_gm_set(funnel_world):
    StageProbability.objects.filter(stage="proposal").update(probability=20)
    assert stage_probabilities()["proposal"] == 20
    report = funnel(user=funnel_world.gm, period=YEAR)
    assert report.total.cells["proposal"].weighted == D(1200)


def test_funnel_is_scoped_by_role_and_filtered(funnel_world):
    org = funnel_world
    own = funnel(user=org.sales_a, period=YEAR)
    assert [r.key for r in own.people] == [org.sales_a.pk]
    assert own.total.open.amount == D(3000)
    manager_b = funnel(user=org.manager_b, period=YEAR)
    assert [r.label for r in manager_b.departments] == [org.b.name]
    assert manager_b.total.open.amount == D(10000)
    assert funnel(user=org.manager_a, period=YEAR).total.open.amount == D(15000)
    narrowed = funnel(user=org.gm, period=YEAR, department=org.a, person=org.sales_a2)
    assert narrowed.total.open.amount == D(12000)
    months = funnel(user=org.gm, period=Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert _cells(months.total) == {"won": (1, D(3000), D(3000))}


# --- ranking ---------------------------------------------------------------------------------


@pytest.fixture
def ranked(org):
    """May 2026: sales_a 5000, sales_a2 4000 − a return of 1500, sales_b 7000; then a transfer
    of 2000 from sales_a to sales_a2 puts sales_a2 above sales_a."""
    credit(org.sales_a, 5000, date(2026, 5, 3))
    credit(org.sales_a2, 4000, date(2026, 5, 4), kind=SalesCredit.Kind.CONTRACT)
    credit(org.sales_a2, -1500, date(2026, 5, 10), kind=SalesCredit.Kind.RETURN)
    credit(org.sales_b, 7000, date(2026, 5, 5))
    credit(org.sales_b, 9999, date(2026, 4, 30))  # another month
    return org


def _table(rows):
    return [(r.rank, r.key, r.amount, r.share) for r in rows]


def test_ranking_sums_credit_with_returns_and_a_transfer_changes_the_order(ranked):
    org = ranked
    may = period_of("month", date(2026, 5, 1))
    before = ranking(user=org.gm, period=may)
    assert _table(before.people) == [
        (1, org.sales_b.pk, D(7000), D("48.3")),
        (2, org.sales_a.pk, D(5000), D("34.5")),
        (3, org.sales_a2.pk, D(2500), D("17.2")),
    ]
    # 划转销量: one sale's credit moves between two people (a pair netting to zero).
    credit(org.sales_a, -2000, date(2026, 5, 15), kind=SalesCredit.Kind.TRANSFER)
    credit(org.sales_a2, 2000, date(2026, 5, 15), kind=SalesCredit.Kind.TRANSFER)
    after = ranking(user=org.gm, period=may)
    assert _table(after.people) == [
        (1, org.sales_b.pk, D(7000), D("48.3")),
        (2, org.sales_a2.pk, D(4500), D("31.0")),
        (3, org.sales_a.pk, D(3000), D("20.7")),
    ]
    assert after.total == D(14500)
    assert [(r.rank, r.name, r.amount) for r in after.departments] == [
        (1, org.a.name, D(7500)),
        (2, org.b.name, D(7000)),
    ]


def test_ranking_scope_salesperson_sees_own_department_manager_own_departments(ranked):
    org = ranked
    may = period_of("month", date(2026, 5, 1))
    own = ranking(user=org.sales_a, period=may)
    assert {r.key for r in own.people} == {org.sales_a.pk, org.sales_a2.pk}
    assert [r.name for r in own.departments] == [org.a.name]
    manager_b = ranking(user=org.manager_b, period=may)
    assert [r.key for r in manager_b.people] == [org.sales_b.pk]
    assert [r.name for r in manager_b.departments] == [org.b.name]
    assert ranking(user=org.sales_b, period=may).total == D(7000)
    assert ranking(user=org.accountant_a, period=may).total == D(7500)
    year = ranking(user=org.gm, period=period_of("year", date(2026, 5, 1)))
    assert year.total == D(7000 + 5000 + 2500 + 9999)
    quarter = period_of("quarter", date(2026, 5, 1))
    assert (quarter.start, quarter.end) == (date(2026, 4, 1), date(2026, 6, 30))


def test_ranking_equal_amounts_share_a_rank_and_pool_sales_are_unranked(org):
    credit(org.sales_a, 100, date(2026, 5, 1))
    credit(org.sales_a2, 100, date(2026, 5, 2))
    credit(org.sales_b, 50, date(2026, 5, 2))
    credit(None, 30, date(2026, 5, 2), customer=register(org.sales_a), department=org.a)
    report = ranking(user=org.gm, period=period_of("month", date(2026, 5, 1)))
    assert [r.rank for r in report.people] == [1, 1, 3, None]
    assert report.people[-1].amount == D(30)
    assert sum(r.amount for r in report.people) == sum(r.amount for r in report.departments)


# --- sales, collections and receivables by month ---------------------------------------------


@pytest.fixture
def monthly(org):
    """sales_a: a sale of 10000 in February, a return of 3000 in April; a contract with
    instalments 4000 due 02-10 and 6000 due 04-30; 4000 collected 03-05, 2000 on 04-20 and
    4000 on 05-10 (settled). sales_b: 5000 sold in March, an instalment of 5000 due 03-31,
    never collected. A draft contract's instalment never counts."""
    customer = register(org.sales_a)
    credit(org.sales_a, 10000, date(2026, 2, 14), customer=customer)
    credit(org.sales_a, -3000, date(2026, 4, 2), kind=SalesCredit.Kind.RETURN, customer=customer)
    _c, (first, second) = contract(
        customer, instalments=[(date(2026, 2, 10), 4000), (date(2026, 4, 30), 6000)]
    )
    collect(first, 4000, date(2026, 3, 5), actor=org.accountant_a)
    collect(second, 2000, date(2026, 4, 20), actor=org.accountant_a)
    collect(second, 4000, date(2026, 5, 10), actor=org.accountant_a)
    customer_b = register(org.sales_b)
    credit(org.sales_b, 5000, date(2026, 3, 3), customer=customer_b)
    contract(customer_b, instalments=[(date(2026, 3, 31), 5000)])
    contract(customer_b, signed=False, instalments=[(date(2026, 1, 31), 700)])
    return org


def _months(report):
    return {
        r.month.month: (r.sales, r.collections, r.receivable)
        for r in report.rows
        if r.sales or r.collections or r.receivable
    }


def test_sales_collections_and_receivables_by_month(monthly):
    report = sales_by_month(user=monthly.gm, year=2026, as_of=date(2026, 5, 20))
    assert _months(report) == {
        # Feb: 4000 due 02-10, nothing paid by 02-28.
        2: (D(10000), D(0), D(4000)),
        # Mar: A's first instalment paid 03-05; B's 5000 due 03-31.
        3: (D(5000), D(4000), D(5000)),
        # Apr: the return; A's 6000 due 04-30, 2000 of it paid → 4000 + B's 5000.
        4: (D(-3000), D(2000), D(9000)),
        # May (as of 05-20): A settled 05-10.
        5: (D(0), D(4000), D(5000)),
    }
    # January has begun and nothing is due; June has not begun.
    assert report.rows[0].receivable == D(0)
    assert report.rows[5].receivable is None
    assert report.sales == D(12000)
    assert report.collections == D(10000)


def test_sales_by_month_is_scoped(monthly):
    org = monthly
    as_of = date(2026, 5, 20)
    mine = _months(sales_by_month(user=org.sales_a, year=2026, as_of=as_of))
    assert mine == {
        2: (D(10000), D(0), D(4000)),
        3: (D(0), D(4000), D(0)),
        4: (D(-3000), D(2000), D(4000)),
        5: (D(0), D(4000), D(0)),
    }
    theirs = _months(sales_by_month(user=org.manager_b, year=2026, as_of=as_of))
    assert theirs == {
        3: (D(5000), D(0), D(5000)),
        4: (D(0), D(0), D(5000)),
        5: (D(0), D(0), D(5000)),
    }
    assert _months(sales_by_month(user=org.manager_a, year=2026, as_of=as_of)) == mine
    narrowed = sales_by_month(user=org.gm, year=2026, as_of=as_of, department=org.b)
    assert _months(narrowed) == theirs
    person = sales_by_month(user=org.gm, year=2026, as_of=as_of, person=org.sales_a)
    assert _months(person) == mine


# --- pages, exports, query counts ------------------------------------------------------------


def _sheet_rows(response, index):
    book = load_workbook(BytesIO(response.content))
    return [list(row) for row in book.worksheets[index].iter_rows(values_only=True)]


def test_pages_render_with_charts_and_tabs(login, funnel_world):
    client = login(funnel_world.manager_a)
    for name, chart in (("funnel", "chart-funnel"), ("sales_by_month", "chart-by-month")):
        response = client.get(reverse(f"sales:{name}"), {"year": 2026, "start": "2026-01"})
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-testid="{chart}"' in html and "<svg" in html
        assert 'data-testid="report-tabs"' in html
        assert "<script" not in html.split("<main", 1)[-1]
    response = client.get(reverse("sales:ranking"), {"period": "year", "month": "2026-01"})
    assert response.status_code == 200


def test_funnel_export_equals_the_page_and_is_logged(login, funnel_world):
    org = funnel_world
    client = login(org.manager_a)
    query = {"start": "2026-01", "end": "2026-12"}
    page = client.get(reverse("sales:funnel"), query)
    assert page.context["report"].total.open.weighted == D(9100)
    response = client.get(reverse("sales:funnel_export"), query)
    assert response.status_code == 200
    rows = _sheet_rows(response, 0)
    by_stage = {r[0]: r[2:] for r in rows[1:]}
    assert by_stage[str(Stage.PROPOSAL.label)] == [2, 6000, 3000]
    assert sum(r[4] for r in rows[1:]) == 9100 + 3000  # open weighted + won
    log = ExportLog.objects.get()
    assert (log.actor, log.list_name, log.is_refused) == (org.manager_a, "sales_funnel", False)
    assert "period=2026" in log.filters
    # Rows of the three sheets: 6 stages; A's stages with opportunities (contact, proposal,
    # negotiation, won); sales_a's three and sales_a2's two.
    assert log.rows == 6 + 4 + 5


def test_ranking_and_by_month_exports_equal_the_pages(login, ranked, monthly):
    org = ranked
    client = login(org.gm)
    query = {"period": "month", "month": "2026-05"}
    page = client.get(reverse("sales:ranking"), query).context["report"]
    rows = _sheet_rows(client.get(reverse("sales:ranking_export"), query), 0)
    assert [(r[0], r[1], D(str(r[3]))) for r in rows[1:]] == [
        (p.rank, p.name, p.amount) for p in page.people
    ]
    page = client.get(reverse("sales:sales_by_month"), {"year": 2026}).context["report"]
    rows = _sheet_rows(client.get(reverse("sales:sales_by_month_export"), {"year": 2026}), 0)
    assert [D(str(r[1])) for r in rows[1:13]] == [r.sales for r in page.rows]
    assert [D(str(r[2])) for r in rows[1:13]] == [r.collections for r in page.rows]
    assert {e.list_name for e in ExportLog.objects.all()} == {"sales_ranking", "sales_by_month"}


def test_salesperson_cannot_narrow_to_another_department(login, ranked):
    client = login(ranked.sales_b)
    response = client.get(reverse("sales:ranking"), {"department": ranked.a.pk, "month": "2026-05"})
    assert response.status_code == 200
    assert [r.key for r in response.context["report"].people] == [ranked.sales_b.pk]
    response = client.get(reverse("sales:funnel"), {"person": ranked.sales_a.pk})
    assert response.context["report"].people == []


def test_manager_b_cannot_filter_by_department_a(login, ranked):
    client = login(ranked.manager_b)
    response = client.get(reverse("sales:ranking"), {"department": ranked.a.pk, "month": "2026-05"})
    assert response.status_code == 200
    assert 'data-testid="error"' in response.content.decode()
    assert [r.name for r in response.context["report"].departments] == [ranked.b.name]


def test_junk_filters_fall_back_to_defaults(login, org):
    client = login(org.gm)
    for name in ("funnel", "sales_by_month", "ranking"):
        for junk in (
            {"year": "99999"},
            {"month": "2026-13"},
            {"start": "x", "end": "0001-01"},
            {"period": "decade"},
            {"department": "abc"},
            {"person": "9" * 30},
        ):
            assert client.get(reverse(f"sales:{name}"), junk).status_code == 200


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


def _many(org, n):
    for i in range(n):
        customer = register(org.sales_a if i % 2 else org.sales_b)
        opportunity(customer, Stage.values[i % 6], 100 + i, closed_on=date(2026, 5, 1))
        credit(customer.holder, 100 + i, date(2026, 5, 1 + i % 20), customer=customer)
        _c, (inst,) = contract(customer, instalments=[(date(2026, 3, 1 + i % 20), 500)])
        collect(inst, 200, date(2026, 4, 1 + i % 20), actor=org.accountant_a)


@pytest.mark.parametrize("role", ["gm", "manager_a", "sales_a"])
def test_query_count_does_not_grow_with_rows(login, org, role):
    client = login(getattr(org, role))
    pages = [
        (reverse("sales:funnel"), {"start": "2026-01"}),
        (reverse("sales:sales_by_month"), {"year": 2026}),
        (reverse("sales:ranking"), {"period": "year", "month": "2026-05"}),
        (reverse("sales:ranking_export"), {"period": "year", "month": "2026-05"}),
    ]
    _many(org, 2)  # one row for each department's salesperson
    for url, params in pages:  # warm the per-process caches (settings read once)
        client.get(url, params)
    few = [_queries(client, url, params) for url, params in pages]
    _many(org, 12)
    many = [_queries(client, url, params) for url, params in pages]
    assert many == few


@pytest.mark.parametrize(
    "name",
    [
        "funnel",
        "funnel_export",
        "sales_by_month",
        "sales_by_month_export",
        "ranking",
        "ranking_export",
    ],
)
def test_anonymous_is_sent_to_login_and_a_bare_account_gets_404(client, org, name):
    assert client.get(reverse(f"sales:{name}")).status_code == 302
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse(f"sales:{name}")).status_code == 404


def test_navigation_offers_sales_reports(login, org):
    from crm.navigation import nav_for

    assert "sales_reports" in {i["key"] for i in nav_for(org.sales_a)}
    html = login(org.sales_a).get(reverse("sales:ranking")).content.decode()
    assert reverse("sales:funnel") in html
