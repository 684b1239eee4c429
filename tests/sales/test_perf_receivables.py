"""The receivables' fast path (docs/performance.md "Sales pages at 1,000,000 customers"):
`Instalment.signed`, kept by `contract_sign` and filled for existing rows by migration 0004,
replaces the anti-join against draft contracts, and `overdue` / `total` are added from the
bucket sums. Both are checked against the straightforward definition — unsettled instalments
of contracts whose status is signed, summed in Python — on small data with every case:
drafts, amendments, partial and full payments, each bucket, pooled customers, two
departments, every role."""

import importlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from customers.models import Settlement
from sales.models import Contract, Instalment
from sales.selectors.common import visible
from sales.selectors.receivables import (
    BUCKETS,
    bucket_of,
    receivables,
    receivables_totals,
    totals_of,
)
from sales.services.contracts import collection_record, contract_create, contract_sign
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 6, 2, 10, 0, tzinfo=SH)
LATER = T0 + timedelta(hours=3)
AS_OF = date(2026, 6, 30)
ZERO = Decimal(0)


def _contract(customer, plan, *, actor, signed=True, amends=None):
    total = sum((Decimal(amount) for _due, amount in plan), ZERO)
    contract = contract_create(
        actor=actor,
        customer=customer,
        data={"title": "地板采购合同", "settlement_method": Settlement.GOODS_FIRST},
        lines=[{"product": "实木地板", "quantity": Decimal(1), "unit_price": total}],
        instalments=[{"due_on": due, "amount": Decimal(amount)} for due, amount in plan],
        now=T0,
        amends=amends,
    )
    if signed:
        contract = contract_sign(
            actor=actor, contract=contract, signed_at=T0 + timedelta(hours=1), now=LATER
        )
    return contract


def _pay(actor, instalment, amount, on):
    collection_record(
        actor=actor,
        instalment=instalment,
        amount=Decimal(amount),
        received_on=on,
        now=datetime(on.year, on.month, on.day, 18, 0, tzinfo=SH),
    )


def _day(n: int) -> date:
    return AS_OF - timedelta(days=n)


@pytest.fixture
def world(org):
    """Customers of sales_a, sales_a2 and sales_b with signed contracts, drafts, an
    amendment, partial and full payments, over every bucket."""
    now = datetime(2025, 6, 1, 9, 0, tzinfo=SH)
    a1, a2 = register(org.sales_a, now=now), register(org.sales_a, now=now)
    a3, b1 = register(org.sales_a2, now=now), register(org.sales_b, now=now)
    root = _contract(a1, [(_day(-5), 100), (_day(10), 200), (_day(60), 300)], actor=org.sales_a)
    _contract(a1, [(_day(120), 50)], actor=org.sales_a, amends=root)  # signed amendment
    _contract(a1, [(_day(200), 999)], actor=org.sales_a, signed=False)  # a draft owes nothing
    paid = _contract(a2, [(_day(1), 70), (_day(31), 80), (_day(91), 90)], actor=org.sales_a)
    first, second, _third = Instalment.objects.filter(contract=paid).order_by("seq")
    _pay(org.accountant_a, first, 70, _day(2))  # settled
    _pay(org.accountant_a, second, 30, _day(20))  # partly paid
    _contract(a3, [(_day(0), 40), (_day(30), 60), (_day(90), 20)], actor=org.sales_a2)
    _contract(b1, [(_day(45), 500), (_day(-30), 25)], actor=org.sales_b)
    _contract(b1, [(_day(3), 12)], actor=org.sales_b, signed=False)
    return org


def _straightforward(user, group: str) -> dict:
    """The definition, row by row: unsettled instalments of signed contracts (by the
    contract's status, not the copied flag) of the customers `user` sees."""
    column = {
        "customer": "customer_id",
        "salesperson": "customer__holder_id",
        "department": "customer__department_id",
    }[group]
    rows = visible(
        Instalment.objects.filter(settled_on__isnull=True, contract__status=Contract.Status.SIGNED),
        user,
    ).values_list(column, "due_on", "amount", "paid")
    result: dict = {}
    for key, due_on, amount, paid in rows:
        row = result.setdefault(
            key, {**dict.fromkeys(BUCKETS, ZERO), "overdue": ZERO, "total": ZERO, "n": 0}
        )
        days = (AS_OF - due_on).days
        row[bucket_of(days)] += amount - paid
        row["total"] += amount - paid
        if days > 0:
            row["overdue"] += amount - paid
            row["n"] += 1
    return result


def _as_dict(rows) -> dict:
    return {
        r["key"]: {
            **{b: r[b] for b in BUCKETS},
            "overdue": r["overdue"],
            "total": r["total"],
            "n": r["overdue_count"],
        }
        for r in rows
    }


