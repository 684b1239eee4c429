"""Sales pages at a million customers (SPEC §10 reports; docs/performance.md "Sales pages at
1,000,000 customers").

    createdb -h 127.0.0.1 -U postgres crm_sales_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_sales_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=… .venv/bin/python manage.py generate_data --customers 1000000 --staff 10000 \\
        --departments 200 --followups 3000000 --seed 42 --today 2026-11-30
    DATABASE_URL=… .venv/bin/python manage.py generate_sales_data --opportunities 500000 \\
        --contracts 2000000 --collections 5000000 --returns 20000 --seed 42 --today 2026-11-30
    createdb -h 127.0.0.1 -U postgres -T crm_sales_bench test_crm_sales_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_sales_bench \\
      .venv/bin/python -m pytest -m bench tests/bench/test_sales_scale.py -s --reuse-db

Without the prepared copy the fixture builds the same data into the test database (many
minutes). Each page is requested through Django's test client as the GM and as a department
manager, once unmeasured, then BENCH_RUNS times (at least 10); its median is compared with the
median of the dashboard (`crm:dashboard`) measured in the same run, alternating with it so both
see the same machine load. A page may cost at most RATIO dashboards. The calendar
(`crm:calendar`, a trivial page) is measured the same way and each page's multiple of it is
printed too. The receivables are measured on all three tabs, the ranking for the month and
the year."""

import os
import statistics
import time
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from crm.models import User
from sales.models import SalesCredit

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

TODAY = date(2026, 11, 30)
RATIO = 25
RUNS = max(10, int(os.environ.get("BENCH_RUNS", "10")))
# (URL name, query): the receivables' three tabs and the ranking of a year as well.
PAGES = [
    ("sales:funnel", ""),
    ("sales:receivables", ""),
    ("sales:receivables", "?group=salesperson"),
    ("sales:receivables", "?group=department"),
    ("sales:ranking", ""),
    ("sales:ranking", "?period=year"),
]


@pytest.fixture(scope="session")
def sales_data(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("the scale benchmark runs on PostgreSQL (set DATABASE_URL)")
    count = int(os.environ.get("BENCH_SALES_CUSTOMERS", "1000000"))
    with django_db_blocker.unblock():
        if not User.objects.filter(username="gen.gm").exists():
            started = time.perf_counter()
            call_command(
                "generate_data",
                *("--customers", str(count), "--staff", str(max(50, count // 100))),
                *("--departments", str(max(5, count // 5000))),
                *("--followups", str(3 * count), "--seed", "42", "--today", str(TODAY)),
            )
            print(f"generate_data: {time.perf_counter() - started:.1f}s")
        if not SalesCredit.objects.filter(kind="contract").exists():
            started = time.perf_counter()
            call_command(
                "generate_sales_data",
                *("--opportunities", str(count // 2), "--contracts", str(2 * count)),
                *("--collections", str(5 * count), "--returns", str(count // 50)),
                *("--seed", "42", "--today", str(TODAY)),
            )
            print(f"generate_sales_data: {time.perf_counter() - started:.1f}s")
    return count


def _get(client, url) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def measure(client, url, baseline_url):
    """(median of the page, median of the dashboard), requests interleaved."""
    _get(client, baseline_url)
    _get(client, url)
    page, base = [], []
    for _ in range(RUNS):
        base.append(_get(client, baseline_url))
        page.append(_get(client, url))
    return statistics.median(page), statistics.median(base)


def test_sales_pages_stay_within_25_dashboards(sales_data):
    available = []
    for name, query in PAGES:
        try:
            available.append((name + query, reverse(name) + query))
        except NoReverseMatch:
            print(f"{name}: not written yet, not measured")
    gm = User.objects.get(username="gen.gm")
    manager = User.objects.get(username="gen.m001")

    def extra(user) -> list:
        """The customer page (with the yearly section) and the yearly page of a customer
        with signed contracts that `user` sees."""
        credit = SalesCredit.objects.filter(kind="contract", user__isnull=False)
        if user.staff.department_id and user != gm:
            credit = credit.filter(customer__department_id=user.staff.department_id)
        customer = credit.order_by("pk").values_list("customer_id", flat=True).first()
        return [
            ("customer page (yearly section)", reverse("customers:detail", args=[customer])),
            ("sales:customer_yearly", reverse("sales:customer_yearly", args=[customer])),
        ]

    baseline_url = reverse("crm:dashboard")
    # A trivial page (the calendar: a few small queries) measured the same way, for a
    # baseline that does not move with the dashboard's panels.
    trivial = ("crm:calendar", reverse("crm:calendar"))
    results = []
    calendar = {}
    for who, user in (("GM", gm), ("manager", manager)):
        client = Client()
        client.force_login(user)
        for label, url in [trivial, *available, *extra(user)]:
            page, base = measure(client, url, baseline_url)
            results.append((who, label, url, page, base))
            if label == trivial[0]:
                calendar[who] = page
    print(f"\n{sales_data} customers, {RUNS} requests each (medians)")
    print(f"{'who':8} {'page':38} {'ms':>9} {'dashboard ms':>13} {'ratio':>6} {'× calendar':>10}")
    for who, label, _url, page, base in results:
        print(
            f"{who:8} {label:38} {page * 1000:9.1f} {base * 1000:13.1f} {page / base:6.1f}"
            f" {page / calendar[who]:10.1f}"
        )
    slow = [
        (who, label, round(page / base, 1))
        for who, label, _url, page, base in results
        if page > RATIO * base
    ]
    assert not slow, slow
