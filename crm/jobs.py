"""Scheduled jobs (SPEC §9 "every scheduled job catches up a missed period exactly once, and the
GM sees each job's last run and a warning when one is late").

Two things live here, both usable by every app without crm importing them:

- `run_missed_periods`: run a period job for every due period not finished yet (a missed 1st of
  the month is caught up when the scheduler returns), each period exactly once, recorded in
  `JobPeriodRun` (UNIQUE job + period). allocation keeps its own `JobRun` for the reclaim rules
  and the stores' monthly review (they predate this table).
- the registry `register_job`: each app declares its scheduled jobs in its wiring (label,
  schedule, where its last success is read, when it runs next, when it counts as late). The
  GM's page `crm:jobs`, the dashboard warning and /healthz read `jobs_status`.

A job with no run record of its own gets one from the task: a registered `task` name records
its latest success (`period` = "") when Celery reports the task succeeded (`task_success`), so
the tasks themselves stay unchanged.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db import DatabaseError, transaction
from django.db.models import Max, QuerySet, Value
from django.db.models.fields import CharField
from django.utils import timezone

from .calendar import SHANGHAI

logger = logging.getLogger(__name__)

LATEST = ""  # the period of a job without periods: one row, its latest run

# Late after (a job's period plus a grace): the usual values, for the apps' registrations.
HOURLY_LATE = timedelta(hours=3)
DAILY_LATE = timedelta(hours=30)
MONTHLY_LATE = timedelta(days=32)  # the longest month and a day


# --- running missed periods ------------------------------------------------------------------


@dataclass
class PeriodResult:
    period: str
    ran: bool  # False: finished before (by an earlier run or a concurrent runner)
    value: object = None
    error: str = ""


def run_missed_periods(
    *, job: str, periods: Iterable[str], fn: Callable[[str], object], now: datetime
) -> list[PeriodResult]:
    """Run `fn(period)` for each of `periods` not finished yet, once each, oldest first
    (period keys sort as text in time order: "2026-09" < "2026-10").

    - Only periods after the job's latest finished one run (a month before it was done by the
      time it mattered, or belongs to before the job existed); a job with no finished period
      yet starts with the latest one: a new installation does not back-fill.
    - Each period runs in one transaction holding its row's lock (`select_for_update`): a
      second runner of the same period (two workers, beat and a hand-run command) waits, then
      finds it finished and runs nothing; the UNIQUE (job, period) makes the row itself single.
      SQLite serialises writers, which gives the same.
    - A period whose `fn` raises is recorded with its error (its work rolled back) and stops
      the run: later periods wait, so periods are always done in order. The next run retries.
    """
    from .models import JobPeriodRun

    periods = sorted(periods)
    if not periods:
        return []
    last = (
        JobPeriodRun.objects.filter(job=job, is_ok=True, finished_at__isnull=False)
        .exclude(period=LATEST)
        .aggregate(last=Max("period"))["last"]
    )
    periods = [p for p in periods if p > last] if last else periods[-1:]
    results = []
    for period in periods:
        with transaction.atomic():
            row, _ = JobPeriodRun.objects.get_or_create(
                job=job, period=period, defaults={"started_at": now}
            )
            # The lock: a concurrent runner of this period waits here, then sees it finished.
            row = JobPeriodRun.objects.select_for_update().get(pk=row.pk)
            if row.is_ok and row.finished_at is not None:
                results.append(PeriodResult(period=period, ran=False))
                continue
            try:
                with transaction.atomic():
                    value = fn(period)
            except Exception as exc:  # recorded, then the run stops (periods stay in order)
                logger.exception("job %s period %s failed", job, period)
                row.started_at, row.error, row.is_ok = now, f"{type(exc).__name__}: {exc}", False
                row.save(update_fields=["started_at", "error", "is_ok"])
                results.append(PeriodResult(period=period, ran=False, error=row.error))
                break
            row.finished_at, row.is_ok, row.error = now, True, ""
            row.save(update_fields=["finished_at", "is_ok", "error"])
            results.append(PeriodResult(period=period, ran=True, value=value))
    return results


def month_key(month_start: date) -> str:
    return f"{month_start:%Y-%m}"


def month_from_key(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def due_months(*, now: datetime, run_at: time, back: int = 3) -> list[str]:
    """The months a monthly job run on the 1st at `run_at` (Asia/Shanghai), for the month just
    ended, owes by `now`: the latest `back` of them, oldest first ("2026-10", "2026-11")."""
    local = timezone.localtime(now, SHANGHAI)
    first = local.date().replace(day=1)
    latest = first - relativedelta(months=1)
    if local.date() == first and local.time() < run_at:
        latest -= relativedelta(months=1)
    return [month_key(latest - relativedelta(months=i)) for i in reversed(range(back))]


def job_mark_success(*, job: str, now: datetime) -> None:
    """Record the latest successful run of a job without periods (one row per job)."""
    from .models import JobPeriodRun

    JobPeriodRun.objects.update_or_create(
        job=job,
        period=LATEST,
        defaults={"started_at": now, "finished_at": now, "is_ok": True, "error": ""},
    )


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Latest:
    """Where a job's last success is read: the latest `field` of `queryset`. Every registered
    `Latest` is read in one UNION query (the dashboard's budget: one query for all jobs)."""

    queryset: QuerySet
    field: str


@dataclass
class Job:
    name: str
    label: str
    schedule_text: str
    next_run: Callable[[datetime], datetime | None]
    late_after: timedelta
    last_success: Callable[[datetime], datetime | None] | Latest | None = None
    task: str | None = None
    order: int = 100


_JOBS: dict[str, Job] = {}
_TASKS: dict[str, str] = {}  # Celery task name → job name (recorded on success)


def register_job(
    name: str,
    label,
    schedule_text,
    *,
    next_run: Callable[[datetime], datetime | None],
    late_after: timedelta,
    last_success: Callable[[datetime], datetime | None] | Latest | None = None,
    task: str | None = None,
    order: int = 100,
) -> None:
    """Declare a scheduled job. `last_success` is a callable(now) → datetime | None, a `Latest`
    (read in the shared query), or None: then the job's rows in `JobPeriodRun` (its periods,
    or the latest-run row its `task` writes on success). Late: the last success is older than
    `late_after` (its period plus a grace). A job that never ran is shown as such, not late."""
    _JOBS[name] = Job(
        name=name,
        label=label,
        schedule_text=schedule_text,
        next_run=next_run,
        late_after=late_after,
        last_success=last_success,
        task=task,
        order=order,
    )
    if task:
        _TASKS[task] = name


def registered_jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: (job.order, job.name))


