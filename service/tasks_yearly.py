"""Thin Celery task of the yearly evaluation: read the clock, call one service."""

from celery import shared_task
from django.utils import timezone


@shared_task
def yearly_evaluations_task() -> int:
    """Reminders from 12-01 to the due date, then the overdue notices and KPI lines; 08:15 with
    catch-up runs later in the morning (each reminder once a day, each line once)."""
    from .services.yearly import yearly_evaluations_run

    now = timezone.now()
    run = yearly_evaluations_run(as_of=timezone.localdate(now), now=now)
    return run.reminded + run.overdue_notified + run.proposed
