"""The activity summary behind the company overview (issue 19; `customers.summary`): the fast
path (summary up to the watermark + the rows after it) gives exactly what counting the source
tables live gives, whatever the order in which builds and writes arrive."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Department
from customers.models import (
    ActivityMonth,
    ActivityWatermark,
    Deal,
    FollowUp,
    InquiryCall,
    OwnershipEvent,
    OwnershipKind,
)
from customers.summary import summary_build
from penalties.stats import (
    _department_rows_live,
    _monthly_trend,
    _monthly_trend_live,
    department_rows,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
NOV, OCT = date(2026, 11, 1), date(2026, 10, 1)
# The month edge in Asia/Shanghai: 16:00 UTC on 31 October is already 1 November there.
LAST_OCT = datetime(2026, 10, 31, 23, 59, 59, tzinfo=SH)
FIRST_NOV = datetime(2026, 11, 1, 0, 0, tzinfo=SH)
ROW_FIELDS = ("followups", "deals", "inquiries", "reclaimed", "held", "pooled", "fines")


def followup(author, customer, at, *, kind="callback", amends=None):
    return FollowUp.objects.create(
        customer=customer,
        author=author,
        kind=kind,
        content="x",
        occurred_at=at,
        entered_at=NOW,
        deadline=NOW,
        amends=amends,
    )


def deal(author, customer, at):
    return Deal.objects.create(
        customer=customer,
        author=author,
        product="p",
        quantity=Decimal(1),
        amount=Decimal(100),
        occurred_at=at,
        entered_at=NOW,
        deadline=NOW,
    )


def inquiry(author, customer, at):
    return InquiryCall.objects.create(
        phone="13900000000", customer=customer, author=author, content="x", occurred_at=at,
        entered_at=NOW,
    )  # fmt: skip


def event(customer, department, at, kind=OwnershipKind.RECLAIM):
    return OwnershipEvent.objects.create(customer=customer, kind=kind, department=department, at=at)


def assert_same(org):
    """Fast path == live for every department, both months, and the trends of the company and
    of one department."""
    departments = Department.objects.order_by("path")
    for month in (OCT, NOV):
        fast = department_rows(departments, month=month)
        live = _department_rows_live(departments, month=month)
        for f, slow in zip(fast, live, strict=True):
            assert f.department == slow.department
            for name in ROW_FIELDS:
                assert getattr(f, name) == getattr(slow, name), (month, f.department, name)
    for scope in (None, [org.a.pk], [org.a.pk, org.b.pk], [org.a1.pk]):
        fast = _monthly_trend(department_ids=scope, last_month=NOV, months=3)
        live = _monthly_trend_live(department_ids=scope, last_month=NOV, months=3)
        assert fast == live, scope


@pytest.fixture
def customers(org):
    return [
        register(org.sales_a, now=NOW - timedelta(days=60), name=f"客户{i}", phone=f"1380000000{i}")
        for i in range(3)
    ]


@pytest.fixture
def activity(org, customers):
    """Rows in both months, on both sides of the Asia/Shanghai month edge, by three
    departments' people, with an amendment and reclaims that name a department or none."""
    c1, c2, c3 = customers
    rows = [
        followup(org.sales_a, c1, LAST_OCT),
        followup(org.sales_a, c1, FIRST_NOV),
        followup(org.sales_a2, c2, FIRST_NOV + timedelta(days=3), kind="inquiry"),
        followup(org.sales_a1, c3, NOW - timedelta(days=1)),
        followup(org.sales_b, c2, LAST_OCT - timedelta(days=5), kind="inquiry"),
        deal(org.sales_a, c1, FIRST_NOV),
        deal(org.sales_b, c2, LAST_OCT),
        inquiry(org.sales_a1, c3, FIRST_NOV),
        inquiry(org.sales_b, None, LAST_OCT),
        event(c1, org.a, FIRST_NOV),
        event(c2, org.b, LAST_OCT, OwnershipKind.CONFISCATION),
        event(c3, None, FIRST_NOV),
        event(c3, org.a, FIRST_NOV, OwnershipKind.HANDOVER),  # not a reclaim
    ]
    followup(org.sales_a, c1, FIRST_NOV, amends=rows[1])  # an amendment counts nothing
    return rows


def test_before_any_build_everything_is_counted_live(org, activity):
    assert not ActivityWatermark.objects.exists()
    assert_same(org)
    rows = {r.department: r for r in department_rows(Department.objects.all(), month=NOV)}
    assert (rows[org.a].followups, rows[org.a].inquiries, rows[org.a].deals) == (2, 1, 1)
    assert rows[org.a].reclaimed == 1 and rows[org.a1].inquiries == 1


