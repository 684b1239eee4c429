"""Thin Celery tasks: read the clock, call one service."""

from celery import shared_task
from django.utils import timezone

from .health import heartbeat_record
from .services import staff_deactivate_departed


@shared_task
def deactivate_departed_staff() -> int:
    return staff_deactivate_departed(now=timezone.now())


@shared_task
def heartbeat() -> None:
    """Beat schedules this every minute; /healthz reports how long ago it last ran."""
    heartbeat_record(now=timezone.now())
