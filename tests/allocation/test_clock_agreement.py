"""One rule, three readings (ARCHITECTURE "One rule, one source"): the reclaim clock is a query
(`candidates`, the sweep's selection), a per-row Python reading (`customer_reclaim_day`, the
countdown and the warnings) and the batch mover's own re-check (one SQL statement on
PostgreSQL). Over a grid of holding times — month ends, Shanghai midnight, records before and
after the holder got the customer — all three name the same customers on the same day."""

from datetime import date, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from allocation.models import ReclaimPolicy
from allocation.services.reclaim import candidates, reclaim_run
from allocation.services.warnings import customer_reclaim_day
from customers.models import Customer

SH = ZoneInfo("Asia/Shanghai")
HELD = [
    datetime(2026, 1, 1, 0, 0, tzinfo=SH),
    datetime(2026, 1, 15, 23, 59, tzinfo=SH),  # just before Shanghai midnight (UTC: the 15th)
    datetime(2026, 1, 31, 10, 0, tzinfo=SH),  # a month end: + 1 month clamps to Feb 28
    datetime(2026, 2, 28, 0, 30, tzinfo=SH),
]
OFFSETS = [None, -3, 0, 20, 45]  # the record, in days after holding it (None: no record)
KINDS = ["self_registered", "distributed"]


def _record(held, offset):
    return None if offset is None else held + timedelta(days=offset, hours=1)


@pytest.fixture
def grid(org):
    customers = []
    for n, (held, follow, deal, kind) in enumerate(product(HELD, OFFSETS, OFFSETS, KINDS)):
        customers.append(
            Customer(
                name=f"网格客户{n}",
                source="phone",
                department=org.a,
                holder=org.sales_a,
                holder_since=held,
                acquired_via=kind,
                registered_by=org.sales_a,
                registered_at=held - timedelta(days=1),
                last_followup_at=_record(held, follow),
                last_deal_at=_record(held, deal),
            )
        )
    Customer.objects.bulk_create(customers)
    return list(Customer.objects.filter(name__startswith="网格客户"))


def _days(policy):
    if policy.schedule == ReclaimPolicy.Schedule.MONTHLY:  # it runs on the 1st only
        return [date(2026, m, 1) for m in range(2, 10)]
    start = date(2026, 3, 25)
    return [start + timedelta(days=i) for i in range(0, 200, 3)]


@pytest.mark.parametrize("code", ["no_followup", "no_deal_issued", "no_deal_self"])
def test_the_query_the_countdown_and_the_mover_agree(grid, code):
    policy = ReclaimPolicy.objects.get(code=code)
    ReclaimPolicy.objects.exclude(code=code).update(is_active=False)  # no precedence here
    for day in _days(policy):
        by_python = {c.pk for c in grid if (d := customer_reclaim_day(c, [policy])) and d <= day}
        by_query = set(candidates(policy, as_of=day).values_list("pk", flat=True))
        assert by_query == by_python, (code, day)
        with transaction.atomic():
            now = datetime.combine(day, datetime.min.time(), SH) + timedelta(hours=1)
            moved = reclaim_run(policy_code=code, as_of=day, now=now)
            gone = set(
                Customer.objects.filter(
                    pk__in=[c.pk for c in grid], holder__isnull=True
                ).values_list("pk", flat=True)
            )
            transaction.set_rollback(True)
        assert gone == by_python and moved.moved == len(by_python), (code, day)
    assert any(customer_reclaim_day(c, [policy]) for c in grid)
