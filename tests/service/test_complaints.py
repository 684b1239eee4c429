"""Complaints (SPEC §11 投诉): the lifecycle with who/when, the first-response deadline over
weekends, holidays and 调休, reminder and escalation (once each), and a verified complaint
producing exactly one linked CONTACT_REGISTERED proposal whose third confirmation strikes."""

from datetime import date, datetime, timedelta
from itertools import permutations
from zoneinfo import ZoneInfo

import pytest
from constance.test import override_config
from django.db import transaction
from django.utils import translation

from crm.errors import RuleError
from crm.models import Notification
from customers.models import Customer
from penalties.models import DismissalReview, LedgerEntry
from penalties.services import ledger_confirm
from service.models import Complaint, ComplaintCategory, ComplaintEvent
from service.selectors.complaints import complaint_analysis, complaints_visible_to
from service.services.complaints import (
    ComplaintData,
    complaint_archive,
    complaint_confirm,
    complaint_deadlines_run,
    complaint_handle,
    complaint_investigate,
    complaint_take,
    complaint_verify_breach,
    response_due,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, tzinfo=SH)  # a Friday

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def category(name="Construction progress"):
    return ComplaintCategory.objects.get(name=name)


def take(org, *, actor=None, customer=None, now=NOW, responsible=None, department=None):
    return complaint_take(
        actor=actor or org.accountant_a,
        data=ComplaintData(
            complainant="陈先生",
            category=category(),
            content="工期拖延一周，现场无人施工。",
            department=department or org.a,
            responsible=responsible or org.sales_a,
            customer=customer,
        ),
        now=now,
    )


# --- the deadline ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "taken, due",
    [
        # Wednesday → end of Thursday.
        (datetime(2026, 11, 18, 9, tzinfo=SH), datetime(2026, 11, 20, 0, tzinfo=SH)),
        # Friday afternoon → the weekend is skipped: end of Monday.
        (datetime(2026, 11, 27, 16, tzinfo=SH), datetime(2026, 12, 1, 0, tzinfo=SH)),
        # Saturday → end of Monday.
        (datetime(2026, 11, 28, 11, tzinfo=SH), datetime(2026, 12, 1, 0, tzinfo=SH)),
        # The eve of National Day → end of 10-08, the first working day after the holiday.
        (datetime(2026, 9, 30, 18, tzinfo=SH), datetime(2026, 10, 9, 0, tzinfo=SH)),
        # Friday 10-09 → the 调休 Saturday 10-10 is a working day.
        (datetime(2026, 10, 9, 10, tzinfo=SH), datetime(2026, 10, 11, 0, tzinfo=SH)),
        # Late evening UTC is already the next day in Shanghai.
        (datetime(2026, 11, 26, 17, tzinfo=ZoneInfo("UTC")), datetime(2026, 12, 1, 0, tzinfo=SH)),
    ],
)
def test_first_response_due_end_of_next_working_day(taken, due):
    assert response_due(taken) == due


def test_response_working_days_are_admin_editable():
    with override_config(COMPLAINT_RESPONSE_WORKDAYS=2):
        assert response_due(datetime(2026, 11, 27, 16, tzinfo=SH)) == datetime(
            2026, 12, 2, 0, tzinfo=SH
        )


def test_take_sets_deadline_event_and_tells_responsible(org):
    complaint = take(org)
    assert complaint.step == Complaint.Step.RECEIVED
    assert complaint.taken_by == org.accountant_a and complaint.taken_at == NOW
    assert complaint.response_due == datetime(2026, 11, 24, 0, tzinfo=SH)  # Monday 24:00
    assert list(complaint.events.values_list("kind", flat=True)) == ["taken"]
    assert Notification.objects.filter(recipient=org.sales_a).count() == 1


def test_responsible_must_belong_to_the_department(org):
    with pytest.raises(RuleError, match="current member of the responsible department"):
        take(org, responsible=org.sales_b, department=org.a)


def test_retired_category_is_refused(org):
    ComplaintCategory.objects.filter(name="Construction progress").update(is_active=False)
    with pytest.raises(RuleError, match="no longer in use"):
        take(org)


# --- lifecycle ---------------------------------------------------------------------------------


def test_lifecycle_records_who_and_when_for_every_step(org):
    complaint = take(org)
    t = NOW + timedelta(hours=1)
    complaint_investigate(actor=org.manager_a, complaint=complaint, note="已致电客户", now=t)
    complaint_handle(
        actor=org.sales_a, complaint=complaint, findings="属实", resolution="返工", now=t
    )
    complaint_confirm(
        actor=org.sales_a, complaint=complaint, satisfied=False, note="还不满意", now=t
    )
    complaint.refresh_from_db()
    assert complaint.step == Complaint.Step.HANDLING  # not satisfied: stays in 处理
    complaint_handle(
        actor=org.sales_a, complaint=complaint, findings="属实", resolution="再次返工", now=t
    )
    complaint_confirm(actor=org.sales_a, complaint=complaint, satisfied=True, note="", now=t)
    complaint_archive(actor=org.manager_a, complaint=complaint, now=t + timedelta(days=1))
    complaint.refresh_from_db()
    assert complaint.step == Complaint.Step.ARCHIVED
    assert (complaint.investigated_by, complaint.handled_by, complaint.confirmed_by) == (
        org.manager_a,
        org.sales_a,
        org.sales_a,
    )
    assert complaint.archived_by == org.manager_a
    assert list(complaint.events.values_list("kind", flat=True)) == [
        "taken",
        "investigating",
        "handling",
        "not_satisfied",
        "handling",
        "confirmed",
        "archived",
    ]


