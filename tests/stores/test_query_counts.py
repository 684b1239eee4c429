"""Store pages cost the same number of queries however many designers, visitors and dispatches
a store has (the house rule: query counts per page are constant)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stores.models import Attendance, Dispatch, Visit
from tests.factories import register
from tests.stores.conftest import make_designer

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=SH)

PAGES = [
    "stores:home",
    "stores:designer_list",
    "stores:attendance",
    "stores:outing_list",
    "stores:designer_months",
    "stores:visit_list",
    "stores:visit_checks",
    "stores:prereg_list",
    "stores:reconcile",
    "stores:figures",
    "stores:dispatch_list",
    "stores:review_list",
]


def grow(shop, n: int, start: int) -> None:
    """n more designers, each with an attendance line, a register line and a signed dispatch."""
    level = shop.levels["设计师"]
    for i in range(start, start + n):
        designer = make_designer(f"s_more{i}", shop.store, level, styles=["modern"])
        Attendance.objects.create(
            store=shop.store,
            designer=designer,
            day=NOW.date(),
            status="present",
            recorded_by=shop.cm1,
            recorded_at=NOW,
        )
        customer = register(shop.cm1)
        visit = Visit.objects.create(
            store=shop.store,
            occurred_at=NOW - timedelta(hours=1),
            visitor_name=f"访客{i}",
            source="friend",
            intent_grade="B",
            customer=customer,
            recorded_by=shop.cm1,
            recorded_at=NOW,
        )
        Dispatch.objects.create(
            store=shop.store,
            customer=customer,
            visit=visit,
            designer=designer,
            status="confirmed",
            proposed_by=shop.cm1,
            proposed_at=NOW - timedelta(minutes=50),
            decided_by=shop.manager,
            decided_at=NOW - timedelta(minutes=40),
            confirmed_as="store_manager",
            signed_at=NOW - timedelta(minutes=10),
            signed_amount=100000,
        )


def count(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (constance, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("name", PAGES)
def test_store_page_queries_do_not_grow_with_the_store(shop, client, name):
    with time_machine.travel(NOW, tick=False):
        client.force_login(shop.manager)
        url = f"{reverse(name)}?store={shop.store.pk}"
        grow(shop, 2, 0)
        small = count(client, url)
        grow(shop, 6, 2)
        assert count(client, url) == small, name


def test_dispatch_new_ranking_queries_do_not_grow_with_the_designers(shop, client):
    with time_machine.travel(NOW, tick=False):
        client.force_login(shop.cm1)
        customer = register(shop.cm1)
        url = f"{reverse('stores:dispatch_new')}?store={shop.store.pk}&customer={customer.pk}"
        grow(shop, 2, 0)
        small = count(client, url)
        grow(shop, 6, 2)
        assert count(client, url) == small
