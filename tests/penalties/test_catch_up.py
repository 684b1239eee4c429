"""The monthly penalty scans catch up (SPEC §9, issue 18): a missed 1st of the month runs once,
for the month just ended, when the scheduler returns; running again changes nothing; several
missed months run once each, oldest first. Time travels with explicit `now` and time_machine."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from crm.models import JobPeriodRun, User
from penalties.models import LedgerEntry
from penalties.services.scans import MONTHLY_SCANS, monthly_job, penalties_monthly_reconcile
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
CODES = list(MONTHLY_SCANS)


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def joined_long_ago(db):
    User.objects.update(date_joined=at(2024, 1, 1, 9), last_login=at(2030, 1, 1))


def quota_months():
    return sorted(
        set(
            LedgerEntry.objects.filter(rule__code="NEW_RESOURCE_QUOTA").values_list(
                "month", flat=True
            )
        )
    )


def runs(code):
    return list(
        JobPeriodRun.objects.filter(job=monthly_job(code))
        .order_by("period")
        .values_list("period", "is_ok", "finished_at")
    )


def test_a_missed_first_is_caught_up_once_for_every_monthly_scan(org):
    register(org.sales_a, now=at(2026, 11, 5, 9))
    # The scheduler ran on 1 November (for October) ...
    assert penalties_monthly_reconcile(now=at(2026, 11, 1, 2)) == {c: ["2026-10"] for c in CODES}
    # ... was down on 1 December, and returns on the 3rd.
    back = at(2026, 12, 3, 10, 5)
    assert penalties_monthly_reconcile(now=back) == {c: ["2026-11"] for c in CODES}
    for code in CODES:
        assert runs(code) == [("2026-10", True, at(2026, 11, 1, 2)), ("2026-11", True, back)]
    assert quota_months() == [date(2026, 10, 1), date(2026, 11, 1)]
    november = LedgerEntry.objects.get(
        rule__code="NEW_RESOURCE_QUOTA", person=org.sales_a, month=date(2026, 11, 1)
    )
    assert november.occurred_on == date(2026, 11, 30)  # as the 1st's own run would have
    assert november.points == 1 - 40  # the one November customer counted
    entries = LedgerEntry.objects.count()

    # Again, the same hour and later the same month: nothing runs, nothing new.
    for later in (back, at(2026, 12, 3, 11, 5), at(2026, 12, 31, 23, 5)):
        assert penalties_monthly_reconcile(now=later) == {c: [] for c in CODES}
    assert LedgerEntry.objects.count() == entries
    assert JobPeriodRun.objects.filter(job__startswith="penalties-monthly:").count() == 6


def test_down_for_two_month_starts_runs_both_months_once_each_in_order(org):
    penalties_monthly_reconcile(now=at(2026, 10, 1, 1, 5))  # September, on time
    with time_machine.travel(at(2026, 12, 2, 9, 5), tick=False):
        from penalties.tasks import penalties_monthly_task

        ran = penalties_monthly_task.delay().get()
    assert ran == {c: ["2026-10", "2026-11"] for c in CODES}
    for code in CODES:
        assert [period for period, *_ in runs(code)] == ["2026-09", "2026-10", "2026-11"]
    assert quota_months() == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert penalties_monthly_reconcile(now=at(2026, 12, 2, 10, 5)) == {c: [] for c in CODES}


def test_the_first_before_one_oclock_owes_nothing_yet_and_one_oclock_does(org):
    penalties_monthly_reconcile(now=at(2026, 11, 1, 2))  # October done
    assert penalties_monthly_reconcile(now=at(2026, 12, 1, 0, 59)) == {c: [] for c in CODES}
    assert penalties_monthly_reconcile(now=at(2026, 12, 1, 1, 0)) == {c: ["2026-11"] for c in CODES}


def test_catch_up_reaches_three_months_back_at_most(org):
    penalties_monthly_reconcile(now=at(2026, 6, 1, 2))  # May done; then down until December
    ran = penalties_monthly_reconcile(now=at(2026, 12, 1, 9))
    assert ran == {c: ["2026-09", "2026-10", "2026-11"] for c in CODES}


def test_a_new_installation_runs_the_latest_month_only(org):
    ran = penalties_monthly_reconcile(now=at(2026, 12, 20, 9))
    assert ran == {c: ["2026-11"] for c in CODES}


def test_a_failing_month_is_recorded_and_retried_before_the_next(org, monkeypatch):
    penalties_monthly_reconcile(now=at(2026, 10, 1, 2))  # September done
    calls = []

    def broken(as_of):
        calls.append(as_of)
        raise RuntimeError("disk full")

    monkeypatch.setitem(MONTHLY_SCANS, "QUOTA_SCORE", broken)
    ran = penalties_monthly_reconcile(now=at(2026, 12, 2, 9))
    assert ran["QUOTA_SCORE"] == [] and ran["NEW_RESOURCE_QUOTA"] == ["2026-10", "2026-11"]
    assert calls == [date(2026, 11, 1)]  # October failed: November waits
    failed = JobPeriodRun.objects.get(job=monthly_job("QUOTA_SCORE"), period="2026-10")
    assert (failed.is_ok, failed.finished_at, failed.error) == (
        False,
        None,
        "RuntimeError: disk full",
    )
    monkeypatch.undo()
    ran = penalties_monthly_reconcile(now=at(2026, 12, 2, 10))
    assert ran == {
        "NEW_RESOURCE_QUOTA": [],
        "QUOTA_SCORE": ["2026-10", "2026-11"],
        "NO_OPPORTUNITY_ACTION": [],
    }


def test_the_nightly_task_leaves_the_monthly_scans_to_the_catch_up(org):
    register(org.sales_a, now=at(2026, 11, 5, 9))
    from penalties.tasks import penalties_scan_task

    with time_machine.travel(at(2026, 12, 1, 1, 0), tick=False):
        penalties_scan_task.delay()
    assert quota_months() == []
    penalties_monthly_reconcile(now=at(2026, 12, 1, 1, 5))
    assert quota_months() == [date(2026, 11, 1)]


def test_the_catch_up_is_scheduled_hourly_and_the_store_review_daily():
    monthly = settings.CELERY_BEAT_SCHEDULE["penalties-monthly"]
    assert monthly["task"] == "penalties.tasks.penalties_monthly_task"
    assert monthly["schedule"].hour == set(range(24))
    assert len(monthly["schedule"].minute) == 1
    review = settings.CELERY_BEAT_SCHEDULE["store-reviews-monthly"]["schedule"]
    assert review.day_of_month == set(range(1, 32))


def test_the_command_catches_up(org):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(at(2026, 12, 3, 10), tick=False):
        call_command("penalties_scan", "--catch-up", stdout=out)
        call_command("penalties_scan", "--catch-up", stdout=out)
    assert out.getvalue().count("2026-11") == 3
    assert out.getvalue().count("nothing owed") == 3