def test_steps_are_refused_out_of_order_and_to_outsiders(org):
    complaint = take(org)
    with pytest.raises(RuleError, match="does not apply now"):
        complaint_archive(actor=org.manager_a, complaint=complaint, now=NOW)
    with pytest.raises(RuleError, match="does not apply now"):
        complaint_handle(
            actor=org.manager_a, complaint=complaint, findings="x", resolution="y", now=NOW
        )
    for outsider in (org.sales_a2, org.manager_b, org.accountant_a):
        with pytest.raises(RuleError, match="Only the responsible person"):
            complaint_investigate(actor=outsider, complaint=complaint, note="x", now=NOW)
    complaint_investigate(actor=org.sales_a, complaint=complaint, note="x", now=NOW)
    complaint_handle(actor=org.sales_a, complaint=complaint, findings="x", resolution="y", now=NOW)
    complaint_confirm(actor=org.sales_a, complaint=complaint, satisfied=True, note="", now=NOW)
    with pytest.raises(RuleError, match="Only the department's managers archive"):
        complaint_archive(actor=org.sales_a, complaint=complaint, now=NOW)
    complaint_archive(actor=org.gm, complaint=complaint, now=NOW)


def test_visibility(org):
    customer = register(org.sales_a)
    complaint = take(org, customer=customer, actor=org.sales_b)  # a clerk of B took it
    seen = {u.username for u in _users(org) if complaints_visible_to(u).filter(pk=complaint.pk)}
    assert seen == {"gm", "manager_a", "sales_a", "sales_b", "accountant_a"}


def _users(org):
    return [
        org.gm,
        org.manager_a,
        org.manager_a1,
        org.manager_b,
        org.sales_a,
        org.sales_a2,
        org.sales_a1,
        org.sales_b,
        org.accountant_a,
        org.accountant_b,
    ]


# --- reminder and escalation -------------------------------------------------------------------


def test_reminder_then_escalation_once_each_over_the_weekend(org):
    complaint = take(org)  # Friday 10:00 → due Monday 24:00
    before = Notification.objects.count()
    saturday = datetime(2026, 11, 21, 12, tzinfo=SH)
    assert complaint_deadlines_run(as_of=saturday).reminded == []
    monday_morning = datetime(2026, 11, 23, 8, 20, tzinfo=SH)
    dry = complaint_deadlines_run(as_of=monday_morning, dry_run=True)
    assert dry.reminded == [complaint.pk] and Notification.objects.count() == before
    run = complaint_deadlines_run(as_of=monday_morning)
    assert run.reminded == [complaint.pk] and run.escalated == []
    assert complaint_deadlines_run(as_of=monday_morning + timedelta(hours=1)).reminded == []
    assert Notification.objects.filter(recipient=org.sales_a).count() == 2  # taken + reminder
    assert not Notification.objects.filter(recipient=org.manager_a).exists()
    tuesday = datetime(2026, 11, 24, 0, 20, tzinfo=SH)
    run = complaint_deadlines_run(as_of=tuesday)
    assert run.escalated == [complaint.pk]
    assert complaint_deadlines_run(as_of=tuesday + timedelta(days=3)).escalated == []
    assert Notification.objects.filter(recipient=org.manager_a).count() == 1
    complaint.refresh_from_db()
    assert complaint.escalated_at == tuesday
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert kinds.count("reminded") == 1 and kinds.count("escalated") == 1


def test_holiday_deadline_is_not_escalated_during_the_holiday(org):
    complaint = take(org, now=datetime(2026, 9, 30, 18, tzinfo=SH))
    assert complaint_deadlines_run(as_of=datetime(2026, 10, 5, 12, tzinfo=SH)).escalated == []
    assert complaint_deadlines_run(as_of=datetime(2026, 10, 8, 9, tzinfo=SH)).reminded == [
        complaint.pk
    ]
    assert complaint_deadlines_run(as_of=datetime(2026, 10, 9, 1, tzinfo=SH)).escalated == [
        complaint.pk
    ]


def test_a_first_response_in_time_stops_reminder_and_escalation(org):
    complaint = take(org)
    complaint_investigate(actor=org.sales_a, complaint=complaint, note="已回电", now=NOW)
    run = complaint_deadlines_run(as_of=NOW + timedelta(days=10))
    assert run.reminded == [] and run.escalated == []


# --- verified breach → one CONTACT_REGISTERED proposal ----------------------------------------


