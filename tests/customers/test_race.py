"""Two people registering the same customer at the same moment: exactly one succeeds, decided
by the UNIQUE index, not a read-then-write check (SPEC §3). Real threads on PostgreSQL."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from customers.errors import DuplicateCustomer
from customers.models import Customer, CustomerKey, OwnershipEvent
from customers.services import customer_register
from tests.factories import DepartmentFactory, customer_data, make_person

THREADS = 32


@pytest.mark.django_db(transaction=True)
def test_32_threads_registering_the_same_phone_make_exactly_one_customer():
    if connection.vendor != "postgresql":
        pytest.skip("race test needs PostgreSQL's row-level concurrency (SQLite serialises)")
    department = DepartmentFactory()
    people = [make_person(f"racer{i}", "salesperson", department) for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(person, i):
        try:
            barrier.wait()
            customer_register(
                actor=person,
                # Different names and tax-free: only the phone collides.
                data=customer_data(name=f"抢注客户{i}", phone="+86 138-0000-9999"),
                contacts=[],
                now=datetime(2026, 5, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
            )
            result = "ok"
        except DuplicateCustomer:
            result = "refused"
        except Exception as exc:  # noqa: BLE001 — any other outcome is the failure we test for
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(p, i)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1)
    assert Customer.objects.count() == 1
    assert OwnershipEvent.objects.count() == 1
    assert CustomerKey.objects.filter(kind="phone", value="13800009999").count() == 1
