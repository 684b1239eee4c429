"""Benchmarks build their data once per database (run with --reuse-db to keep it)."""

import os

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def bench_customers(django_db_setup, django_db_blocker):
    count = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
    with django_db_blocker.unblock():
        call_command("build_bench_data", "--customers", str(count))
    return count
