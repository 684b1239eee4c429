"""Handover and dispute pages cost the same number of queries however many records they show."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocation.services.disputes import dispute_open
from allocation.services.handover import handover_open
from customers.services import inquiry_log
from tests.factories import make_person, register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 15, 10, tzinfo=SH)


def count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_handover_page_queries_do_not_grow_with_customers(org, login):
    few = make_person("few", "salesperson", org.a)
    many = make_person("many", "salesperson", org.a)
    for _ in range(2):
        register(few, now=datetime(2026, 1, 5, 9, tzinfo=SH))
    for _ in range(15):
        register(many, now=datetime(2026, 1, 5, 9, tzinfo=SH))
    client = login(org.manager_a)
    pages = []
    for person in (few, many):
        handover = handover_open(
            actor=org.manager_a, staff=person.staff, status="left", effective_at=NOW, now=NOW
        )
        pages.append(count(client, reverse("allocation:handover_detail", args=[handover.pk])))
    assert pages[0] == pages[1]
    assert count(client, reverse("allocation:handovers")) > 0


def test_dispute_page_queries_do_not_grow_with_calls(org, login):
    client = login(org.manager_a)
    pages = []
    for phone, calls in (("13955550001", 1), ("13955550002", 12)):
        for i in range(calls):
            inquiry_log(
                actor=org.sales_a if i % 2 else org.sales_a2,
                phone=phone,
                caller_name="王先生",
                content="问木门价格和安装周期",
                occurred_at=NOW,
                now=NOW,
            )
        dispute = dispute_open(
            actor=org.manager_a,
            phone=phone,
            name="",
            claimants=[org.sales_a, org.sales_a2],
            note="两人都说先接触",
            now=NOW,
        )
        pages.append(count(client, reverse("allocation:dispute_detail", args=[dispute.pk])))
    assert pages[0] == pages[1]
