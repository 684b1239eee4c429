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


@shared_task
def calendar_next_year_check() -> int:
    """From 1 November: tell the GMs (weekly at most) while next year's holidays are unknown."""
    from .holiday_notice import next_year_check

    return next_year_check(now=timezone.now())


@shared_task
def backup_nightly() -> bool:
    """Dump the database, then prove the dump by restoring it into a scratch database."""
    from .backup import backup_run, backup_verify

    backup = backup_run(now=timezone.now())
    if backup.is_ok:
        backup_verify(backup=backup, now=timezone.now())
    return backup.is_ok


@shared_task
def deliver_notifications(ids: list[int]) -> dict:
    """Queued after commit by crm.notifications: send these deliveries (crm/channels)."""
    from .channels.delivery import deliveries_send

    return deliveries_send(ids=ids, now=timezone.now())


@shared_task
def retry_deliveries() -> dict:
    """Beat, every minute: send the deliveries whose next attempt is due (crm/channels)."""
    from .channels.delivery import deliveries_retry_due

    return deliveries_retry_due(now=timezone.now())
