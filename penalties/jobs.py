"""penalties' scheduled jobs in crm's registry (SPEC §9; `crm.jobs`): the nightly scan, and each
monthly scan as a period job of its own (its months in `crm.models.JobPeriodRun`)."""

from django.utils.translation import gettext_lazy as _

from crm.jobs import (
    DAILY_LATE,
    HOURLY_LATE,
    MONTHLY_LATE,
    beat_next_run,
    monthly_next_run,
    register_job,
)

from .services.scans import MONTHLY_RUN_AT, MONTHLY_SCANS, monthly_job

LABELS = {
    "NEW_RESOURCE_QUOTA": _("Monthly scan: new customers against the quota"),
    "QUOTA_SCORE": _("Monthly scan: follow-ups against the grade quota"),
    "NO_OPPORTUNITY_ACTION": _("Monthly scan: opportunities without an action"),
}


def connect() -> None:
    register_job(
        "penalties-scan",
        _("Penalty scans (daily rules)"),
        _("Daily at 01:00"),
        next_run=beat_next_run("penalties-scan"),
        late_after=DAILY_LATE,
        task="penalties.tasks.penalties_scan_task",
        order=30,
    )
    register_job(
        "penalties-company-figures",
        _("Company view: success rates and customer counts"),
        _("Every 10 minutes"),
        next_run=beat_next_run("penalties-company-figures"),
        late_after=HOURLY_LATE,
        task="penalties.tasks.company_rates_task",
        order=32,
    )
    register_job(
        "penalties-monthly",
        _("Monthly penalty scans: catch-up"),
        _("Hourly"),
        next_run=beat_next_run("penalties-monthly"),
        late_after=HOURLY_LATE,
        task="penalties.tasks.penalties_monthly_task",
        order=31,
    )
    for i, code in enumerate(MONTHLY_SCANS):
        register_job(
            monthly_job(code),
            LABELS[code],
            _("The 1st from 01:00, for the month just ended; caught up hourly"),
            next_run=monthly_next_run(MONTHLY_RUN_AT),
            late_after=MONTHLY_LATE,
            order=32 + i,
        )
