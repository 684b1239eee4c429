"""customers' scheduled jobs in crm's registry (SPEC §9; `crm.jobs`)."""

from django.utils.translation import gettext_lazy as _

from crm.jobs import DAILY_LATE, Latest, beat_next_run, register_job

from .models import ActivityWatermark


def connect() -> None:
    register_job(
        "activity-summary",
        _("Company overview: activity summary"),
        _("Daily at 03:30"),
        next_run=beat_next_run("activity-summary"),
        late_after=DAILY_LATE,
        last_success=Latest(ActivityWatermark.objects.all(), "built_at"),
        order=45,
    )
