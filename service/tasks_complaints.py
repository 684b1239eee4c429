"""Thin Celery task of complaints: read the clock, call one service."""

from celery import shared_task
from django.utils import timezone


@shared_task
def complaint_deadlines_task() -> int:
    """First-response deadlines (立即反应): the due-day reminder and the escalation to the
    manager, each once per complaint; run every hour (a missed run heals at the next)."""
    from .services.complaints import complaint_deadlines_run

    run = complaint_deadlines_run(as_of=timezone.now())
    return len(run.reminded) + len(run.escalated)
