"""stores' scheduled job in crm's registry (SPEC §9; `crm.jobs`): the customer managers'
monthly review, its months in allocation's `JobRun` (policy "store_review")."""

from datetime import time

from django.utils.translation import gettext_lazy as _

from allocation.models import JobRun
from crm.jobs import MONTHLY_LATE, Latest, monthly_next_run, register_job

from .services.review import REVIEW_JOB


def connect() -> None:
    register_job(
        "store-reviews-monthly",
        _("Customer managers' monthly review"),
        _("The 1st at 06:40, for the month just ended; caught up daily"),
        next_run=monthly_next_run(time(6, 40)),
        late_after=MONTHLY_LATE,
        last_success=Latest(
            JobRun.objects.filter(policy=REVIEW_JOB, finished_at__isnull=False), "finished_at"
        ),
        order=60,
    )
