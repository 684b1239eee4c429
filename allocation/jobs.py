"""allocation's scheduled jobs in crm's registry (SPEC §9; `crm.jobs`). The reclaim rules'
last success is read from their own `JobRun` (a period counts once finished)."""

from django.utils.translation import gettext_lazy as _

from crm.jobs import DAILY_LATE, HOURLY_LATE, MONTHLY_LATE, Latest, beat_next_run, register_job

from .models import JobRun, ReclaimPolicy


def _reclaim_runs(schedule: str) -> Latest:
    codes = ReclaimPolicy.objects.filter(schedule=schedule).values("code")
    return Latest(JobRun.objects.filter(policy__in=codes, finished_at__isnull=False), "finished_at")


def connect() -> None:
    register_job(
        "reclaim-daily",
        _("Reclaim: daily rules"),
        _("Daily at 00:10, caught up hourly"),
        next_run=beat_next_run("reclaim-daily"),
        late_after=DAILY_LATE,
        last_success=_reclaim_runs(ReclaimPolicy.Schedule.DAILY),
        order=10,
    )
    register_job(
        "reclaim-monthly",
        _("Reclaim: monthly rules"),
        _("The 1st at 00:30, caught up hourly"),
        next_run=beat_next_run("reclaim-monthly"),
        late_after=MONTHLY_LATE,
        last_success=_reclaim_runs(ReclaimPolicy.Schedule.MONTHLY),
        order=11,
    )
    register_job(
        "reclaim-reconcile",
        _("Reclaim: catch-up of missed runs"),
        _("Hourly"),
        next_run=beat_next_run("reclaim-reconcile"),
        late_after=HOURLY_LATE,
        task="allocation.tasks.reclaim_reconcile_task",
        order=12,
    )
    register_job(
        "reclaim-warnings",
        _("Reclaim warnings to holders"),
        _("Daily at 08:00"),
        next_run=beat_next_run("reclaim-warnings"),
        late_after=DAILY_LATE,
        task="allocation.tasks.reclaim_warnings",
        order=13,
    )
    register_job(
        "store-collected-waiting",
        _("Store-collected customers waiting"),
        _("Daily 08:30–11:30"),
        next_run=beat_next_run("store-collected-waiting"),
        late_after=DAILY_LATE,
        task="allocation.tasks.remind_store_collected",
        order=14,
    )
