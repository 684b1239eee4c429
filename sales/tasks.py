"""Thin Celery tasks of sales: read the clock, call one service."""

from celery import shared_task
from django.utils import timezone


@shared_task
def overdue_reminders() -> int:
    """电子催款单 reminders for overdue instalments, daily from 08:00 Asia/Shanghai (the later
    morning runs only catch up a missed one: each instalment is reminded once a week)."""
    from .services.reminders import overdue_reminders_send

    now = timezone.now()
    return len(overdue_reminders_send(as_of=timezone.localdate(now), now=now).reminders)


@shared_task
def sales_summaries() -> dict:
    """The sales report summaries (credit per month and year, today's receivables snapshot;
    sales/models/summaries.py), rebuilt nightly after midnight Asia/Shanghai so the
    receivables page of the new day reads the snapshot; the later runs of the night only
    catch up a missed one."""
    from .selectors.summaries import snapshot_day
    from .services.summaries import summaries_build

    now = timezone.now()
    today = timezone.localdate(now)
    if snapshot_day() == today:  # a later run of the night: already built
        return {}
    return summaries_build(as_of=today, now=now)
