"""Scheduled jobs (SPEC §9, issue 18): the period-run record, the registry's late warning at an
explicit now, the GM's page (404 for everyone else), the dashboard banner and /healthz."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from allocation.models import JobRun
from crm import jobs
from crm.health import HEARTBEAT_CACHE_KEY, heartbeat_record
from crm.jobs import (
    crontab_next,
    due_months,
    job_mark_success,
    jobs_late,
    jobs_status,
    monthly_next_run,
    run_missed_periods,
)
from crm.models import JobPeriodRun

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=SH)


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def no_heartbeat():
    cache.delete(HEARTBEAT_CACHE_KEY)
    yield
    cache.delete(HEARTBEAT_CACHE_KEY)


def status(name, now=NOW):
    return next(s for s in jobs_status(now=now) if s.name == name)


# --- run_missed_periods ------------------------------------------------------------------


def test_each_period_runs_once_and_a_rerun_runs_nothing(db):
    seen = []
    run = lambda period: seen.append(period) or len(seen)  # noqa: E731
    job_mark_success(job="x", now=NOW)  # the latest-run row does not count as a period
    first = run_missed_periods(job="x", periods=["2026-10", "2026-09"], fn=run, now=NOW)
    assert seen == ["2026-10"], "nothing finished yet: the latest period only"
    assert [(r.period, r.ran, r.value) for r in first] == [("2026-10", True, 1)]
    later = NOW + timedelta(days=40)
    run_missed_periods(job="x", periods=["2026-10", "2026-11", "2026-12"], fn=run, now=later)
    assert seen == ["2026-10", "2026-11", "2026-12"]
    assert run_missed_periods(job="x", periods=["2026-11", "2026-12"], fn=run, now=later) == []
    assert JobPeriodRun.objects.filter(job="x").exclude(period="").count() == 3


def test_a_period_finished_meanwhile_by_another_runner_is_not_run_again(db):
    """The second runner's view of 'not finished' is stale: the locked row says finished."""
    run_missed_periods(job="y", periods=["2026-09"], fn=lambda p: None, now=NOW)
    seen = []
    original = JobPeriodRun.objects.filter

    def stale_filter(*args, **kwargs):
        qs = original(*args, **kwargs)
        return qs.none() if kwargs.get("is_ok") else qs  # as if read before the other finished

    JobPeriodRun.objects.filter = stale_filter
    try:
        results = run_missed_periods(job="y", periods=["2026-09"], fn=seen.append, now=NOW)
    finally:
        del JobPeriodRun.objects.filter
    assert seen == []
    assert [(r.period, r.ran) for r in results] == [("2026-09", False)]


def test_due_months_on_and_around_the_first():
    one = time(1, 0)
    assert due_months(now=at(2026, 12, 1, 0, 59), run_at=one, back=2) == ["2026-09", "2026-10"]
    assert due_months(now=at(2026, 12, 1, 1, 0), run_at=one, back=2) == ["2026-10", "2026-11"]
    assert due_months(now=at(2027, 1, 15, 9), run_at=one, back=3) == [
        "2026-10",
        "2026-11",
        "2026-12",
    ]
    # 2026-11-30 17:00 UTC is already 1 December 01:00 in Shanghai.
    utc = datetime(2026, 11, 30, 17, 0, tzinfo=ZoneInfo("UTC"))
    assert due_months(now=utc, run_at=one, back=1) == ["2026-11"]


def test_next_runs_follow_the_crontab_in_shanghai_time():
    assert crontab_next(crontab(minute=45), at(2026, 11, 30, 10, 45)) == at(2026, 11, 30, 11, 45)
    assert crontab_next(crontab(minute=30, hour=2), at(2026, 11, 30, 10)) == at(2026, 12, 1, 2, 30)
    assert crontab_next(crontab(minute=30, hour=0, day_of_month=1), NOW) == at(2026, 12, 1, 0, 30)
    monday = crontab(minute=0, hour=9, day_of_week=1)
    assert crontab_next(monday, NOW) == at(2026, 12, 7, 9, 0)  # NOW is a Monday, after 09:00
    assert monthly_next_run(time(1, 0))(at(2026, 12, 1, 0, 30)) == at(2026, 12, 1, 1, 0)
    assert monthly_next_run(time(1, 0))(at(2026, 12, 1, 1, 0)) == at(2027, 1, 1, 1, 0)


# --- the registry: last success and lateness -----------------------------------------------


def test_every_scheduled_beat_entry_is_a_registered_job():
    from django.conf import settings

    names = {job.name for job in jobs.registered_jobs()}
    assert set(settings.CELERY_BEAT_SCHEDULE) <= names
    assert {"penalties-monthly:QUOTA_SCORE", "store-reviews-monthly"} <= names


