"""年客户交易记录表 (SPEC §2, §10): per customer and year, net of returns, its share of the
company's sales, paid/owed from purchase records and contract collections, who may see it."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from customers.services import deal_record
from sales.selectors.yearly import company_sales_by_year, yearly_table
from sales.services.contracts import (
    collection_record,
    contract_create,
    contract_sign,
    return_record,
)
from tests.factories import register

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
AS_OF = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def no_cache(settings):
    settings.SALES_YEARLY_CACHE_SECONDS = 0


def at(*args):
    return datetime(*args, tzinfo=SH)


def deal(actor, customer, when, amount, quantity="1", paid=None, owed_reason=""):
    data = {
        "occurred_at": when,
        "product": "地板",
        "quantity": Decimal(quantity),
        "amount": Decimal(amount),
        "paid": Decimal(paid if paid is not None else amount),
    }
    if owed_reason:
        data["owed_reason"] = owed_reason
    return deal_record(actor=actor, customer=customer, now=when, data=data)


def contract(actor, customer, signed, lines, plan):
    """A contract drafted the day before `signed` and signed then; `lines` (quantity, unit
    price), `plan` (due date, amount)."""
    draft = contract_create(
        actor=actor,
        customer=customer,
        data={"title": "合同", "settlement_method": "rolling"},
        lines=[
            {"product": "木门", "quantity": Decimal(q), "unit_price": Decimal(p)} for q, p in lines
        ],
        instalments=[{"due_on": d, "amount": Decimal(a)} for d, a in plan],
        now=signed,
    )
    return contract_sign(actor=actor, contract=draft, signed_at=signed, now=signed)


def collect(actor, signed_contract, seq, amount, received_on):
    instalment = signed_contract.instalments.get(seq=seq)
    return collection_record(
        actor=actor,
        instalment=instalment,
        amount=Decimal(amount),
        received_on=received_on,
        now=datetime.combine(received_on, datetime.min.time(), SH).replace(hour=17),
    )


def by_year(rows):
    return {r.year: r for r in rows}


# --- moved from tests/customers/test_day_and_timeline.py (customers' yearly_summary) -------


def test_yearly_summary(org):
    c = register(org.sales_a, now=at(2025, 1, 1, 9))
    other = register(org.sales_a, now=at(2025, 1, 1, 9))
    deal(org.sales_a, c, at(2025, 3, 1, 10), "1000", quantity="10", paid="600")
    deal(org.sales_a, c, at(2025, 6, 1, 10), "500", quantity="5")
    deal(org.sales_a, other, at(2025, 7, 1, 10), "1500")
    deal(org.sales_a, c, at(2026, 2, 1, 10), "200", quantity="4")
    rows = yearly_table(c, as_of=AS_OF)
    assert [r.year for r in rows] == [2026, 2025]
    y2025 = rows[1]
    assert (y2025.sales, y2025.quantity, y2025.amount) == (2, Decimal("15"), Decimal("1500"))
    assert y2025.average_price == Decimal("100.00")
    assert y2025.share == Decimal("50.0"), "1500 of the company's 3000 in 2025"
    assert (y2025.paid, y2025.owed) == (Decimal("1100"), Decimal("400"))
    assert rows[0].share == Decimal("100.0")


# --- the company's share ------------------------------------------------------------------


def test_share_is_of_the_whole_company_not_of_the_holder(org):
    """Two departments, three customers, two years, by hand:
    2025: c1 1000 + 500 (sales_a), c2 2000 contract (sales_a), c3 1500 (sales_b, dept B)
          → company 5000; c1 30 %, c2 40 %, c3 30 %.
    2026: c1 600, c3 1800 less a 400 return of c3 → company 2000; c1 30 %, c3 70 %.
    The holder-based share of the old code would give c1 1500/3500 ≈ 42.9 % in 2025."""
    c1 = register(org.sales_a, now=at(2025, 1, 2, 9))
    c2 = register(org.sales_a, now=at(2025, 1, 2, 9))
    c3 = register(org.sales_b, now=at(2025, 1, 2, 9))
    deal(org.sales_a, c1, at(2025, 3, 1, 10), "1000", quantity="10")
    deal(org.sales_a, c1, at(2025, 9, 1, 10), "500", quantity="5")
    contract(org.sales_a, c2, at(2025, 5, 6, 10), [("4", "500")], [(date(2025, 6, 30), "2000")])
    deal(org.sales_b, c3, at(2025, 8, 1, 10), "1500", quantity="3")
    deal(org.sales_a, c1, at(2026, 4, 1, 10), "600", quantity="6")
    sold = deal(org.sales_b, c3, at(2026, 5, 1, 10), "1800", quantity="9")
    return_record(
        actor=org.sales_b,
        customer=c3,
        data={
            "kind": "return",
            "deal": sold,
            "quantity": Decimal("2"),
            "amount": Decimal("400"),
            "reason": "色差",
            "occurred_at": at(2026, 6, 1, 10),
        },
        now=at(2026, 6, 1, 10),
    )
    assert company_sales_by_year([2025, 2026]) == {2025: Decimal("5000"), 2026: Decimal("2000")}
    one, two, three = (by_year(yearly_table(c, as_of=AS_OF)) for c in (c1, c2, c3))
    assert one[2025].share == Decimal("30") and one[2026].share == Decimal("30")
    assert two[2025].share == Decimal("40") and 2026 not in two
    assert three[2025].share == Decimal("30") and three[2026].share == Decimal("70")
    assert sum(r[2025].share for r in (one, two, three)) == 100


def test_a_return_nets_the_year_it_happens_in(org):
    c = register(org.sales_a, now=at(2025, 1, 2, 9))
    sold = deal(org.sales_a, c, at(2025, 11, 1, 10), "3000", quantity="10")
    signed = contract(
        org.sales_a,
        c,
        at(2026, 2, 2, 10),
        [("5", "200"), ("2", "1000")],
        [(date(2026, 3, 1), "3000")],
    )
    line = signed.lines.get(unit_price=Decimal("200"))
    for occurred, data in (
        (at(2026, 1, 5, 10), {"deal": sold, "quantity": Decimal("4"), "amount": Decimal("1200")}),
        (
            at(2026, 3, 5, 10),
            {"contract_line": line, "quantity": Decimal("1"), "amount": Decimal("200")},
        ),
    ):
        return_record(
            actor=org.sales_a,
            customer=c,
            data={"kind": "exchange", "reason": "尺寸不符", "occurred_at": occurred, **data},
            now=occurred,
        )
    years = by_year(yearly_table(c, as_of=AS_OF))
    assert (years[2025].quantity, years[2025].amount, years[2025].returns) == (
        Decimal("10"),
        Decimal("3000"),
        0,
    ), "the 2025 sale stays as it was"
    y = years[2026]
    assert y.sales == 1
    assert y.quantity == Decimal("7") - Decimal("4") - Decimal("1")
    assert y.amount == Decimal("3000") - Decimal("1200") - Decimal("200")
    assert y.average_price == Decimal("800.00")
    assert (y.returns, y.returns_amount) == (2, Decimal("1400"))


def test_a_credit_transfer_leaves_the_customer_figures_alone(org):
    from sales.models import SalesCredit

    c = register(org.sales_a, now=at(2025, 1, 2, 9))
    sold = deal(org.sales_a, c, at(2025, 3, 1, 10), "1000", quantity="2")
    for user, amount in ((org.sales_a, "-300"), (org.sales_a2, "300")):
        SalesCredit.objects.create(
            kind="transfer",
            user=user,
            department=org.a,
            customer=c,
            on_date=date(2025, 4, 1),
            amount=Decimal(amount),
            deal=sold,
            created_at=at(2025, 4, 1, 10),
        )
    (y,) = yearly_table(c, as_of=AS_OF)
    assert (y.sales, y.amount, y.quantity, y.share) == (
        1,
        Decimal("1000"),
        Decimal("2"),
        Decimal("100"),
    )


# --- paid and owed --------------------------------------------------------------------------


def test_paid_and_owed_with_partial_collections_and_overdue_instalments(org):
    """A 2025 contract of 10,000 in three instalments: the first collected in two parts (one in
    2026), the second half paid and overdue, the third not yet due; plus a 2025 purchase record
    with 300 owed and its reason."""
    c = register(org.sales_a, now=at(2025, 1, 2, 9))
    signed = contract(
        org.sales_a,
        c,
        at(2025, 10, 8, 10),
        [("10", "1000")],
        [(date(2025, 11, 1), "4000"), (date(2026, 6, 1), "3000"), (date(2027, 1, 15), "3000")],
    )
    collect(org.accountant_a, signed, 1, "2500", date(2025, 11, 3))
    collect(org.accountant_a, signed, 1, "1500", date(2026, 1, 10))
    collect(org.accountant_a, signed, 2, "1000", date(2026, 6, 20))
    deal(org.sales_a, c, at(2025, 12, 1, 10), "800", paid="500", owed_reason="尾款月底结清")
    (y,) = yearly_table(c, as_of=AS_OF)
    assert y.year == 2025 and y.amount == Decimal("10800")
    assert y.paid == Decimal("4000") + Decimal("1000") + Decimal("500")
    assert y.owed == Decimal("2000") + Decimal("3000") + Decimal("300")
    assert y.owed_reasons[0] == "尾款月底结清"
    reasons = y.owed_reason_text
    assert "2026-06-01" in reasons and "2,000.00" in reasons and "3,000.00" in reasons
    # Seen before the second instalment fell due, nothing is overdue yet.
    (early,) = yearly_table(c, as_of=date(2026, 5, 1))
    assert "2026-06-01" not in early.owed_reason_text


def test_table_reads_a_fixed_number_of_queries(org):
    c = register(org.sales_a, now=at(2025, 1, 2, 9))
    deal(org.sales_a, c, at(2025, 3, 1, 10), "100")
    contract(org.sales_a, c, at(2025, 5, 6, 10), [("1", "500")], [(date(2025, 6, 30), "500")])
    with CaptureQueriesContext(connection) as few:
        yearly_table(c, as_of=AS_OF)
    for year in (2023, 2024, 2026):
        for month in (2, 5, 8):
            deal(org.sales_a, c, at(year, month, 1, 10), "100", paid="50", owed_reason=f"{year}")
            contract(
                org.sales_a,
                c,
                at(year, month, 3, 10),
                [("1", "500")],
                [(date(year, 12, 30), "500")],
            )
    with CaptureQueriesContext(connection) as many:
        rows = yearly_table(c, as_of=AS_OF)
    assert len(rows) == 4
    # Six of its own, plus one for the yearly evaluations a higher app registers (issue 16).
    assert len(many.captured_queries) == len(few.captured_queries) <= 7


# --- pages and who sees them ------------------------------------------------------------------


@pytest.fixture
def sold(org):
    c = register(org.sales_a, now=at(2025, 1, 2, 9))
    deal(org.sales_a, c, at(2025, 3, 1, 10), "1000", quantity="10", paid="400", owed_reason="分期")
    return c


@pytest.mark.parametrize(
    "who,status",
    [
        ("sales_a", 200),
        ("manager_a", 200),
        ("accountant_a", 200),
        ("gm", 200),
        ("sales_a2", 404),
        ("sales_b", 404),
        ("manager_b", 404),
        ("accountant_b", 404),
    ],
)
def test_page_and_export_are_scoped(org, login, sold, who, status):
    client = login(getattr(org, who))
    page = client.get(reverse("sales:customer_yearly", args=[sold.pk]))
    assert page.status_code == status
    export = client.get(reverse("sales:customer_yearly_export", args=[sold.pk]))
    assert export.status_code == status
    if status == 200:
        assert 'data-year="2025"' in page.content.decode()
        sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert values[1][:4] == [2025, 1, 10, 1000]
        assert values[1][6:9] == [400, 600, "分期"]
        assert values[1][-2:] == ["—", "—"]


def test_customer_page_shows_the_section_only_to_who_sees_its_sales(org, login, sold):
    url = reverse("customers:detail", args=[sold.pk])
    for who in ("sales_a", "manager_a", "gm"):
        body = login(getattr(org, who)).get(url).content.decode()
        assert 'data-testid="yearly"' in body, who
        assert reverse("sales:customer_yearly", args=[sold.pk]) in body
    # A customer without sales has no section.
    empty = register(org.sales_a, now=at(2025, 1, 2, 9))
    body = login(org.sales_a).get(reverse("customers:detail", args=[empty.pk])).content.decode()
    assert 'data-testid="yearly"' not in body


def test_a_salesperson_sees_no_yearly_figures_of_a_pool_customer(org, login, sold):
    from customers.models import Customer

    Customer.objects.filter(pk=sold.pk).update(holder=None, pool="department")
    url = reverse("customers:detail", args=[sold.pk])
    response = login(org.sales_a).get(url)
    if response.status_code == 200:
        assert 'data-testid="yearly"' not in response.content.decode()
    assert (
        login(org.sales_a).get(reverse("sales:customer_yearly", args=[sold.pk])).status_code == 404
    )
    assert (
        login(org.manager_a).get(reverse("sales:customer_yearly", args=[sold.pk])).status_code
        == 200
    )