def on_task_success(sender=None, **kwargs) -> None:
    """Celery `task_success`: a registered job's task finished without raising."""
    name = _TASKS.get(getattr(sender, "name", ""))
    if name is None:
        return
    try:
        job_mark_success(job=name, now=timezone.now())
    except DatabaseError:  # the record is for the GM's page; never fail the task for it
        logger.exception("could not record the success of job %s", name)


def connect_task_signal() -> None:
    from celery.signals import task_success

    task_success.connect(on_task_success, dispatch_uid="crm.jobs.task_success", weak=False)


# --- reading the status ----------------------------------------------------------------------


@dataclass
class JobStatus:
    name: str
    label: str
    schedule_text: str
    last_success: datetime | None
    next_run: datetime | None
    late_after: timedelta
    is_late: bool = False
    extra: dict = field(default_factory=dict)


def _latest_successes(jobs: list[Job]) -> dict[str, datetime | None]:
    """Every job's last success from the database in one UNION query."""
    from .models import JobPeriodRun

    parts = [
        JobPeriodRun.objects.filter(is_ok=True, finished_at__isnull=False)
        .order_by()
        .values("job")
        .annotate(last=Max("finished_at"))
        .values_list("job", "last")
    ]
    for job in jobs:
        if isinstance(job.last_success, Latest):
            parts.append(
                job.last_success.queryset.order_by()
                .annotate(job_name=Value(job.name, output_field=CharField()))
                .values("job_name")
                .annotate(last=Max(job.last_success.field))
                .values_list("job_name", "last")
            )
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found: dict[str, datetime | None] = {}
    for name, last in query:
        if last is not None:
            found[name] = max(found.get(name) or last, last)
    return found


def jobs_status(*, now: datetime) -> list[JobStatus]:
    """Each registered job: its last success, next run and whether it is late at `now`."""
    jobs = registered_jobs()
    stored = _latest_successes(jobs)
    statuses = []
    for job in jobs:
        if job.last_success is None or isinstance(job.last_success, Latest):
            last = stored.get(job.name)
        else:
            last = job.last_success(now)
        statuses.append(
            JobStatus(
                name=job.name,
                label=str(job.label),
                schedule_text=str(job.schedule_text),
                last_success=last,
                next_run=job.next_run(now),
                late_after=job.late_after,
                is_late=last is not None and now - last > job.late_after,
            )
        )
    return statuses