def test_built_summary_plus_later_writes_equal_live(org, customers, activity):
    c1, c2, c3 = customers
    mark = summary_build(now=NOW)
    assert mark.followup_id == FollowUp.objects.order_by("-pk").first().pk
    assert ActivityMonth.objects.exists()
    assert_same(org)
    # After the build: new rows, a backdated one (October, written in November), an amendment
    # of a summarised row, a reclaim, a call.
    first = FollowUp.objects.filter(amends__isnull=True).order_by("pk").first()
    followup(org.sales_a, c1, LAST_OCT - timedelta(days=10))
    followup(org.sales_b, c2, NOW, kind="inquiry")
    followup(org.sales_a, c1, NOW, amends=first)
    deal(org.sales_a1, c3, LAST_OCT)
    inquiry(org.sales_a, c1, NOW)
    event(c2, org.b, NOW)
    assert_same(org)
    rows = {r.department: r for r in department_rows(Department.objects.all(), month=OCT)}
    assert rows[org.a].followups == 2  # the backdated follow-up counts for October


def test_a_person_moved_to_another_department_takes_their_counts(org, activity):
    summary_build(now=NOW)
    staff = org.sales_a.staff
    staff.department = org.b
    staff.save()
    assert_same(org)
    rows = {r.department: r for r in department_rows(Department.objects.all(), month=NOV)}
    assert rows[org.a].followups == 1 and rows[org.b].followups == 1
    assert rows[org.a].reclaimed == 1  # an event stays with the department it names


def test_rebuilding_is_idempotent(org, customers, activity):
    def table():
        return sorted(
            ActivityMonth.objects.values_list(
                "month", "author_id", "department_id", "followups", "inquiry_followups", "deals",
                "inquiries", "reclaimed",
            ),
            key=str,
        )  # fmt: skip

    summary_build(now=NOW)
    once = table()
    summary_build(now=NOW + timedelta(hours=1))
    assert table() == once
    assert ActivityWatermark.objects.count() == 1
    followup(org.sales_b, customers[1], FIRST_NOV)
    summary_build(now=NOW + timedelta(hours=2))
    assert table() != once
    assert_same(org)


def test_the_summary_holds_one_row_per_author_and_month(org, activity):
    summary_build(now=NOW)
    nov = ActivityMonth.objects.get(month=NOV, author=org.sales_a)
    assert (nov.followups, nov.deals, nov.inquiry_followups) == (1, 1, 0)
    oct_ = ActivityMonth.objects.get(month=OCT, author=org.sales_a)
    assert oct_.followups == 1  # 23:59:59 on 31 October, Asia/Shanghai
    assert ActivityMonth.objects.get(month=NOV, author=None, department=org.a).reclaimed == 1
    assert ActivityMonth.objects.get(month=NOV, author=None, department=None).reclaimed == 1


def test_reading_is_a_constant_number_of_queries(org, activity, django_assert_num_queries):
    summary_build(now=NOW)
    departments = list(Department.objects.all())
    with CaptureQueriesContext(connection) as few:
        department_rows(departments[:1], month=NOV)
    with CaptureQueriesContext(connection) as many:
        department_rows(departments, month=NOV)
    assert len(few) == len(many) == 4  # customers, summary + watermark, delta, ledger
    with django_assert_num_queries(3):  # summary + watermark, delta, fines
        _monthly_trend(department_ids=None, last_month=NOV, months=12)


def test_management_command_builds(org, activity):
    out = StringIO()
    call_command("summaries_build", stdout=out)
    assert ActivityWatermark.objects.get().followup_id == FollowUp.objects.order_by("-pk")[0].pk
    assert "follow-up" in out.getvalue() or out.getvalue()
    assert_same(org)


def test_the_nightly_task_is_scheduled_and_builds(org, activity, settings):
    from crm.jobs import jobs_status
    from customers.tasks import build_activity_summary

    entry = settings.CELERY_BEAT_SCHEDULE["activity-summary"]
    assert entry["task"] == build_activity_summary.name
    assert build_activity_summary() == FollowUp.objects.order_by("-pk")[0].pk
    built = ActivityWatermark.objects.get().built_at  # the task's clock is the real one
    status = {s.name: s for s in jobs_status(now=built + timedelta(hours=2))}["activity-summary"]
    assert status.last_success == built and not status.is_late
    status = {s.name: s for s in jobs_status(now=built + timedelta(days=2))}["activity-summary"]
    assert status.is_late
