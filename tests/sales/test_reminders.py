"""Overdue reminders (SPEC §10 电子催款单): the day after the due date, then every 7 days while
unpaid; idempotent; a missed stretch caught up once; who is told (holder, or for a pooled
customer the department manager); mail when configured; the command's --as-of/--dry-run."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from crm.models import Notification
from customers.models import Pool
from customers.services import ownership_transfer
from sales.models import Instalment
from sales.services.reminders import overdue_reminders_send
from tests.sales.test_receivables import contract_for, customer_of, instalments_of, pay

SH = ZoneInfo("Asia/Shanghai")
DUE = date(2026, 3, 10)


def day(n: int) -> date:
    return DUE + timedelta(days=n)


def sent_on(n: int) -> list[tuple]:
    result = overdue_reminders_send(as_of=day(n))
    return [(r.recipient.username, r.customer.pk, len(r.instalments)) for r in result.reminders]


@pytest.fixture
def owed(org):
    customer = customer_of(org.sales_a)
    contract = contract_for(customer, [(DUE, 1000), (day(60), 500)], actor=org.sales_a)
    return customer, contract


def test_reminded_the_day_after_due_then_weekly(org, owed):
    customer, _contract = owed
    assert sent_on(-1) == [] and sent_on(0) == []  # not overdue yet
    assert sent_on(1) == [("sales_a", customer.pk, 1)]
    for n in range(2, 8):
        assert sent_on(n) == [], n
    assert sent_on(8) == [("sales_a", customer.pk, 1)]
    for n in range(9, 15):
        assert sent_on(n) == [], n
    assert sent_on(15) == [("sales_a", customer.pk, 1)]
    assert Notification.objects.filter(recipient=org.sales_a).count() == 3


def test_running_twice_on_a_day_sends_nothing_twice(org, owed):
    assert len(sent_on(1)) == 1
    assert sent_on(1) == []
    assert Notification.objects.count() == 1
    # A run for an earlier day after a later one finds nothing either.
    assert sent_on(0) == [] and sent_on(1) == []


def test_missed_days_are_caught_up_once(org, owed):
    customer, _contract = owed
    # Nothing ran from day 1 to day 4: day 5 sends one reminder, not five.
    assert sent_on(5) == [("sales_a", customer.pk, 1)]
    assert Notification.objects.count() == 1
    for n in range(6, 12):
        assert sent_on(n) == [], n
    assert sent_on(12) == [("sales_a", customer.pk, 1)]


def test_one_notification_per_customer_with_a_link_to_the_letter(org, owed):
    customer, contract = owed
    other = contract_for(customer, [(DUE - timedelta(days=3), 300)], actor=org.sales_a)
    assert sent_on(1) == [("sales_a", customer.pk, 2)]
    note = Notification.objects.get()
    assert note.recipient == org.sales_a
    assert customer.name in note.title
    assert note.link == reverse("sales:reminder_letter", kwargs={"customer_pk": customer.pk})
    assert "1,300.00" in note.body
    reminded = {i.pk: i.last_reminded_on for i in Instalment.objects.all()}
    assert reminded[instalments_of(other)[0].pk] == day(1)
    assert reminded[instalments_of(contract)[0].pk] == day(1)
    assert reminded[instalments_of(contract)[1].pk] is None  # not due yet


def test_paid_instalments_stop_the_reminders_and_partial_ones_do_not(org, owed):
    customer, contract = owed
    first = instalments_of(contract)[0]
    assert len(sent_on(1)) == 1
    pay(org.accountant_a, first, 400, day(3))
    assert sent_on(8) == [("sales_a", customer.pk, 1)]  # 600 still owed
    pay(org.accountant_a, first, 600, day(9))
    assert sent_on(15) == []


def test_draft_contracts_remind_nobody(org):
    customer = customer_of(org.sales_a)
    contract_for(customer, [(DUE, 100)], actor=org.sales_a, signed=False)
    assert sent_on(1) == []


def test_a_pooled_customer_reminds_the_department_manager(org, owed):
    customer, _contract = owed
    ownership_transfer(
        customer=customer,
        to_pool=Pool.DEPARTMENT,
        kind="reclaim",
        actor=None,
        now=datetime(2026, 3, 1, 0, 30, tzinfo=SH),
    )
    assert sent_on(1) == [("manager_a", customer.pk, 1)]
    assert not Notification.objects.filter(recipient=org.sales_a).exists()


def test_the_current_holder_is_reminded_not_the_seller(org, owed):
    customer, _contract = owed
    ownership_transfer(
        customer=customer,
        to_holder=org.sales_a2,
        kind="swap",
        actor=org.manager_a,
        now=datetime(2026, 3, 5, 9, 0, tzinfo=SH),
    )
    assert sent_on(1) == [("sales_a2", customer.pk, 1)]


def test_reminders_are_mailed_when_mail_is_configured(
    org, owed, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BY_EMAIL = True
    org.sales_a.email = "sales_a@example.com"
    org.sales_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        sent_on(1)
    assert [m.to for m in mail.outbox] == [["sales_a@example.com"]]
    assert owed[0].name in mail.outbox[0].subject


def test_dry_run_lists_and_writes_nothing(org, owed):
    result = overdue_reminders_send(as_of=day(1), dry_run=True)
    assert [r.recipient for r in result.reminders] == [org.sales_a]
    assert Notification.objects.count() == 0
    assert Instalment.objects.filter(last_reminded_on__isnull=False).count() == 0


def test_command_with_as_of_and_dry_run(org, owed):
    out = StringIO()
    call_command("overdue_reminders", "--as-of", day(1).isoformat(), "--dry-run", stdout=out)
    assert "would send 1 reminders about 1 instalments" in out.getvalue()
    assert Notification.objects.count() == 0
    out = StringIO()
    call_command("overdue_reminders", "--as-of", day(1).isoformat(), stdout=out)
    assert "sent 1 reminders" in out.getvalue()
    out = StringIO()
    call_command("overdue_reminders", "--as-of", day(1).isoformat(), stdout=out)
    assert "sent 0 reminders" in out.getvalue()
    assert Notification.objects.count() == 1


def test_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("overdue_reminders", "--as-of", "2026-13-01")


def test_the_daily_job_is_scheduled():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["sales-overdue-reminders"]
    assert entry["task"] == "sales.tasks.overdue_reminders"
    assert 8 in entry["schedule"].hour and entry["schedule"].minute == {0}


def test_the_task_reads_the_clock_and_reminds(org, owed):
    import time_machine

    from sales.tasks import overdue_reminders

    with time_machine.travel(datetime(2026, 3, 11, 8, 0, tzinfo=SH), tick=False):
        assert overdue_reminders() == 1
        assert overdue_reminders() == 0  # the 09:00–11:00 runs only catch up
    assert Notification.objects.get().created_at == datetime(2026, 3, 11, 8, 0, tzinfo=SH)