def test_a_job_is_late_once_its_last_success_is_older_than_its_period_and_grace(db):
    job_mark_success(job="complaint-deadlines", now=at(2026, 11, 30, 7, 20))
    assert status("complaint-deadlines", at(2026, 11, 30, 10, 20)).is_late is False  # 3 h
    late = status("complaint-deadlines", at(2026, 11, 30, 10, 21))
    assert (late.is_late, late.last_success) == (True, at(2026, 11, 30, 7, 20))
    assert late.next_run == at(2026, 11, 30, 11, 20)
    assert "complaint-deadlines" in jobs_late(now=at(2026, 11, 30, 10, 21))


def test_a_job_that_never_ran_is_shown_as_such_not_late(db):
    never = status("service-yearly-evaluations")
    assert (never.last_success, never.is_late) == (None, False)


def test_monthly_jobs_read_their_periods_and_allocations_runs(db):
    code = "penalties-monthly:QUOTA_SCORE"
    run_missed_periods(job=code, periods=["2026-10"], fn=lambda p: 0, now=at(2026, 11, 1, 1, 5))
    assert status(code, at(2026, 12, 3, 1, 5)).is_late is False  # 32 days
    assert status(code, at(2026, 12, 3, 1, 6)).is_late is True
    JobRun.objects.create(
        policy="store_review",
        period=date(2026, 10, 1),
        started_at=at(2026, 11, 1, 6, 40),
        finished_at=at(2026, 11, 1, 6, 41),
    )
    JobRun.objects.create(policy="store_review", period=date(2026, 11, 1), started_at=NOW)
    review = status("store-reviews-monthly")
    assert review.last_success == at(2026, 11, 1, 6, 41), "an unfinished run is no success"
    JobRun.objects.create(
        policy="no_followup",
        period=date(2026, 11, 1),
        started_at=at(2026, 11, 1, 0, 30),
        finished_at=at(2026, 11, 1, 0, 31),
    )
    assert status("reclaim-monthly").last_success == at(2026, 11, 1, 0, 31)
    assert status("reclaim-daily").last_success is None  # no_followup is a monthly rule


def test_heartbeat_and_backup_read_their_own_records(db):
    from crm.models import Backup

    heartbeat_record(now=NOW - timedelta(minutes=10))
    assert status("heartbeat").is_late is True
    Backup.objects.create(
        file_name="a.dump",
        engine="sqlite",
        started_at=NOW - timedelta(hours=8),
        finished_at=NOW - timedelta(hours=7),
        is_ok=True,
    )
    Backup.objects.create(file_name="b.dump", engine="sqlite", started_at=NOW, is_ok=False)
    backup = status("backup-nightly")
    assert (backup.last_success, backup.is_late) == (NOW - timedelta(hours=7), False)


def test_a_registered_task_records_its_success_and_a_failure_records_nothing(db):
    from crm.tasks import calendar_next_year_check

    with time_machine.travel(NOW, tick=False):
        calendar_next_year_check.delay()
    assert status("calendar-next-year-check").last_success == NOW
    row = JobPeriodRun.objects.get(job="calendar-next-year-check")
    assert (row.period, row.is_ok) == ("", True)


def test_all_jobs_last_successes_are_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        jobs_status(now=NOW)


# --- the page, the dashboard, /healthz -----------------------------------------------------


def test_the_gm_sees_every_job_with_a_late_badge(org, login):
    job_mark_success(job="complaint-deadlines", now=NOW - timedelta(hours=5))
    job_mark_success(job="reclaim-reconcile", now=NOW - timedelta(minutes=15))
    with time_machine.travel(NOW, tick=False):
        response = login(org.gm).get(reverse("crm:jobs"))
    assert response.status_code == 200
    body = response.content.decode()
    for job in jobs.registered_jobs():
        assert f'data-job="{job.name}"' in body
    assert body.count('data-testid="job-late"') == 1
    late_row = body.split('data-job="complaint-deadlines"')[1].split("</tr>")[0]
    assert 'data-testid="job-late"' in late_row and "2026-11-30 05:00" in late_row
    assert 'data-testid="jobs-late"' in body


@pytest.mark.parametrize("who", ["manager_a", "accountant_a", "sales_a"])
def test_nobody_but_the_gm_finds_the_page(org, login, who):
    assert login(getattr(org, who)).get(reverse("crm:jobs")).status_code == 404


def test_the_gm_dashboard_warns_when_a_job_is_late(org, login):
    client = login(org.gm)
    with time_machine.travel(NOW, tick=False):
        assert 'data-testid="jobs-late-warning"' not in client.get("/").content.decode()
        job_mark_success(job="penalties-scan", now=NOW - timedelta(days=2))
        body = client.get("/").content.decode()
    assert 'data-testid="jobs-late-warning"' in body
    assert reverse("crm:jobs") in body
    with time_machine.travel(NOW, tick=False):
        other = login(org.manager_a).get("/").content.decode()
    assert 'data-testid="jobs-late-warning"' not in other


def test_healthz_names_the_late_jobs_without_turning_unhealthy(db):
    heartbeat_record(now=NOW - timedelta(seconds=30))
    job_mark_success(job="penalties-scan", now=NOW - timedelta(days=2))
    with time_machine.travel(NOW, tick=False):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["jobs"] == {"late": ["penalties-scan"]}
