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
