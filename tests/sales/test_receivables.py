"""Receivables and ageing (SPEC §10): buckets on a given day and their edges, partial
payments, settled instalments, grouping per customer / salesperson / department, scoping
(SPEC §1), the page (tabs, totals, drill-down, constant queries), the Excel export (logged,
capped) and the reminder letter (who may, print and download). Contracts are built through
`sales.services.contracts` (draft → sign → collect). Explicit dates throughout."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from constance.test import override_config
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import ExportLog, Pool, Settlement
from customers.services import ownership_transfer
from sales.models import Instalment
from sales.selectors.receivables import (
    bucket_of,
    customer_open_instalments,
    receivables,
    receivables_totals,
    with_labels,
)
from sales.services.contracts import collection_record, contract_create, contract_sign
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 6, 2, 10, 0, tzinfo=SH)  # contracts drafted and signed well before
AS_OF = date(2026, 6, 30)
VIEW_NOW = datetime(2026, 6, 30, 10, 0, tzinfo=SH)  # "today" of the views = AS_OF


# --- a small builder on the real services ------------------------------------------------


def customer_of(holder, **kw):
    return register(holder, now=datetime(2025, 6, 1, 9, 0, tzinfo=SH), **kw)


def contract_for(customer, plan, *, actor, signed: bool = True):
    """A contract of `customer` whose collection plan is `plan`: (due_on, amount) pairs."""
    total = sum((Decimal(amount) for _due, amount in plan), Decimal(0))
    contract = contract_create(
        actor=actor,
        customer=customer,
        data={"title": "地板采购合同", "settlement_method": Settlement.GOODS_FIRST},
        lines=[{"product": "实木地板", "quantity": Decimal(1), "unit_price": total}],
        instalments=[{"due_on": due, "amount": Decimal(amount)} for due, amount in plan],
        now=T0,
    )
    if signed:
        contract = contract_sign(actor=actor, contract=contract, signed_at=T0, now=T0)
    return contract


def instalments_of(contract) -> list[Instalment]:
    return list(Instalment.objects.filter(contract=contract).order_by("seq"))


def pay(actor, instalment, amount, on: date):
    return collection_record(
        actor=actor,
        instalment=instalment,
        amount=Decimal(amount),
        received_on=on,
        now=datetime(on.year, on.month, on.day, 18, 0, tzinfo=SH),
    )


def days_before(n: int) -> date:
    return AS_OF - timedelta(days=n)


def row_of(rows, key):
    found = [r for r in rows if r["key"] == key]
    assert len(found) == 1, rows
    return found[0]


# --- buckets ------------------------------------------------------------------------------


def test_bucket_edges_on_a_given_day(org):
    c = customer_of(org.sales_a)
    # One instalment per edge, each with its own amount so the sums say which went where.
    contract_for(
        c,
        [
            (days_before(-10), 1),  # due in 10 days: not yet due
            (days_before(0), 2),  # due today: not yet due
            (days_before(1), 4),  # due yesterday: 1 day overdue
            (days_before(30), 8),  # 30 days: still 1–30
            (days_before(31), 16),  # 31 days: 31–90
            (days_before(90), 32),  # 90 days: still 31–90
            (days_before(91), 64),  # 91 days: over 90
        ],
        actor=org.sales_a,
    )
    row = row_of(list(receivables(org.gm, as_of=AS_OF)), c.pk)
    assert row["not_due"] == Decimal(3)
    assert row["days_1_30"] == Decimal(12)
    assert row["days_31_90"] == Decimal(48)
    assert row["days_over_90"] == Decimal(64)
    assert row["overdue"] == Decimal(124)
    assert row["total"] == Decimal(127)
    assert row["overdue_count"] == 5


def test_sql_buckets_agree_with_the_python_twin_on_a_grid_of_days(org):
    c = customer_of(org.sales_a)
    offsets = [-3, -1, 0, 1, 2, 29, 30, 31, 32, 89, 90, 91, 92, 200]
    contract_for(c, [(days_before(n), 1) for n in offsets], actor=org.sales_a)
    row = row_of(list(receivables(org.gm, as_of=AS_OF)), c.pk)
    by_python = {"not_due": 0, "days_1_30": 0, "days_31_90": 0, "days_over_90": 0}
    for i in customer_open_instalments(c, as_of=AS_OF):
        by_python[i.bucket] += 1
        assert i.bucket == bucket_of((AS_OF - i.due_on).days)
    assert {k: int(row[k]) for k in by_python} == by_python
    assert by_python == {"not_due": 3, "days_1_30": 4, "days_31_90": 4, "days_over_90": 3}


def test_the_same_instalment_ages_with_the_day_asked(org):
    c = customer_of(org.sales_a)
    contract_for(c, [(date(2026, 3, 31), 100)], actor=org.sales_a)
    seen = {
        day: {k: v for k, v in receivables_totals(org.gm, as_of=day).items() if v}
        for day in (date(2026, 3, 31), date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 30))
    }
    assert seen[date(2026, 3, 31)] == {"not_due": 100, "total": 100}
    assert seen[date(2026, 4, 1)]["days_1_30"] == 100  # 1 day
    assert seen[date(2026, 5, 1)]["days_31_90"] == 100  # 31 days
    assert seen[date(2026, 6, 30)]["days_over_90"] == 100  # 91 days


def test_partial_payments_reduce_what_is_owed_and_settled_instalments_vanish(org):
    c = customer_of(org.sales_a)
    contract = contract_for(c, [(days_before(10), 1000), (days_before(40), 500)], actor=org.sales_a)
    first, second = sorted(instalments_of(contract), key=lambda i: i.due_on, reverse=True)
    pay(org.accountant_a, first, "300.50", date(2026, 6, 1))
    row = row_of(list(receivables(org.gm, as_of=AS_OF)), c.pk)
    assert row["days_1_30"] == Decimal("699.50")
    assert row["days_31_90"] == Decimal(500)
    pay(org.accountant_a, second, 500, date(2026, 6, 2))
    row = row_of(list(receivables(org.gm, as_of=AS_OF)), c.pk)
    assert row["days_31_90"] == 0
    assert row["total"] == Decimal("699.50")
    assert [i.pk for i in customer_open_instalments(c, as_of=AS_OF)] == [first.pk]
    pay(org.accountant_a, first, "699.50", date(2026, 6, 3))
    assert [r for r in receivables(org.gm, as_of=AS_OF) if r["key"] == c.pk] == []


def test_draft_contracts_owe_nothing(org):
    c = customer_of(org.sales_a)
    contract_for(c, [(days_before(5), 100)], actor=org.sales_a, signed=False)
    assert list(receivables(org.gm, as_of=AS_OF)) == []
    assert receivables_totals(org.gm, as_of=AS_OF)["total"] == 0


# --- grouping -----------------------------------------------------------------------------


@pytest.fixture
def spread(org):
    """Customers of sales_a (2), sales_a2 and sales_b, one pooled in department A."""
    a1, a2 = customer_of(org.sales_a), customer_of(org.sales_a)
    other = customer_of(org.sales_a2)
    b = customer_of(org.sales_b)
    pooled = customer_of(org.sales_a2)
    contract_for(a1, [(days_before(5), 100)], actor=org.sales_a)
    contract_for(a2, [(days_before(50), 200)], actor=org.sales_a)
    contract_for(other, [(days_before(-5), 400)], actor=org.sales_a2)
    contract_for(b, [(days_before(100), 800)], actor=org.sales_b)
    contract_for(pooled, [(days_before(1), 1600)], actor=org.sales_a2)
    ownership_transfer(
        customer=pooled,
        to_pool=Pool.DEPARTMENT,
        kind="reclaim",
        actor=None,
        now=datetime(2026, 1, 1, 0, 30, tzinfo=SH),
    )
    return {"a1": a1, "a2": a2, "other": other, "b": b, "pooled": pooled}


def test_grouped_per_salesperson_with_pooled_customers_in_one_row(org, spread):
    rows = with_labels(list(receivables(org.gm, as_of=AS_OF, group="salesperson")), "salesperson")
    totals = {r["key"]: r["total"] for r in rows}
    assert totals == {
        org.sales_a.pk: 300,
        org.sales_a2.pk: 400,
        org.sales_b.pk: 800,
        None: 1600,
    }
    pool = row_of(rows, None)
    assert pool["is_pool"] and pool["label"] in ("Public pool", "公共资源池")
    assert row_of(rows, org.sales_a.pk)["days_1_30"] == 100
    assert row_of(rows, org.sales_a.pk)["days_31_90"] == 200


def test_grouped_per_department(org, spread):
    rows = with_labels(list(receivables(org.gm, as_of=AS_OF, group="department")), "department")
    assert {r["key"]: r["total"] for r in rows} == {org.a.pk: 2300, org.b.pk: 800}
    assert row_of(rows, org.b.pk)["label"] == org.b.name
    # Largest overdue first: A owes 1,900 overdue, B 800.
    assert [r["key"] for r in rows] == [org.a.pk, org.b.pk]


def test_grouped_per_customer_and_the_totals_row_agree(org, spread):
    rows = list(receivables(org.gm, as_of=AS_OF))
    totals = receivables_totals(org.gm, as_of=AS_OF)
    for key in ("not_due", "days_1_30", "days_31_90", "days_over_90", "total"):
        assert sum(r[key] for r in rows) == totals[key]
    assert totals["total"] == 3100
    assert totals["overdue_count"] == 4
    assert receivables_totals(org.gm, as_of=AS_OF, department=org.b)["total"] == 800


# --- scoping ------------------------------------------------------------------------------


def test_a_salesperson_sees_only_the_customers_they_hold(org, spread):
    keys = {r["key"] for r in receivables(org.sales_a, as_of=AS_OF)}
    assert keys == {spread["a1"].pk, spread["a2"].pk}
    # Neither the colleague's customer nor the department pool (seen masked only).
    assert receivables_totals(org.sales_a, as_of=AS_OF)["total"] == 300
    by_person = {r["key"] for r in receivables(org.sales_a, as_of=AS_OF, group="salesperson")}
    assert by_person == {org.sales_a.pk}


def test_managers_and_accountants_see_their_departments_only(org, spread):
    a_side = {spread[k].pk for k in ("a1", "a2", "other", "pooled")}
    for user in (org.manager_a, org.accountant_a):
        assert {r["key"] for r in receivables(user, as_of=AS_OF)} == a_side
    for user in (org.manager_b, org.accountant_b):
        assert {r["key"] for r in receivables(user, as_of=AS_OF)} == {spread["b"].pk}
    assert {r["key"] for r in receivables(org.gm, as_of=AS_OF)} == a_side | {spread["b"].pk}


# --- the page -----------------------------------------------------------------------------


def url(name, *args, **query):
    path = reverse(f"sales:{name}", args=args)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@time_machine.travel(VIEW_NOW, tick=False)
def test_page_shows_tabs_totals_and_drills_down(client, org, spread):
    client.force_login(org.manager_a)
    page = client.get(url("receivables")).content.decode()
    assert 'data-testid="totals"' in page
    assert spread["a1"].name in page and spread["b"].name not in page
    assert f"?customer={spread['a1'].pk}&amp;as_of=2026-06-30" in page
    for group in ("customer", "salesperson", "department"):
        assert f'data-group="{group}"' in page
    by_person = client.get(url("receivables", group="salesperson")).content.decode()
    assert org.sales_a.display_name in by_person and 'data-key="pool"' in by_person
    drill = client.get(url("receivables", customer=spread["a2"].pk))
    assert drill.status_code == 200
    assert 'data-bucket="days_31_90"' in drill.content.decode()
    # Another day: the same instalment of a1 (due 5 days before AS_OF) is not yet due.
    early = client.get(url("receivables", as_of="2026-06-01")).content.decode()
    assert 'data-testid="totals"' in early


@time_machine.travel(VIEW_NOW, tick=False)
def test_drill_down_of_a_customer_out_of_scope_is_404(client, org, spread):
    for user, customer in (
        (org.sales_b, "a1"),
        (org.manager_b, "a1"),
        (org.sales_a2, "a1"),  # a colleague's customer
        (org.sales_a, "pooled"),  # seen only masked in the pool
    ):
        client.force_login(user)
        response = client.get(url("receivables", customer=spread[customer].pk))
        assert response.status_code == 404, (user, customer)
    client.force_login(org.sales_b)
    page = client.get(url("receivables")).content.decode()
    assert spread["a1"].name not in page and spread["b"].name in page
    assert client.get(url("receivables", customer="x")).status_code == 404


@time_machine.travel(VIEW_NOW, tick=False)
def test_junk_filters_fall_back_to_today_by_customer(client, org, spread):
    client.force_login(org.gm)
    for query in ({"group": "nope", "as_of": "9999-99-99"}, {"as_of": "0001-01-01"}):
        response = client.get(url("receivables", **query))
        assert response.status_code == 200
        assert 'value="2026-06-30"' in response.content.decode()


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@time_machine.travel(VIEW_NOW, tick=False)
def test_page_query_count_does_not_grow_with_rows(client, org):
    client.force_login(org.gm)
    first = customer_of(org.sales_a)
    contract_for(first, [(days_before(3), 10)], actor=org.sales_a)
    one = {g: _queries(client, url("receivables", group=g)) for g in ("customer", "salesperson")}
    for holder in (org.sales_a, org.sales_a2, org.sales_b, org.sales_b2, org.sales_a1) * 3:
        c = customer_of(holder)
        contract_for(c, [(days_before(3), 10), (days_before(60), 20)], actor=holder)
    many = {g: _queries(client, url("receivables", group=g)) for g in ("customer", "salesperson")}
    assert many == one


# --- the export ---------------------------------------------------------------------------


@time_machine.travel(VIEW_NOW, tick=False)
def test_export_is_logged_and_holds_the_rows_and_totals(client, org, spread):
    client.force_login(org.manager_a)
    response = client.get(url("receivables_export", group="salesperson", as_of="2026-06-30"))
    assert response.status_code == 200
    book = load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    values = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert len(values) == 1 + 3 + 1  # header, sales_a, sales_a2, the pool, totals
    assert values[-1][-2] == 2300  # A's total outstanding
    log = ExportLog.objects.get()
    assert (log.actor, log.list_name, log.rows, log.is_refused) == (
        org.manager_a,
        "receivables",
        3,
        False,
    )
    assert "group=salesperson" in log.filters


@time_machine.travel(VIEW_NOW, tick=False)
def test_a_salesperson_export_over_the_cap_is_refused_and_logged(client, org, spread):
    client.force_login(org.sales_a)
    with override_config(EXPORT_CAP_SALESPERSON=1):
        response = client.get(url("receivables_export"))
    assert response.status_code == 302
    log = ExportLog.objects.get()
    assert log.is_refused and log.rows == 2


# --- the reminder letter ------------------------------------------------------------------


@time_machine.travel(VIEW_NOW, tick=False)
def test_letter_lists_the_overdue_instalments_with_the_total(client, org, spread):
    c = customer_of(org.sales_a)
    contract = contract_for(
        c,
        [(days_before(-5), 50), (days_before(12), 1000), (days_before(95), 500)],
        actor=org.sales_a,
    )
    pay(org.accountant_a, instalments_of(contract)[1], 400, date(2026, 6, 25))
    client.force_login(org.sales_a)
    page = client.get(url("reminder_letter", c.pk)).content.decode()
    assert contract.number in page and c.name in page
    assert "¥1,100.00" in page  # 600 + 500 outstanding; the one not yet due is left out
    assert 'data-figure="letter-total"' in page
    assert "css/print.css" in page and "data-print" in page
    download = client.get(url("reminder_letter", c.pk, download=1))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert ".html" in download["Content-Disposition"]
    assert "<!DOCTYPE html>" in download.content.decode()
    assert "http://testserver/static/css/print.css" in download.content.decode()


@time_machine.travel(VIEW_NOW, tick=False)
def test_letter_only_for_those_who_see_the_customer(client, org, spread):
    seen = {org.sales_a: 200, org.manager_a: 200, org.accountant_a: 200, org.gm: 200}
    hidden = {org.sales_a2: 404, org.sales_b: 404, org.manager_b: 404, org.accountant_b: 404}
    for user, status in {**seen, **hidden}.items():
        client.force_login(user)
        assert client.get(url("reminder_letter", spread["a1"].pk)).status_code == status, user
    # The pooled customer: its department's managers and accountants, not the salespeople.
    client.force_login(org.sales_a)
    assert client.get(url("reminder_letter", spread["pooled"].pk)).status_code == 404
    client.force_login(org.manager_a)
    assert client.get(url("reminder_letter", spread["pooled"].pk)).status_code == 200
    client.logout()
    assert client.get(url("reminder_letter", spread["a1"].pk)).status_code == 302


# --- dashboards ---------------------------------------------------------------------------


@time_machine.travel(VIEW_NOW, tick=False)
def test_dashboards_show_overdue_receivables(client, org, spread):
    client.force_login(org.sales_a)
    page = client.get(reverse("crm:dashboard")).content.decode()
    assert 'data-testid="overdue-receivables"' in page
    assert spread["a2"].name in page and spread["b"].name not in page
    client.force_login(org.manager_a)
    page = client.get(reverse("crm:dashboard")).content.decode()
    assert 'data-figure="overdue-amount">¥1,900.00' in page  # 100 + 200 + 1,600 pooled
    client.force_login(org.accountant_a)
    page = client.get(reverse("crm:department_detail", args=[org.a.pk])).content.decode()
    assert 'data-figure="department-outstanding">¥2,300.00' in page
