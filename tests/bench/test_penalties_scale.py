"""The nightly penalty scans and the GM's company view at a million customers (SPEC §7–8).

    BENCH_RECLAIM_CUSTOMERS=1000000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench6 \\
      .venv/bin/python -m pytest -m bench tests/bench/test_penalties_scale.py -s --reuse-db

Uses the reclaim benchmark's data (`generate_data`: 1,000,000 customers, 10,000 staff, 200
departments, 20,000,000 follow-ups). Each scan runs as a dry run (nothing written) on the 1st
of the month, when the monthly rules run too, then for real in a rolled-back transaction
followed by the next night; the company view is rendered for the GM. The
baseline, measured in the same run, is one `count(*)` over the 20,000,000 follow-ups — the
largest table a scan could touch. Only ratios to it are asserted: the night after the first
(when what was proposed stays proposed) and the company view. The first night's catch-up on a
freshly loaded archive is printed, not asserted."""

import statistics
import time
from datetime import date, datetime

import pytest
from django.db import connection, transaction
from django.test import Client

from crm.calendar import SHANGHAI
from crm.models import User
from penalties.services.scans import SCANS, penalties_scan
from tests.bench.test_reclaim_scale import reclaim_data  # noqa: F401  (the shared data)

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

AS_OF = date(2026, 12, 1)
NIGHT_VS_COUNT = 8  # a steady-state night (one day of new records) vs one full follow-up count
PAGE_VS_COUNT = 3  # the company view for 200 departments, its 12-month trends cached


def median_time(fn, runs=3):
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def count_followups():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_followup")
        cursor.fetchone()


def test_scans_and_company_view_at_a_million_customers(reclaim_data, settings):  # noqa: F811
    baseline = median_time(count_followups)
    now = datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI)
    per_scan = {}
    for scan in SCANS:
        found: list[int] = []

        def run(scan=scan, found=found):
            found.append(len(scan(AS_OF)))

        per_scan[scan.__name__] = (median_time(run, runs=1), found[-1])
    with transaction.atomic():
        started = time.perf_counter()
        first = penalties_scan(as_of=AS_OF, now=now)
        first_night = time.perf_counter() - started
        # The next night sees one more day: everything already proposed stays in the database.
        started = time.perf_counter()
        second = penalties_scan(as_of=date(2026, 12, 2), now=now)
        next_night = time.perf_counter() - started
        transaction.set_rollback(True)
    gm = User.objects.get(username="gen.gm")
    client = Client()
    client.force_login(gm)
    url = "/penalties/dashboard/?month=2026-11"

    def render():
        assert client.get(url).status_code == 200

    cold = median_time(render, runs=1)  # trends computed (test settings cache nothing)
    settings.DASHBOARD_TREND_CACHE_SECONDS = 600
    render()  # fills the trend cache
    page = median_time(render)
    print(f"\nbaseline count(*) of 20,000,000 follow-ups: {baseline:.2f}s")
    for name, (seconds, proposals) in per_scan.items():
        print(f"  {name:30s} {seconds:7.2f}s  {proposals:>8,} proposals (read only)")
    print(f"first night, written: {first.total:,} entries in {first_night:.1f}s")
    print(
        f"next night: {second.total:,} entries in {next_night:.2f}s = {next_night / baseline:.1f}×"
    )
    print(f"company view, trends computed: {cold:.2f}s = {cold / baseline:.1f}× baseline")
    print(f"company view, trends cached: {page:.2f}s = {page / baseline:.1f}× baseline")
    assert next_night <= NIGHT_VS_COUNT * baseline
    assert page <= PAGE_VS_COUNT * baseline
