"""Customer pages at scale (SPEC: fast at a million customers).

    BENCH_CUSTOMERS=1000000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench \\
      .venv/bin/python -m pytest -m bench tests/bench -s --reuse-db

Each page is timed (median of 5) and compared with the dashboard, a page whose cost does not
depend on the archive's size, measured in the same run."""

import statistics
import time

import pytest
from django.test import Client

from crm.models import User
from customers.models import Customer

pytestmark = [pytest.mark.bench, pytest.mark.django_db]
RATIO = 25  # a list page may cost at most this many dashboards


def timed(client, url, runs=5):
    client.get(url)  # warm caches and the session
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, url
    return statistics.median(samples)


def test_customer_pages_stay_fast_at_scale(bench_customers):
    gm = User.objects.get(username="bench.gm")
    manager = User.objects.get(username="bench.m03")
    sales = User.objects.get(username="bench.s03.07")
    accountant = User.objects.get(username="bench.acct")
    middle = Customer.objects.order_by("-pk").values_list("pk", flat=True)[bench_customers // 2]
    cases = [
        ("GM all, first page", gm, "/customers/?scope=all"),
        ("GM all, page in the middle", gm, f"/customers/?scope=all&after={middle}"),
        ("GM search name fragment", gm, "/customers/?scope=all&q=客户0123456"),
        ("GM search phone fragment", gm, "/customers/?scope=all&q=1600012345"),
        ("GM search common word (every row)", gm, "/customers/?scope=all&q=有限公司"),
        ("GM search two characters", gm, "/customers/?scope=all&q=客户"),
        (
            "GM filter grade A + incomplete",
            gm,
            "/customers/?scope=all&intent_grade=A&incomplete=true",
        ),
        ("manager department", manager, "/customers/?scope=all"),
        ("manager pool", manager, "/customers/?scope=pool"),
        ("salesperson mine", sales, "/customers/?scope=mine"),
        ("salesperson pool (masked)", sales, "/customers/?scope=pool"),
        ("accountant worklist", accountant, "/customers/worklist/"),
    ]
    results = []
    for label, user, url in cases:
        client = Client()
        client.force_login(user)
        baseline = timed(client, "/")
        cost = timed(client, url)
        results.append((label, cost, baseline))
    print(f"\n{bench_customers} customers")
    print(f"{'page':40} {'ms':>8} {'dashboard ms':>13} {'ratio':>6}")
    for label, cost, baseline in results:
        print(f"{label:40} {cost * 1000:8.1f} {baseline * 1000:13.1f} {cost / baseline:6.1f}")
    for label, cost, baseline in results:
        assert cost <= RATIO * baseline, label
