"""Revisit plans (SPEC §11; 002 第二章 1.1, 004 追访流程): 售后 revisits after a deal and a
signed contract, stage revisits, 首谈三次回访, whom to greet, the list and its query count."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from constance.test import override_config
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.errors import RuleError
from customers.models import FollowUp
from customers.services.records import deal_record
from service.models import ProjectStageEvent, RevisitPlan
from service.selectors.revisits import birthdays, festival_greetings, festivals, revisits_due
from service.services.revisits import (
    first_inquiry_unreachable,
    revisit_complete,
    revisit_plan_create,
    stage_event_record,
)
from tests.factories import register
from tests.sales.test_contracts_helpers import signed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SH = ZoneInfo("Asia/Shanghai")
REGISTERED = datetime(2026, 1, 15, 10, 0, tzinfo=SH)


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def customer(org):
    return register(
        org.sales_a,
        now=REGISTERED,
        contacts=[{"name": "王五", "gender": "M", "mobile": "13700000001"}],
    )


def _plans(customer, kind):
    return list(
        RevisitPlan.objects.filter(customer=customer, kind=kind)
        .order_by("due_on")
        .values_list("due_on", flat=True)
    )


def call(at, content="电话回访客户,未接通,稍后再拨打"):
    return {"kind": FollowUp.Kind.CALLBACK, "occurred_at": at, "content": content}


def test_after_sale_revisits_six_and_twelve_months_after_a_deal(org, customer):
    deal_record(
        actor=org.sales_a,
        customer=customer,
        data={
            "occurred_at": datetime(2026, 8, 31, 23, 30, tzinfo=SH),
            "product": "实木地板",
            "quantity": Decimal("10"),
            "amount": Decimal("5000"),
        },
        now=datetime(2026, 9, 1, 9, 0, tzinfo=SH),
    )
    # The local sale date counts; 31 August + 6 months is the last day of February.
    assert _plans(customer, "after_sale") == [date(2027, 2, 28), date(2027, 8, 31)]


def test_a_zero_amount_deal_makes_no_revisit(org, customer):
    deal_record(
        actor=org.sales_a,
        customer=customer,
        data={
            "occurred_at": datetime(2026, 3, 2, 10, tzinfo=SH),
            "product": "赠品",
            "quantity": Decimal("1"),
            "amount": Decimal("0"),
        },
        now=datetime(2026, 3, 2, 11, tzinfo=SH),
    )
    assert _plans(customer, "after_sale") == []


def test_after_sale_revisits_after_a_signed_contract(org, customer):
    contract = signed(org.sales_a, customer)  # signed 2026-04-10 15:00
    assert _plans(customer, "after_sale") == [date(2026, 10, 10), date(2027, 4, 10)]
    assert set(
        RevisitPlan.objects.filter(customer=customer).values_list("contract_id", flat=True)
    ) == {contract.pk}


def test_a_deal_and_a_contract_of_the_same_day_make_one_set(org, customer):
    signed(org.sales_a, customer)
    deal_record(
        actor=org.sales_a,
        customer=customer,
        data={
            "occurred_at": datetime(2026, 4, 10, 9, tzinfo=SH),
            "product": "实木地板",
            "quantity": Decimal("1"),
            "amount": Decimal("100"),
        },
        now=datetime(2026, 4, 20, 11, tzinfo=SH),
    )
    assert _plans(customer, "after_sale") == [date(2026, 10, 10), date(2027, 4, 10)]


def test_contract_signed_hook_registry_runs_hooks_once():
    from sales.services import contracts

    seen = []

    def hook(*, contract, now):
        seen.append(contract)

    contracts.register_contract_signed_hook(hook)
    contracts.register_contract_signed_hook(hook)
    try:
        assert contracts._CONTRACT_SIGNED_HOOKS.count(hook) == 1
    finally:
        contracts._CONTRACT_SIGNED_HOOKS.remove(hook)


@override_config(REVISIT_AFTER_STAGE_DAYS=3)
def test_stage_revisit_n_days_after_each_stage(org, customer):
    now = datetime(2026, 6, 30, 18, tzinfo=SH)
    for stage, on in [
        ("deposit", date(2026, 5, 4)),
        ("material", date(2026, 5, 20)),
        ("concealed", date(2026, 6, 1)),
        ("mid", date(2026, 6, 15)),
        ("final", date(2026, 6, 29)),
    ]:
        stage_event_record(
            actor=org.sales_a, customer=customer, stage=stage, occurred_on=on, now=now
        )
    got = dict(RevisitPlan.objects.filter(customer=customer).values_list("kind", "due_on"))
    assert got == {
        "stage_deposit": date(2026, 5, 7),
        "stage_material": date(2026, 5, 23),
        "stage_concealed": date(2026, 6, 4),
        "stage_mid": date(2026, 6, 18),
        "stage_final": date(2026, 7, 2),
    }
    assert ProjectStageEvent.objects.filter(customer=customer).count() == 5


def test_stage_days_are_admin_editable(org, customer):
    with override_config(REVISIT_AFTER_STAGE_DAYS=7):
        stage_event_record(
            actor=org.sales_a,
            customer=customer,
            stage="deposit",
            occurred_on=date(2026, 5, 4),
            now=datetime(2026, 5, 4, 18, tzinfo=SH),
        )
    assert _plans(customer, "stage_deposit") == [date(2026, 5, 11)]


def test_who_may_record_stages_and_plan(org, customer):
    now = datetime(2026, 5, 4, 18, tzinfo=SH)
    for outsider in (org.sales_a2, org.sales_b, org.manager_b, org.accountant_a):
        with pytest.raises(RuleError):
            stage_event_record(
                actor=outsider,
                customer=customer,
                stage="deposit",
                occurred_on=date(2026, 5, 4),
                now=now,
            )
    stage_event_record(
        actor=org.manager_a,
        customer=customer,
        stage="deposit",
        occurred_on=date(2026, 5, 4),
        now=now,
    )
    with pytest.raises(RuleError, match="future"):
        stage_event_record(
            actor=org.sales_a, customer=customer, stage="mid", occurred_on=date(2026, 5, 5), now=now
        )
    with pytest.raises(RuleError, match="past"):
        revisit_plan_create(
            actor=org.sales_a,
            customer=customer,
            kind="regular",
            due_on=date(2026, 5, 3),
            note="",
            now=now,
        )
    plan = revisit_plan_create(
        actor=org.sales_a,
        customer=customer,
        kind="realtime",
        due_on=date(2026, 5, 4),
        note="",
        now=now,
    )
    assert plan.kind == "realtime"


def test_three_attempts_for_an_unreachable_first_inquiry_within_two_days(org, customer):
    first_at = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
    followup, second = first_inquiry_unreachable(
        actor=org.sales_a, customer=customer, data=call(first_at), now=first_at
    )
    assert second.attempt == 2
    assert second.due_at == datetime(2026, 3, 3, 10, 0, tzinfo=SH)
    assert second.due_on == date(2026, 3, 3)
    assert second.origin_followup == followup
    # The second call the same afternoon, still no answer: the third is due a day later.
    second_at = datetime(2026, 3, 2, 16, 0, tzinfo=SH)
    revisit_complete(
        actor=org.sales_a, plan=second, outcome="unreachable", data=call(second_at), now=second_at
    )
    third = RevisitPlan.objects.get(previous=second)
    assert third.attempt == 3
    assert third.due_at == datetime(2026, 3, 3, 16, 0, tzinfo=SH)
    assert third.due_at - first_at <= (datetime(2026, 3, 4, 10, tzinfo=SH) - first_at)
    third_at = datetime(2026, 3, 3, 15, 0, tzinfo=SH)
    revisit_complete(
        actor=org.sales_a, plan=third, outcome="unreachable", data=call(third_at), now=third_at
    )
    # Three calls made within 2 days: no fourth is generated automatically.
    assert not RevisitPlan.objects.filter(previous=third).exists()
    third.refresh_from_db()
    assert third.followup.occurred_at == third_at and third.outcome == "unreachable"
    assert FollowUp.objects.filter(customer=customer).count() == 3


def test_a_late_second_call_keeps_the_third_within_the_window(org, customer):
    first_at = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
    _, second = first_inquiry_unreachable(
        actor=org.sales_a, customer=customer, data=call(first_at), now=first_at
    )
    second_at = datetime(2026, 3, 3, 20, 0, tzinfo=SH)
    revisit_complete(
        actor=org.sales_a, plan=second, outcome="unreachable", data=call(second_at), now=second_at
    )
    third = RevisitPlan.objects.get(previous=second)
    assert third.due_at == datetime(2026, 3, 4, 10, 0, tzinfo=SH)  # first + 2 days


def test_a_reached_attempt_ends_the_chain_and_a_done_plan_is_refused(org, customer):
    first_at = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
    _, second = first_inquiry_unreachable(
        actor=org.sales_a, customer=customer, data=call(first_at), now=first_at
    )
    at = datetime(2026, 3, 2, 15, 0, tzinfo=SH)
    revisit_complete(
        actor=org.sales_a,
        plan=second,
        outcome="reached",
        data=call(at, "接通了,客户周六来店面谈"),
        now=at,
    )
    assert not RevisitPlan.objects.filter(previous=second).exists()
    with pytest.raises(RuleError, match="already"):
        revisit_complete(actor=org.sales_a, plan=second, outcome="reached", data=call(at), now=at)
    with pytest.raises(RuleError):
        first_inquiry_unreachable(actor=org.sales_b, customer=customer, data=call(at), now=at)


def test_revisits_due_feed_the_holders_day_and_follow_the_customer(org, customer):
    now = datetime(2026, 5, 4, 9, tzinfo=SH)
    revisit_plan_create(
        actor=org.sales_a,
        customer=customer,
        kind="regular",
        due_on=date(2026, 5, 5),
        note="",
        now=now,
    )
    assert revisits_due(org.sales_a, today=date(2026, 5, 4)) == []
    due = revisits_due(org.sales_a, today=date(2026, 5, 6))
    assert [r.due_on for r in due] == [date(2026, 5, 5)] and due[0].days_overdue == 1
    assert revisits_due(org.sales_a2, today=date(2026, 5, 6)) == []


def _contact_born(org, birthday):
    return register(
        org.sales_a,
        now=REGISTERED,
        contacts=[{"name": f"生日{birthday}", "gender": "F", "birthday": birthday}],
    )


def test_birthdays_today_and_next_seven_days_incl_29_february(org):
    _contact_born(org, date(1980, 2, 29))
    _contact_born(org, date(1990, 3, 7))
    _contact_born(org, date(1990, 3, 8))  # 8 days after 28 February: not yet
    _contact_born(org, date(1985, 2, 27))  # yesterday
    got = birthdays(org.sales_a, today=date(2027, 2, 28))  # 2027 is a common year
    assert [(c.birthday, c.greet_on) for c in got] == [
        (date(1980, 2, 29), date(2027, 2, 28)),
        (date(1990, 3, 7), date(2027, 3, 7)),
    ]
    # In a leap year 29 February is its own day.
    got = birthdays(org.sales_a, today=date(2028, 2, 28), days=0)
    assert got == []
    assert [c.greet_on for c in birthdays(org.sales_a, today=date(2028, 2, 29), days=0)] == [
        date(2028, 2, 29)
    ]
    # Others' customers are not listed.
    assert birthdays(org.sales_b, today=date(2027, 2, 28)) == []
    assert birthdays(org.sales_a2, today=date(2027, 2, 28)) == []


def test_festivals_from_the_calendar_list_held_customers_contacts(org, customer):
    # Mid-autumn 2026-09-25..27, National Day 10-01..07 (10-10 is a 调休 working day).
    assert festivals(today=date(2026, 9, 21)) == []
    assert festivals(today=date(2026, 9, 22)) == [(date(2026, 9, 25), "Mid-autumn Festival")]
    assert [on for on, _ in festivals(today=date(2026, 9, 28))] == [date(2026, 10, 1)]
    assert festivals(today=date(2026, 10, 8)) == []
    got = festival_greetings(org.sales_a, today=date(2026, 9, 30))
    assert [c.name for c in got["contacts"]] == ["王五"]
    assert festival_greetings(org.sales_b, today=date(2026, 9, 30))["contacts"] == []
    assert festival_greetings(org.sales_a, today=date(2026, 9, 20))["festivals"] == []


def test_the_list_and_the_panel_query_counts_are_constant(org, client):
    now = datetime(2026, 5, 4, 9, tzinfo=SH)
    first = register(org.sales_a, now=REGISTERED)
    revisit_plan_create(
        actor=org.sales_a, customer=first, kind="regular", due_on=date(2026, 5, 4), note="", now=now
    )
    client.force_login(org.sales_a)
    url = reverse("service:revisit_list") + "?state=all"
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(5):
        c = register(org.sales_a, now=REGISTERED)
        revisit_plan_create(
            actor=org.sales_a,
            customer=c,
            kind="realtime",
            due_on=date(2026, 5, 4),
            note="",
            now=now,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)
    assert response.content.count(b"data-id=") == 6


def test_list_scope(org, client, customer):
    now = datetime(2026, 5, 4, 9, tzinfo=SH)
    plan = revisit_plan_create(
        actor=org.sales_a,
        customer=customer,
        kind="regular",
        due_on=date(2026, 5, 4),
        note="",
        now=now,
    )
    url = reverse("service:revisit_list") + "?scope=all&state=all"
    for user, seen in [
        (org.sales_a, True),
        (org.manager_a, True),
        (org.sales_a2, False),
        (org.manager_b, False),
    ]:
        client.force_login(user)
        body = client.get(url).content
        assert (f'data-id="{plan.pk}"'.encode() in body) is seen
    client.force_login(org.sales_b)
    assert client.get(reverse("service:revisit_do", args=[plan.pk])).status_code == 404
    client.force_login(org.accountant_a)
    assert client.get(reverse("service:revisit_list")).status_code == 404
