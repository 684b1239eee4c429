"""Reclaim warnings (7 and 1 days before, once) and the customer list's countdown (SPEC §6),
with explicit dates. Clocks are set with a queryset update after a real registration."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from allocation.models import ReclaimPolicy, ReclaimWarning
from allocation.services.warnings import (
    countdown_policies,
    customer_reclaim_day,
    days_left,
    reclaim_warn,
)
from crm.models import Notification
from customers.models import Customer
from customers.services import ownership_transfer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def held(holder, *, since, via="self_registered", followup=None, deal=None):
    customer = register(holder, now=since)
    Customer.objects.filter(pk=customer.pk).update(
        holder_since=since, acquired_via=via, last_followup_at=followup, last_deal_at=deal
    )
    customer.refresh_from_db()
    return customer


def warn(day: date) -> int:
    return reclaim_warn(as_of=day, now=datetime.combine(day, datetime.min.time(), SH))


def warned(customer):
    return sorted(
        ReclaimWarning.objects.filter(customer=customer).values_list(
            "policy", "due_on", "days_before"
        )
    )


# --- warnings --------------------------------------------------------------------------------


def test_company_issued_customer_warned_7_and_1_days_before_day_90(org):
    # Distributed 2026-01-15, no deal → reclaimed 2026-04-15; follow-ups keep the monthly rule
    # away from these dates.
    c = held(org.sales_a, since=at(2026, 1, 15, 10), via="distributed", followup=at(2026, 4, 2))
    assert warn(date(2026, 4, 7)) == 0  # 8 days before
    assert warn(date(2026, 4, 8)) == 1  # 7 days before
    assert warn(date(2026, 4, 9)) == 0  # 6
    assert warn(date(2026, 4, 13)) == 0  # 2
    assert warn(date(2026, 4, 14)) == 1  # 1
    assert warn(date(2026, 4, 15)) == 0
    assert warned(c) == [
        ("no_deal_issued", date(2026, 4, 15), 1),
        ("no_deal_issued", date(2026, 4, 15), 7),
    ]
    notes = Notification.objects.filter(recipient=org.sales_a)
    assert notes.count() == 2
    assert {n.link for n in notes} == {reverse("customers:detail", args=[c.pk])}
    assert all("2026-04-15" in n.title for n in notes)


def test_a_rerun_sends_nothing_twice(org):
    held(org.sales_a, since=at(2026, 1, 15, 10), via="distributed", followup=at(2026, 4, 2))
    held(org.sales_a2, since=at(2026, 1, 15, 23), via="claimed", followup=at(2026, 4, 2))
    assert warn(date(2026, 4, 8)) == 2
    assert warn(date(2026, 4, 8)) == 0
    assert reclaim_warn(as_of=date(2026, 4, 8), now=at(2026, 4, 8, 9)) == 0
    assert Notification.objects.count() == 2
    assert ReclaimWarning.objects.count() == 2


def test_self_registered_customer_warned_before_six_months(org):
    c = held(org.sales_b, since=at(2026, 1, 15, 10), followup=at(2026, 7, 1))
    assert [warn(date(2026, 7, d)) for d in range(7, 16)] == [0, 1, 0, 0, 0, 0, 0, 1, 0]
    assert warned(c) == [
        ("no_deal_self", date(2026, 7, 15), 1),
        ("no_deal_self", date(2026, 7, 15), 7),
    ]


def test_no_followup_rule_warns_before_the_monthly_run_that_takes_it(org):
    # Last follow-up 2026-02-20 → still held on 03-01, reclaimed on 04-01 (SPEC §6).
    c = held(org.sales_a, since=at(2026, 1, 5, 10), followup=at(2026, 2, 20, 15))
    sent = {d: warn(d) for d in (date(2026, 3, 13), date(2026, 3, 19), date(2026, 2, 22))}
    assert sent == {date(2026, 3, 13): 0, date(2026, 3, 19): 0, date(2026, 2, 22): 0}
    assert warn(date(2026, 3, 25)) == 1
    assert warn(date(2026, 3, 26)) == 0
    assert warn(date(2026, 3, 31)) == 1
    assert warned(c) == [
        ("no_followup", date(2026, 4, 1), 1),
        ("no_followup", date(2026, 4, 1), 7),
    ]


def test_deal_or_followup_moves_the_warning(org):
    # A deal on 2026-03-01 restarts the 90-day clock: no warning for 04-15, one for 05-30.
    c = held(
        org.sales_a,
        since=at(2026, 1, 15, 10),
        via="distributed",
        followup=at(2026, 5, 20),
        deal=at(2026, 3, 1, 11),
    )
    assert warn(date(2026, 4, 8)) == 0
    assert warn(date(2026, 5, 23)) == 1
    assert warned(c) == [("no_deal_issued", date(2026, 5, 30), 7)]


def test_inactive_rules_pool_customers_and_custom_offsets(org):
    c = held(org.sales_a, since=at(2026, 1, 15, 10), via="distributed", followup=at(2026, 4, 2))
    pooled = held(org.sales_a2, since=at(2026, 1, 15, 10), via="distributed")
    ownership_transfer(
        customer=pooled, to_pool="department", kind="reclaim", actor=None, now=at(2026, 1, 20)
    )
    Customer.objects.filter(pk=pooled.pk).update(holder_since=at(2026, 1, 15, 10))
    ReclaimPolicy.objects.filter(code="no_deal_issued").update(is_active=False)
    assert warn(date(2026, 4, 8)) == 0
    ReclaimPolicy.objects.filter(code="no_deal_issued").update(is_active=True, warn_days="3")
    assert warn(date(2026, 4, 8)) == 0
    assert warn(date(2026, 4, 12)) == 1
    assert warned(c) == [("no_deal_issued", date(2026, 4, 15), 3)]
    assert not ReclaimWarning.objects.filter(customer=pooled).exists()


def test_unsatisfied_rule_sends_no_warnings(org):
    ReclaimPolicy.objects.exclude(code="unsatisfied").update(is_active=False)
    held(org.sales_a, since=at(2026, 1, 15, 10))
    assert [warn(date(2026, 1, d)) for d in range(16, 32)] == [0] * 16


# --- countdown -------------------------------------------------------------------------------


def test_countdown_values(org):
    policies = countdown_policies()
    # 00:30 in Shanghai is the previous day in UTC: the Shanghai date starts the clock.
    issued = held(
        org.sales_a, since=at(2026, 1, 15, 0, 30), via="distributed", followup=at(2026, 4, 1)
    )
    # no deal (issued): 04-15; no follow-up: 04-01 + 1 month = 05-01 → earliest 04-15.
    assert customer_reclaim_day(issued, policies) == date(2026, 4, 15)
    assert days_left(issued, policies, date(2026, 4, 10)) == 5
    assert days_left(issued, policies, date(2026, 4, 20)) == 0  # overdue: the run takes it

    own = held(org.sales_a, since=at(2026, 1, 15, 10), followup=at(2026, 7, 1))
    # no deal (self): 07-15; no follow-up: 08-01 → 07-15.
    assert days_left(own, policies, date(2026, 7, 13)) == 2

    quiet = held(org.sales_a, since=at(2026, 2, 10, 23, 30), deal=at(2026, 2, 20))
    # no deal (self): 08-20; no follow-up: 02-10 + 1 month = 03-10, taken by the run on 04-01.
    assert customer_reclaim_day(quiet, policies) == date(2026, 4, 1)
    assert days_left(quiet, policies, date(2026, 3, 30)) == 2

    ownership_transfer(
        customer=issued, to_pool="department", kind="reclaim", actor=None, now=at(2026, 4, 15)
    )
    issued.refresh_from_db()
    assert days_left(issued, policies, date(2026, 4, 16)) is None


def test_countdown_tag_uses_only_rules_that_apply(org):
    ReclaimPolicy.objects.filter(code="no_followup").update(is_active=False)
    own = held(org.sales_a, since=at(2026, 1, 15, 10))
    issued = held(org.sales_a, since=at(2026, 1, 15, 10), via="distributed")
    restored = held(org.sales_a, since=at(2026, 1, 15, 10), via="restored")
    template = Template("{% load reclaim_tags %}{% days_left c today as left %}{{ left }}")

    def render(customer):
        return template.render(Context({"c": customer, "today": date(2026, 4, 10)}))

    assert render(issued) == "5"
    assert render(own) == "96"  # 07-15
    assert render(restored) == "None"  # no active rule names this kind


@pytest.mark.parametrize(
    ("today", "badge"), [(date(2026, 4, 10), False), (date(2026, 4, 13), True)]
)
def test_customer_list_shows_the_countdown(org, login, today, badge):
    c = held(org.sales_a, since=at(2026, 1, 15, 10), via="distributed", followup=at(2026, 4, 2))
    pooled = held(org.sales_a, since=at(2026, 1, 15, 10))
    ownership_transfer(
        customer=pooled, to_pool="department", kind="reclaim", actor=None, now=at(2026, 4, 1)
    )
    client = login(org.manager_a)
    with time_machine.travel(datetime.combine(today, datetime.min.time(), SH), tick=False):
        body = client.get(reverse("customers:list") + "?scope=all").content.decode()
    row = body.split(f'<tr data-id="{c.pk}">')[1].split("</tr>")[0]
    days = (date(2026, 4, 15) - today).days
    assert f'data-days="{days}"' in row
    assert ("status-left" in row.split('data-testid="days-left"')[1]) is badge
    pool_row = body.split(f'<tr data-id="{pooled.pk}">')[1].split("</tr>")[0]
    assert "data-days" not in pool_row
