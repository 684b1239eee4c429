from celery import shared_task
from django.utils import timezone

from .services import penalties_scan
from .services.scans import penalties_monthly_reconcile


@shared_task
def penalties_scan_task() -> int:
    """Beat, daily 01:00 Asia/Shanghai: propose the entries the daily rules call for (SPEC §7);
    the monthly rules are `penalties_monthly_task`'s."""
    now = timezone.now()
    return penalties_scan(as_of=timezone.localdate(now), now=now, monthly=False).total


@shared_task
def penalties_monthly_task() -> dict:
    """Beat, hourly: each monthly scan for every month it owes and has not run (SPEC §9 — a
    missed 1st is caught up once when the scheduler returns)."""
    return penalties_monthly_reconcile(now=timezone.now())
