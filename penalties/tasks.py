from celery import shared_task
from django.utils import timezone

from .services import penalties_scan


@shared_task
def penalties_scan_task() -> int:
    """Beat, daily 01:00 Asia/Shanghai: propose the entries the rules call for (SPEC §7)."""
    now = timezone.now()
    return penalties_scan(as_of=timezone.localdate(now), now=now).total
