"""一般行动 (002 §3.2, SPEC §10): which opportunities a month checks, on its edges in Asia/Shanghai
time, and the monthly scan that records the ones without an action on the holder, once."""

import importlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from customers.services import ownership_transfer
from penalties.defaults import RULES
from penalties.models import LedgerEntry, PenaltyRule
from penalties.services import penalties_scan
from sales.models import Opportunity
from sales.selectors.opportunities import missing_action, opportunities_missing_action
from sales.services.opportunities import (
    opportunity_action_log,
    opportunity_create,
    opportunity_move,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "电话回访，客户确认了预算范围，约定下周到店看样品后再谈报价。"
MIGRATION = importlib.import_module("penalties.migrations.0006_no_opportunity_action")


def at(*args):
    return datetime(*args, tzinfo=SH)


def opened(actor, customer, now, product="实木地板"):
    return opportunity_create(
        actor=actor,
        customer=customer,
        data={
            "product": product,
            "expected_amount": Decimal("10000"),
            "expected_close": date(2026, 12, 31),
        },
        now=now,
    )


def action(actor, opportunity, when):
    return opportunity_action_log(
        actor=actor,
        opportunity=opportunity,
        data={"kind": "callback", "occurred_at": when, "content": GOOD},
        now=max(when, at(2026, 4, 1, 0, 30)) + timedelta(minutes=1),
    )


def missing(month: date) -> set[int]:
    return {m.opportunity_id for m in opportunities_missing_action(month=month)}


@pytest.fixture
def customer(org):
    return register(org.sales_a, now=at(2026, 2, 1, 9, 0))


MARCH = date(2026, 3, 1)


def test_an_action_on_march_31_at_23_59_counts_for_march_and_at_april_1_for_april(org, customer):
    early = opened(org.sales_a, customer, at(2026, 3, 2, 9, 0), "甲")
    late = opened(org.sales_a, customer, at(2026, 3, 2, 9, 0), "乙")
    action(org.sales_a, early, at(2026, 3, 31, 23, 59))
    action(org.sales_a, late, at(2026, 4, 1, 0, 0))
    assert missing(MARCH) == {late.pk}
    assert missing(date(2026, 4, 1)) == {early.pk}


def test_an_action_on_march_1_at_00_00_counts_and_february_28_does_not(org, customer):
    o = opened(org.sales_a, customer, at(2026, 2, 2, 9, 0))
    action(org.sales_a, o, at(2026, 2, 28, 23, 59))
    assert missing(MARCH) == {o.pk}
    action(org.sales_a, o, at(2026, 3, 1, 0, 0))
    assert missing(MARCH) == set()
    assert missing(date(2026, 2, 1)) == set()


def test_opportunities_opened_in_the_months_last_week_wait_for_the_next_month(org, customer):
    # March has 31 days: the last 7 start on 03-25 00:00.
    before = opened(org.sales_a, customer, at(2026, 3, 24, 23, 59), "甲")
    within = opened(org.sales_a, customer, at(2026, 3, 25, 0, 0), "乙")
    assert missing(MARCH) == {before.pk}
    assert missing(date(2026, 4, 1)) == {before.pk, within.pk}


def test_closed_before_the_month_ends_is_not_checked_closed_after_is(org, customer):
    won = opened(org.sales_a, customer, at(2026, 3, 2, 9, 0), "甲")
    lost_late = opened(org.sales_a, customer, at(2026, 3, 2, 9, 0), "乙")
    opportunity_move(actor=org.sales_a, opportunity=won, stage="won", now=at(2026, 3, 31, 23, 59))
    opportunity_move(
        actor=org.sales_a,
        opportunity=lost_late,
        stage="lost",
        reason="客户搬迁",
        now=at(2026, 4, 1, 0, 0),
    )
    assert missing(MARCH) == {lost_late.pk}
    assert missing(date(2026, 4, 1)) == set()


def test_the_list_filter_and_the_scan_use_the_same_rule(org, customer):
    a = opened(org.sales_a, customer, at(2026, 3, 2, 9, 0), "甲")
    opened(org.sales_a, customer, at(2026, 3, 2, 9, 0), "乙")
    action(org.sales_a, a, at(2026, 3, 5, 9, 0))
    assert set(
        missing_action(Opportunity.objects.all(), month=MARCH).values_list("pk", flat=True)
    ) == missing(MARCH)


def test_the_scan_records_each_opportunity_once_on_the_holder_at_the_months_end(org, customer):
    kept = opened(org.sales_a, customer, at(2026, 3, 2, 9, 0), "甲")
    moved_customer = register(org.sales_a, now=at(2026, 2, 1, 9, 0))
    moved = opened(org.sales_a, moved_customer, at(2026, 3, 2, 9, 0), "乙")
    done = opened(org.sales_a, customer, at(2026, 3, 2, 9, 0), "丙")
    action(org.sales_a, done, at(2026, 3, 20, 9, 0))
    # The customer moves to sales_a2 on 03-31 23:00: the March entry falls on sales_a2; a move
    # after the month ended (04-01 00:10, before the scan) does not change that.
    ownership_transfer(
        customer=moved_customer,
        to_holder=org.sales_a2,
        kind="distributed",
        actor=org.manager_a,
        now=at(2026, 3, 31, 23, 0),
    )
    ownership_transfer(
        customer=moved_customer,
        to_holder=org.sales_a,
        kind="distributed",
        actor=org.manager_a,
        now=at(2026, 4, 1, 0, 10),
    )
    assert (
        penalties_scan(as_of=date(2026, 3, 31), now=at(2026, 3, 31, 1)).proposed[
            "NO_OPPORTUNITY_ACTION"
        ]
        == 0
    )  # not the 1st
    result = penalties_scan(as_of=date(2026, 4, 1), now=at(2026, 4, 1, 1))
    assert result.proposed["NO_OPPORTUNITY_ACTION"] == 2
    entries = LedgerEntry.objects.filter(rule__code="NO_OPPORTUNITY_ACTION")
    got = {(e.customer_id, e.person_id) for e in entries}
    assert got == {(customer.pk, org.sales_a.pk), (moved_customer.pk, org.sales_a2.pk)}
    for e in entries:
        assert (e.amount, e.points, e.occurred_on, e.month) == (
            Decimal(0),
            -1,
            date(2026, 3, 31),
            MARCH,
        )
        assert e.status == "proposed" and e.department_id == org.a.pk
    assert (
        "2026-03" in entries.get(customer=customer).reason
        and kept.product in entries.get(customer=customer).reason
    )
    # Idempotent: a second run proposes nothing new.
    again = penalties_scan(as_of=date(2026, 4, 1), now=at(2026, 4, 1, 2))
    assert again.proposed["NO_OPPORTUNITY_ACTION"] == 0
    assert entries.count() == 2
    assert moved.pk in missing(MARCH)


def test_a_customer_in_a_pool_at_the_months_end_records_nothing(org, customer):
    opened(org.sales_a, customer, at(2026, 3, 2, 9, 0))
    ownership_transfer(
        customer=customer, to_pool="department", kind="reclaim", actor=None, now=at(2026, 3, 30, 1)
    )
    result = penalties_scan(as_of=date(2026, 4, 1), now=at(2026, 4, 1, 1))
    assert result.proposed["NO_OPPORTUNITY_ACTION"] == 0


def test_the_rule_is_in_the_catalogue_as_a_zero_yuan_scan_rule_the_gm_may_edit(db):
    rule = PenaltyRule.objects.get(code="NO_OPPORTUNITY_ACTION")
    assert (rule.default_amount, rule.min_amount, rule.max_amount) == (0, 0, 0)
    assert (rule.origin, rule.falls_on, rule.is_active, rule.is_reward) == (
        "scan",
        "person",
        True,
        False,
    )
    rule.full_clean()


def test_a_retired_rule_proposes_nothing(org, customer):
    opened(org.sales_a, customer, at(2026, 3, 2, 9, 0))
    PenaltyRule.objects.filter(code="NO_OPPORTUNITY_ACTION").update(is_active=False)
    result = penalties_scan(as_of=date(2026, 4, 1), now=at(2026, 4, 1, 1))
    assert result.proposed["NO_OPPORTUNITY_ACTION"] == 0


def test_migration_0006_and_the_defaults_agree(db):
    defaults = {row[0]: row for row in RULES}
    for (
        code,
        name,
        source,
        default,
        low,
        high,
        falls_on,
        origin,
        effect,
        reward,
    ) in MIGRATION.NEW_RULES:
        assert defaults[code] == (
            code,
            name,
            source,
            Decimal(default),
            Decimal(low),
            None if high is None else Decimal(high),
            falls_on,
            origin,
            effect,
            reward,
        )


def test_migration_0006_adds_the_rule_once_with_its_history(db):
    from django.apps import apps

    PenaltyRule.objects.filter(code="NO_OPPORTUNITY_ACTION").delete()
    MIGRATION.create_rule(apps, None)
    MIGRATION.create_rule(apps, None)
    rule = PenaltyRule.objects.get(code="NO_OPPORTUNITY_ACTION")
    assert rule.history.filter(history_change_reason="migration 0006", history_type="+").exists()
