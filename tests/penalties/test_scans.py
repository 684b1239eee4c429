"""The scans that propose ledger entries (SPEC §7), each with explicit dates, each idempotent:
a second run proposes nothing new."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from constance.test import override_config
from django.core.management import CommandError, call_command

from allocation.services.handover import handover_distribute, handover_open
from crm.models import Notification, Staff, User
from customers.services import deal_record, followup_amend, followup_log
from penalties.models import ClosedMonth, LedgerEntry
from penalties.services import penalties_scan
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户对新款地板感兴趣，约定下周带样品再谈报价。"


def at(*args):
    return datetime(*args, tzinfo=SH)


def scan(day: date, **kw):
    return penalties_scan(as_of=day, now=datetime.combine(day, datetime.min.time(), SH), **kw)


def entries(code):
    return LedgerEntry.objects.filter(rule__code=code)


@pytest.fixture(autouse=True)
def joined_long_ago(db):
    """Nobody counts as 'never logged in' unless a test says so."""
    User.objects.update(date_joined=at(2024, 1, 1, 9), last_login=at(2030, 1, 1))


def log(actor, customer, *, occurred, now):
    return followup_log(
        actor=actor,
        customer=customer,
        now=now,
        data={"kind": "home_visit", "occurred_at": occurred, "content": GOOD},
    )


def deal(actor, customer, *, occurred, now):
    return deal_record(
        actor=actor,
        customer=customer,
        now=now,
        data={
            "occurred_at": occurred,
            "product": "实木地板",
            "quantity": Decimal(10),
            "amount": Decimal(5000),
            "paid": Decimal(5000),
        },
    )


# --- LATE_ENTRY ----------------------------------------------------------------------------


def test_late_followups_and_deals_are_proposed_once_on_their_author(org):
    customer = register(org.sales_a, now=at(2026, 11, 2, 9))
    # Monday 2026-11-09's visit is due by 10:00 on Tuesday; entered Tuesday 15:00: late.
    late = log(org.sales_a, customer, occurred=at(2026, 11, 9, 16), now=at(2026, 11, 10, 15))
    log(org.sales_a, customer, occurred=at(2026, 11, 9, 17), now=at(2026, 11, 10, 9))  # in time
    late_deal = deal(org.sales_a, customer, occurred=at(2026, 11, 9, 15), now=at(2026, 11, 12, 9))
    assert late.is_late and late_deal.is_late

    result = scan(date(2026, 11, 13))
    assert result.proposed["LATE_ENTRY"] == 2
    proposed = entries("LATE_ENTRY")
    assert {(e.person, e.amount, e.month) for e in proposed} == {
        (org.sales_a, Decimal(20), date(2026, 11, 1))
    }
    assert {e.followup_id for e in proposed} == {late.pk, None}
    assert {e.deal_id for e in proposed} == {late_deal.pk, None}
    assert all(e.status == "proposed" and e.department == org.a for e in proposed)

    assert scan(date(2026, 11, 13)).proposed["LATE_ENTRY"] == 0
    assert scan(date(2026, 11, 14)).proposed["LATE_ENTRY"] == 0
    assert entries("LATE_ENTRY").count() == 2


def test_a_record_entered_today_waits_for_tomorrows_scan_and_amendments_are_not_fined(org):
    customer = register(org.sales_a, now=at(2026, 11, 2, 9))
    late = log(org.sales_a, customer, occurred=at(2026, 11, 9, 16), now=at(2026, 11, 13, 15))
    followup_amend(
        actor=org.sales_a,
        original=late,
        data={"kind": "home_visit", "occurred_at": at(2026, 11, 9, 16), "content": GOOD + "补充"},
        now=at(2026, 11, 16, 11),
    )
    assert scan(date(2026, 11, 13)).proposed["LATE_ENTRY"] == 0
    assert scan(date(2026, 11, 17)).proposed["LATE_ENTRY"] == 1


def test_dry_run_lists_and_writes_nothing(org):
    customer = register(org.sales_a, now=at(2026, 11, 2, 9))
    log(org.sales_a, customer, occurred=at(2026, 11, 9, 16), now=at(2026, 11, 10, 15))
    result = scan(date(2026, 11, 13), dry_run=True)
    assert result.proposed["LATE_ENTRY"] == 1 and len(result.entries) == 1
    assert not LedgerEntry.objects.exists()


def test_a_breach_in_a_closed_month_goes_into_the_scans_month(org):
    customer = register(org.sales_a, now=at(2026, 10, 2, 9))
    log(org.sales_a, customer, occurred=at(2026, 10, 29, 16), now=at(2026, 10, 30, 15))
    ClosedMonth.objects.create(month=date(2026, 10, 1), closed_at=at(2026, 11, 1), closed_by=org.gm)
    scan(date(2026, 11, 2))
    entry = entries("LATE_ENTRY").get()
    assert entry.month == date(2026, 11, 1) and entry.occurred_on == date(2026, 10, 30)


# --- INCOMPLETE_AFTER_DEAL -----------------------------------------------------------------


def test_customer_still_incomplete_two_months_after_first_deal_is_proposed_on_its_holder(org):
    customer = register(org.sales_a, now=at(2026, 9, 1, 9), tax_id="", bank="")
    deal(org.sales_a, customer, occurred=at(2026, 9, 10, 11), now=at(2026, 9, 10, 12))
    customer.refresh_from_db()
    assert customer.is_incomplete and customer.completion_due == date(2026, 11, 10)

    assert scan(date(2026, 11, 10)).proposed["INCOMPLETE_AFTER_DEAL"] == 0
    assert scan(date(2026, 11, 11)).proposed["INCOMPLETE_AFTER_DEAL"] == 1
    entry = entries("INCOMPLETE_AFTER_DEAL").get()
    assert (entry.person, entry.customer, entry.amount) == (org.sales_a, customer, 20)
    assert scan(date(2026, 11, 12)).proposed["INCOMPLETE_AFTER_DEAL"] == 0


def test_a_complete_customer_or_one_without_a_deal_is_not_proposed(org):
    complete = register(
        org.sales_a,
        now=at(2026, 9, 1, 9),
        tax_id="91310000MA1FL0XX1Q",
        fax="021-55550000",
        bank="工商银行",
        bank_account="6222000011112222",
    )
    deal(org.sales_a, complete, occurred=at(2026, 9, 10, 11), now=at(2026, 9, 10, 12))
    register(org.sales_a, now=at(2026, 11, 1, 9), tax_id="")  # no deal: no deadline
    complete.refresh_from_db()
    assert not complete.is_incomplete
    assert scan(date(2026, 11, 20)).proposed["INCOMPLETE_AFTER_DEAL"] == 0


# --- HANDOVER_OVERDUE ----------------------------------------------------------------------


def test_handover_not_distributed_in_seven_days_is_proposed_on_the_manager(org):
    register(org.sales_a2, now=at(2026, 11, 1, 9))
    opened = at(2026, 11, 2, 10)
    handover = handover_open(
        actor=org.manager_a,
        staff=org.sales_a2.staff,
        status=Staff.Status.LEFT,
        effective_at=opened + timedelta(days=3),
        now=opened,
    )
    due = handover.due_at
    assert scan(due.date()).proposed["HANDOVER_OVERDUE"] == 0
    assert scan(due.date() + timedelta(days=1)).proposed["HANDOVER_OVERDUE"] == 1
    entry = entries("HANDOVER_OVERDUE").get()
    assert (entry.person, entry.handover, entry.amount) == (org.manager_a, handover, 50)
    assert entry.department == org.a
    assert scan(due.date() + timedelta(days=2)).proposed["HANDOVER_OVERDUE"] == 0


def test_handover_closed_in_time_is_not_proposed(org):
    customer = register(org.sales_a2, now=at(2026, 11, 1, 9))
    opened = at(2026, 11, 2, 10)
    handover = handover_open(
        actor=org.manager_a,
        staff=org.sales_a2.staff,
        status=Staff.Status.LEFT,
        effective_at=opened + timedelta(days=3),
        now=opened,
    )
    handover_distribute(
        actor=org.manager_a,
        handover=handover,
        assignments={customer.pk: org.sales_a},
        now=opened + timedelta(days=1),
    )
    assert scan(handover.due_at.date() + timedelta(days=3)).proposed["HANDOVER_OVERDUE"] == 0


# --- the monthly rules ---------------------------------------------------------------------


def test_fewer_new_customers_than_the_quota_is_recorded_on_the_first(org):
    for day in (3, 10):
        register(org.sales_a, now=at(2026, 11, day, 9))
    register(org.sales_a, now=at(2026, 10, 30, 9))  # October: does not count for November
    assert scan(date(2026, 11, 30)).proposed["NEW_RESOURCE_QUOTA"] == 0  # not the 1st
    with override_config(NEW_RESOURCE_QUOTA=2):
        scan(date(2026, 12, 1))
    assert not entries("NEW_RESOURCE_QUOTA").filter(person=org.sales_a).exists()
    LedgerEntry.objects.filter(rule__code="NEW_RESOURCE_QUOTA").delete()
    scan(date(2026, 12, 1))
    mine = entries("NEW_RESOURCE_QUOTA").get(person=org.sales_a)
    assert (mine.amount, mine.points, mine.month) == (0, -38, date(2026, 11, 1))
    # Every salesperson employed all month is counted; managers and accountants are not.
    people = set(entries("NEW_RESOURCE_QUOTA").values_list("person__username", flat=True))
    assert people == {"sales_a", "sales_a2", "sales_a1", "sales_b", "sales_b2"}
    assert scan(date(2026, 12, 1)).proposed["NEW_RESOURCE_QUOTA"] == 0


def test_someone_hired_during_the_month_has_no_quota_line(org):
    Staff.objects.filter(user=org.sales_b).update(hire_date=date(2026, 11, 16))
    scan(date(2026, 12, 1))
    assert not entries("NEW_RESOURCE_QUOTA").filter(person=org.sales_b).exists()


def test_quota_score_minus_one_point_per_missing_followup(org):
    a_grade = register(org.sales_a, now=at(2026, 10, 1, 9), intent_grade="A")  # 4 a month
    b_grade = register(org.sales_a, now=at(2026, 10, 1, 9), intent_grade="B")  # 3 a month
    log(org.sales_a, a_grade, occurred=at(2026, 11, 3, 10), now=at(2026, 11, 3, 11))
    for day in (4, 11, 18):
        log(org.sales_a, b_grade, occurred=at(2026, 11, day, 10), now=at(2026, 11, day, 11))
    log(org.sales_a, a_grade, occurred=at(2026, 10, 20, 10), now=at(2026, 10, 20, 11))  # October
    scan(date(2026, 12, 1))
    entry = entries("QUOTA_SCORE").get(person=org.sales_a)
    assert (entry.points, entry.amount, entry.month) == (-3, 0, date(2026, 11, 1))
    assert not entries("QUOTA_SCORE").filter(person=org.sales_a2).exists()  # holds nothing
    assert scan(date(2026, 12, 1)).proposed["QUOTA_SCORE"] == 0


# --- NO_LOGIN ------------------------------------------------------------------------------


def test_no_login_for_fourteen_days_is_recorded_and_told_to_the_manager(org):
    User.objects.filter(pk=org.sales_a.pk).update(last_login=at(2026, 11, 1, 10))
    assert scan(date(2026, 11, 15)).proposed["NO_LOGIN"] == 0
    assert scan(date(2026, 11, 16)).proposed["NO_LOGIN"] == 1
    entry = entries("NO_LOGIN").get()
    assert (entry.person, entry.amount) == (org.sales_a, 0)
    told = Notification.objects.get(link=f"/penalties/{entry.pk}/")
    assert told.recipient == org.manager_a
    assert scan(date(2026, 11, 20)).proposed["NO_LOGIN"] == 0
    # Logging in and vanishing again is a new absence.
    User.objects.filter(pk=org.sales_a.pk).update(last_login=at(2026, 11, 21, 10))
    assert scan(date(2026, 12, 6)).proposed["NO_LOGIN"] == 1


def test_a_person_who_has_left_or_the_gm_is_not_reported(org):
    User.objects.filter(pk__in=[org.sales_b.pk, org.gm.pk]).update(last_login=at(2026, 10, 1))
    Staff.objects.filter(user=org.sales_b).update(
        status=Staff.Status.LEFT, status_effective_at=at(2026, 10, 2)
    )
    assert scan(date(2026, 11, 16)).proposed["NO_LOGIN"] == 0


# --- the command ---------------------------------------------------------------------------


def test_command_runs_the_scans_for_a_date_and_dry_run_writes_nothing(org):
    customer = register(org.sales_a, now=at(2026, 11, 2, 9))
    log(org.sales_a, customer, occurred=at(2026, 11, 9, 16), now=at(2026, 11, 10, 15))
    out = StringIO()
    call_command("penalties_scan", "--as-of", "2026-11-13", "--dry-run", stdout=out)
    assert "LATE_ENTRY: would propose 1" in out.getvalue()
    assert not LedgerEntry.objects.exists()
    call_command("penalties_scan", "--as-of", "2026-11-13", stdout=StringIO())
    assert entries("LATE_ENTRY").count() == 1
    with pytest.raises(CommandError):
        call_command("penalties_scan", "--as-of", "13/11/2026")