def jobs_late(*, now: datetime) -> list[str]:
    """The names of the late jobs (the dashboard's warning, /healthz)."""
    return [status.name for status in jobs_status(now=now) if status.is_late]


# --- next runs -------------------------------------------------------------------------------


def crontab_next(schedule, now: datetime) -> datetime:
    """The next time (after `now`) a Celery `crontab` fires, in Asia/Shanghai (CELERY_TIMEZONE).
    Walks days, then the hours and minutes of a matching day: at most a year of days."""
    local = timezone.localtime(now, SHANGHAI).replace(second=0, microsecond=0)
    day = local.date()
    for _ in range(367):
        if (
            day.month in schedule.month_of_year
            and day.day in schedule.day_of_month
            and (day.isoweekday() % 7) in schedule.day_of_week
        ):
            for hour in sorted(schedule.hour):
                for minute in sorted(schedule.minute):
                    moment = datetime.combine(day, time(hour, minute), SHANGHAI)
                    if moment > local:
                        return moment
        day += timedelta(days=1)
    raise ValueError("crontab never fires")


def beat_next_run(entry: str) -> Callable[[datetime], datetime | None]:
    """next_run for a job run by the beat entry `entry` of CELERY_BEAT_SCHEDULE (read at call
    time, so a changed schedule shows)."""

    def next_run(now: datetime) -> datetime | None:
        from django.conf import settings

        schedule = settings.CELERY_BEAT_SCHEDULE.get(entry, {}).get("schedule")
        return crontab_next(schedule, now) if schedule is not None else None

    return next_run


def monthly_next_run(run_at: time) -> Callable[[datetime], datetime]:
    """next_run of a monthly job due on the 1st at `run_at` (Asia/Shanghai)."""

    def next_run(now: datetime) -> datetime:
        local = timezone.localtime(now, SHANGHAI)
        first = datetime.combine(local.date().replace(day=1), run_at, SHANGHAI)
        return first if first > local else first + relativedelta(months=1)

    return next_run


# --- crm's own jobs --------------------------------------------------------------------------


def _heartbeat_last(now: datetime) -> datetime | None:
    from .health import heartbeat_age

    age = heartbeat_age(now=now)
    return None if age is None else now - timedelta(seconds=age)


def connect() -> None:
    """crm's scheduled jobs (CELERY_BEAT_SCHEDULE) and the task-success record."""
    from django.conf import settings
    from django.utils.translation import gettext_lazy as _

    from .models import Backup

    connect_task_signal()
    register_job(
        "heartbeat",
        _("Scheduler heartbeat"),
        _("Every minute"),
        next_run=beat_next_run("heartbeat"),
        late_after=timedelta(seconds=settings.HEALTHZ_HEARTBEAT_MAX_AGE),
        last_success=_heartbeat_last,
        order=1,
    )
    register_job(
        "deactivate-departed-staff",
        _("Switch off departed staff's accounts"),
        _("Every 5 minutes"),
        next_run=beat_next_run("deactivate-departed-staff"),
        late_after=timedelta(hours=1),
        task="crm.tasks.deactivate_departed_staff",
        order=2,
    )
    register_job(
        "backup-nightly",
        _("Nightly backup and its verification"),
        _("Daily at 02:30"),
        next_run=beat_next_run("backup-nightly"),
        # The backup's own warning (crm.backup.backup_health) allows 36 hours too.
        late_after=timedelta(hours=36),
        last_success=Latest(Backup.objects.filter(is_ok=True), "finished_at"),
        order=3,
    )
    register_job(
        "calendar-next-year-check",
        _("Next year's holidays check"),
        _("Daily at 09:00"),
        next_run=beat_next_run("calendar-next-year-check"),
        late_after=DAILY_LATE,
        task="crm.tasks.calendar_next_year_check",
        order=4,
    )
    register_job(
        "retry-deliveries",
        _("Resend notifications to the external channels"),
        _("Every minute"),
        next_run=beat_next_run("retry-deliveries"),
        late_after=timedelta(minutes=15),
        task="crm.tasks.retry_deliveries",
        order=5,
    )