def investigating(org, **kw):
    complaint = take(org, **kw)
    complaint_investigate(actor=org.manager_a, complaint=complaint, note="核查中", now=NOW)
    return complaint


def verify(org, complaint, on=date(2026, 11, 18), actor=None, person=None):
    return complaint_verify_breach(
        actor=actor or org.manager_a,
        complaint=complaint,
        person=person or org.sales_a2,
        breach_on=on,
        note="sales_a2 私下联系了 sales_a 的登记客户",
        now=NOW,
    )


def test_verified_complaint_produces_exactly_one_linked_proposal(org):
    customer = register(org.sales_a)
    complaint = investigating(org, customer=customer)
    entry = verify(org, complaint)
    assert entry.rule.code == "CONTACT_REGISTERED" and entry.amount == entry.rule.default_amount
    assert entry.status == LedgerEntry.Status.PROPOSED
    assert (entry.person, entry.department, entry.occurred_on) == (
        org.sales_a2,
        org.a,
        date(2026, 11, 18),
    )
    assert entry.customer == customer and entry.created_by == org.manager_a
    complaint.refresh_from_db()
    assert complaint.ledger_entry == entry and complaint.breach_person == org.sales_a2
    with pytest.raises(RuleError, match="already been verified"):
        verify(org, complaint)
    assert LedgerEntry.objects.filter(rule__code="CONTACT_REGISTERED").count() == 1


def test_only_the_departments_managers_verify(org):
    complaint = investigating(org)
    for actor in (org.sales_a, org.accountant_a, org.manager_b):
        with pytest.raises(RuleError, match="Only the department's managers verify"):
            verify(org, complaint, actor=actor)
    with pytest.raises(RuleError, match="level above"):
        verify(org, complaint, person=org.manager_a)
    with pytest.raises(RuleError, match="future"):
        verify(org, complaint, on=date(2026, 11, 21))
    received = take(org)
    with pytest.raises(RuleError, match="does not apply now"):
        verify(org, received)
    assert not LedgerEntry.objects.exists()
    # A breach by someone of another department: the GM or A's manager verifies; B's
    # manager decides the entry in the ledger.
    entry = verify(org, complaint, person=org.sales_b)
    assert entry.department == org.b


@pytest.mark.parametrize("confirm_order", list(permutations(range(3))))
def test_third_strike_through_complaints_whatever_the_order(org, confirm_order):
    register(org.sales_a2)
    days = [date(2025, 12, 1), date(2026, 6, 1), date(2026, 11, 19)]
    entries = [verify(org, investigating(org), on=day) for day in days]
    reviews = []
    for i in confirm_order:
        ledger_confirm(actor=org.manager_a, entry=entries[i], now=NOW)
        reviews.append(DismissalReview.objects.filter(person=org.sales_a2).count())
    assert reviews == [0, 0, 1]
    assert Customer.objects.filter(holder=org.sales_a2).count() == 0
    review = DismissalReview.objects.get()
    assert set(review.strikes.all()) == set(entries)


def test_two_verifications_at_once_leave_one_entry(org):
    complaint = investigating(org)
    with transaction.atomic():
        verify(org, complaint)
    stale = Complaint.objects.get(pk=complaint.pk)
    with pytest.raises(RuleError):
        verify(org, stale)
    assert (
        LedgerEntry.objects.count() == 1
        and ComplaintEvent.objects.filter(kind="verified").count() == 1
    )


# --- analysis --------------------------------------------------------------------------------


def test_analysis_by_category_department_month_and_time_to_close(org):
    first = take(org, now=datetime(2026, 3, 2, 10, tzinfo=SH))
    take(org, now=datetime(2026, 3, 5, 10, tzinfo=SH))
    take(org, now=datetime(2026, 4, 1, 10, tzinfo=SH), responsible=org.sales_b, department=org.b)
    take(org, now=datetime(2025, 12, 31, 10, tzinfo=SH))  # another year
    t = datetime(2026, 3, 2, 12, tzinfo=SH)
    complaint_investigate(actor=org.manager_a, complaint=first, note="x", now=t)
    complaint_handle(actor=org.manager_a, complaint=first, findings="x", resolution="y", now=t)
    complaint_confirm(actor=org.manager_a, complaint=first, satisfied=True, note="", now=t)
    complaint_archive(actor=org.manager_a, complaint=first, now=datetime(2026, 3, 6, 10, tzinfo=SH))
    report = complaint_analysis(org.gm, year=2026)
    assert (report.total.count, report.total.closed, report.total.average_days) == (3, 1, 4.0)
    assert [(g.label, g.count) for g in report.by_department] == [
        ("华东销售部", 2),
        ("华南销售部", 1),
    ]
    assert report.by_month[2].count == 2 and report.by_month[3].count == 1
    assert report.by_month[2].median_days == 4.0
    assert [g.count for g in report.by_category] == [3]
    # Scope: B's manager sees B's complaint only.
    assert complaint_analysis(org.manager_b, year=2026).total.count == 1
