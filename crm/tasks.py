"""Thin Celery tasks: read the clock, call one service."""

from celery import shared_task
from django.utils import timezone

from .services import staff_deactivate_departed


@shared_task
def deactivate_departed_staff() -> int:
    return staff_deactivate_departed(now=timezone.now())