@pytest.mark.parametrize("role", ["gm", "manager_a", "manager_b", "accountant_a", "sales_a"])
@pytest.mark.parametrize("group", ["customer", "salesperson", "department"])
def test_fast_ageing_equals_the_straightforward_definition(world, role, group):
    user = getattr(world, role)
    expected = _straightforward(user, group)
    assert expected  # every role sees something owed
    assert _as_dict(receivables(user, as_of=AS_OF, group=group)) == expected
    totals = receivables_totals(user, as_of=AS_OF)
    for name in (*BUCKETS, "overdue", "total"):
        assert totals[name] == sum((row[name] for row in expected.values()), ZERO)
    assert totals["overdue_count"] == sum(row["n"] for row in expected.values())


@pytest.mark.parametrize("role", ["gm", "manager_a", "sales_a"])
def test_the_sum_of_the_groups_is_the_totals_row(world, role):
    user = getattr(world, role)
    totals = receivables_totals(user, as_of=AS_OF)
    for group in ("customer", "salesperson", "department"):
        assert totals_of(list(receivables(user, as_of=AS_OF, group=group))) == totals


@pytest.mark.parametrize("role", ["gm", "manager_a", "accountant_a", "sales_a"])
def test_every_tab_of_the_page_shows_the_same_totals_row(world, login, role):
    client = login(getattr(world, role))
    expected = receivables_totals(getattr(world, role), as_of=AS_OF)
    with time_machine.travel(datetime(2026, 6, 30, 10, 0, tzinfo=SH), tick=False):
        for group in ("customer", "salesperson", "department"):
            response = client.get(reverse("sales:receivables"), {"group": group})
            assert response.status_code == 200
            assert response.context["totals"] == expected, group


def test_rows_are_ordered_by_overdue_then_total(world):
    rows = list(receivables(world.gm, as_of=AS_OF))
    keys = [(-r["overdue"], -r["total"], r["key"]) for r in rows]
    assert keys == sorted(keys)


def test_signing_marks_the_plan_and_its_amendments_drafts_stay_unmarked(org):
    customer = register(org.sales_a, now=datetime(2025, 6, 1, 9, 0, tzinfo=SH))
    draft = _contract(customer, [(_day(5), 10), (_day(1), 20)], actor=org.sales_a, signed=False)
    assert not Instalment.objects.filter(contract=draft, signed=True).exists()
    assert receivables_totals(org.gm, as_of=AS_OF)["total"] == ZERO
    contract_sign(actor=org.sales_a, contract=draft, signed_at=T0, now=LATER)
    assert set(Instalment.objects.filter(contract=draft).values_list("signed", flat=True)) == {True}
    amendment = _contract(customer, [(_day(2), 7)], actor=org.sales_a, signed=False, amends=draft)
    assert not Instalment.objects.get(contract=amendment).signed
    assert receivables_totals(org.gm, as_of=AS_OF)["total"] == Decimal(30)
    contract_sign(
        actor=org.sales_a, contract=amendment, signed_at=T0 + timedelta(hours=2), now=LATER
    )
    assert Instalment.objects.get(contract=amendment).signed
    assert receivables_totals(org.gm, as_of=AS_OF)["total"] == Decimal(37)


def test_the_migration_marks_exactly_the_instalments_of_drafts(world):
    """Migration 0004 adds the column as true for every existing row, then one UPDATE
    un-marks the drafts' instalments. Replayed here on rows all set true."""
    migration = importlib.import_module("sales.migrations.0004_perf_owed_and_credit_indexes")
    Instalment.objects.update(signed=True)
    migration.mark_draft_instalments(apps, None)
    marked = dict(Instalment.objects.values_list("pk", "signed"))
    by_status = dict(Instalment.objects.values_list("pk", "contract__status"))
    assert marked == {pk: status == Contract.Status.SIGNED for pk, status in by_status.items()}
    assert False in marked.values() and True in marked.values()


def test_generated_instalments_are_marked_like_their_contracts(db):
    """generate_sales_data fills `signed` (the bench's receivables read it)."""
    call_command(
        "generate_data",
        *("--customers", "120", "--staff", "20", "--departments", "2", "--followups", "300"),
        *("--seed", "3", "--today", "2026-11-30"),
    )
    call_command(
        "generate_sales_data",
        *("--opportunities", "20", "--contracts", "150", "--collections", "200"),
        *("--returns", "2", "--seed", "3", "--today", "2026-11-30"),
    )
    rows = list(Instalment.objects.values_list("signed", "contract__status"))
    assert {status for _signed, status in rows} == {"signed", "draft"}
    assert all(signed == (status == Contract.Status.SIGNED) for signed, status in rows)
