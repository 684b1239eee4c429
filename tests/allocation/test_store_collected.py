"""Store-collected customers waiting (000 §4.2③ "每天"; SPEC §5): each working morning the
department manager hears how many store-collected customers still wait in the department pool
for a first distribution — once a day, never on a holiday or weekend, counting only their own
department and only customers never distributed or claimed."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from allocation.selectors import store_collected_waiting_counts
from allocation.services.distribution import (
    Assignment,
    claim_create,
    claim_decide,
    distribution_create,
)
from allocation.services.store_collected import store_collected_remind
from crm.models import Notification, WorkdayOverride
from customers.services import customer_declare_invalid, followup_log
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 8, 30, tzinfo=SH)  # a working day
REGISTERED = datetime(2026, 2, 27, 15, 0, tzinfo=SH)


def walk_in(actor, **kw):
    return register(actor, now=REGISTERED, source="walk_in", **kw)


@pytest.fixture
def waiting(org):
    """A's pool: five walk-ins, of which one was distributed, one claimed and one declared
    invalid (2 left waiting); a phone customer sales_a holds; B: one walk-in; A1: one walk-in."""
    a = [walk_in(org.sales_a) for _ in range(5)]
    register(org.sales_a, now=REGISTERED, source="phone")
    distribution_create(
        actor=org.manager_a,
        source="department",
        department=org.a,
        now=REGISTERED,
        assignments=[Assignment(a[0].pk, recipient=org.sales_a2)],
    )
    claim = claim_create(
        actor=org.sales_a, customer_ids=[a[1].pk], reason="我在这个小区", now=REGISTERED
    )
    claim_decide(actor=org.manager_a, claim=claim, approve=True, now=REGISTERED)
    followup_log(
        actor=org.manager_a,
        customer=a[2],
        data={
            "kind": "callback",
            "occurred_at": REGISTERED,
            "content": "经理回访：号码是空号，无法联系。",
        },
        now=REGISTERED,
    )
    customer_declare_invalid(actor=org.manager_a, customer=a[2], reason="空号", now=REGISTERED)
    return {"a": a, "b": walk_in(org.sales_b), "a1": walk_in(org.sales_a1)}


def reminders_for(user):
    return list(Notification.objects.filter(recipient=user, link__contains="store_waiting=1"))


def test_each_manager_hears_of_their_own_department_on_a_working_morning(org, waiting):
    assert store_collected_waiting_counts() == {org.a.pk: 2, org.b.pk: 1, org.a1.pk: 1}
    sent = store_collected_remind(now=MONDAY)
    assert {r.recipient.username: r.count for r in sent} == {
        "manager_a": 2,
        "manager_b": 1,
        "manager_a1": 1,
    }
    [note] = reminders_for(org.manager_a)
    assert "2" in note.title and note.created_at == MONDAY
    assert note.link == f"{reverse('allocation:pool')}?pool={org.a.pk}&store_waiting=1"
    assert org.a.name in note.body and org.a1.name not in note.body
    assert reminders_for(org.sales_a) == [] and reminders_for(org.gm) == []


def test_no_reminder_on_a_weekend_or_a_holiday(org, waiting):
    saturday = datetime(2026, 3, 7, 8, 30, tzinfo=SH)
    national_day = datetime(2026, 10, 1, 8, 30, tzinfo=SH)  # a Thursday, public holiday
    assert store_collected_remind(now=saturday) == []
    assert store_collected_remind(now=national_day) == []
    assert Notification.objects.filter(link__contains="store_waiting=1").count() == 0


def test_a_make_up_working_saturday_and_an_override_follow_the_calendar(org, waiting):
    assert store_collected_remind(now=datetime(2026, 2, 28, 8, 30, tzinfo=SH))  # 调休 workday
    WorkdayOverride.objects.create(date=datetime(2026, 3, 9).date(), is_workday=False, note="停电")
    assert store_collected_remind(now=datetime(2026, 3, 9, 8, 30, tzinfo=SH)) == []


def test_running_twice_a_day_reminds_once_and_the_next_working_day_again(org, waiting):
    store_collected_remind(now=MONDAY)
    assert store_collected_remind(now=MONDAY.replace(hour=9)) == []
    assert store_collected_remind(now=MONDAY.replace(hour=11, minute=30)) == []
    assert len(reminders_for(org.manager_a)) == 1
    store_collected_remind(now=datetime(2026, 3, 3, 8, 30, tzinfo=SH))
    assert len(reminders_for(org.manager_a)) == 2


def test_nothing_waiting_nobody_reminded(org):
    walk_in_distributed = walk_in(org.sales_a)
    distribution_create(
        actor=org.manager_a,
        source="department",
        department=org.a,
        now=REGISTERED,
        assignments=[Assignment(walk_in_distributed.pk, recipient=org.sales_a)],
    )
    assert store_collected_remind(now=MONDAY) == []


def test_department_without_a_manager_tells_the_general_manager(org, waiting):
    from crm.services import department_save

    org.b.manager = None
    department_save(department=org.b)
    sent = {r.recipient.username: r.count for r in store_collected_remind(now=MONDAY)}
    assert sent["gm"] == 1 and "manager_b" not in sent


def test_dry_run_sends_nothing(org, waiting):
    assert len(store_collected_remind(now=MONDAY, dry_run=True)) == 3
    assert Notification.objects.filter(link__contains="store_waiting=1").count() == 0


def test_command_reminds_and_says_whom(org, waiting):
    out = StringIO()
    with time_machine.travel(MONDAY, tick=False):
        call_command("remind_store_collected", stdout=out)
        call_command("remind_store_collected", stdout=out)
    assert "reminded 3" in out.getvalue() and "reminded 0" in out.getvalue()


def test_beat_runs_it_on_weekday_mornings():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["store-collected-waiting"]
    assert entry["task"] == "allocation.tasks.remind_store_collected"
    assert entry["schedule"].hour == {8, 9, 10, 11} and entry["schedule"].minute == {30}


def test_manager_dashboard_shows_the_count_and_links_to_the_filtered_pool(org, waiting, login):
    client = login(org.manager_a)
    response = client.get(reverse("crm:dashboard"))
    panel = next(
        p for p in response.context["panels"] if p["template"] == "allocation/_manager_panel.html"
    )
    # manager_a manages A and its sub-department A1.
    assert [(w["name"], w["count"]) for w in panel["store_waiting"]] == [
        (org.a.name, 2),
        (org.a1.name, 1),
    ]
    assert 'data-testid="store-waiting"' in response.content.decode()
    pool = client.get(panel["store_waiting"][0]["url"])
    shown = {c.pk for c in pool.context["customers"]}
    assert shown == {waiting["a"][3].pk, waiting["a"][4].pk}
    assert login(org.manager_b).get(panel["store_waiting"][0]["url"]).status_code == 404


def test_salesperson_dashboard_has_no_store_waiting_panel(org, waiting, login):
    page = login(org.sales_a).get(reverse("crm:dashboard")).content.decode()
    assert 'data-testid="store-waiting"' not in page
