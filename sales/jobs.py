"""sales' scheduled job in crm's registry (SPEC §9; `crm.jobs`)."""

from django.utils.translation import gettext_lazy as _

from crm.jobs import DAILY_LATE, beat_next_run, register_job


def connect() -> None:
    register_job(
        "sales-overdue-reminders",
        _("Overdue instalment reminders"),
        _("Daily 08:00–11:00"),
        next_run=beat_next_run("sales-overdue-reminders"),
        late_after=DAILY_LATE,
        task="sales.tasks.overdue_reminders",
        order=40,
    )
    register_job(
        "sales-summaries",
        _("Sales report summaries"),
        _("Nightly 00:30–03:30"),
        next_run=beat_next_run("sales-summaries"),
        late_after=DAILY_LATE,
        task="sales.tasks.sales_summaries",
        order=41,
    )
