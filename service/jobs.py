"""service's scheduled jobs in crm's registry (SPEC §9; `crm.jobs`): their last success is the
record each task's success leaves."""

from django.utils.translation import gettext_lazy as _

from crm.jobs import DAILY_LATE, HOURLY_LATE, beat_next_run, register_job


def connect() -> None:
    register_job(
        "complaint-deadlines",
        _("Complaints: first-response deadlines"),
        _("Hourly"),
        next_run=beat_next_run("complaint-deadlines"),
        late_after=HOURLY_LATE,
        task="service.tasks_complaints.complaint_deadlines_task",
        order=50,
    )
    register_job(
        "service-yearly-evaluations",
        _("Yearly evaluations"),
        _("Daily 08:15–11:15"),
        next_run=beat_next_run("service-yearly-evaluations"),
        late_after=DAILY_LATE,
        task="service.tasks_yearly.yearly_evaluations_task",
        order=51,
    )
