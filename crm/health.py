"""The health report behind /healthz (operations; docs/operations.md "Health check").

Three questions, each answered ok or not, and nothing else about the installation (no versions,
host names, paths, counts or error texts — the page is public):

- database: `SELECT 1` on the default connection succeeds;
- broker: Celery's broker accepts a connection within a short timeout; with the embedded
  filesystem broker, its queue folder exists and a file can be created in it;
- scheduler: the heartbeat that beat schedules every minute (`crm.tasks.heartbeat`, run by a
  worker) is at most `HEALTHZ_HEARTBEAT_MAX_AGE` seconds old. It goes through beat, the broker
  and a worker, so a fresh one proves the whole background chain runs.

Besides, `jobs.late` names the scheduled jobs whose last success is older than their period
and grace (`crm.jobs`, SPEC §9; null when the database cannot be asked). It does not change
`status` or the HTTP code: a late monthly job is the GM's business, not a reason for a probe to
restart the application (docs/decisions.md).

The heartbeat lives in the shared cache (Redis in production, the file cache under var/ on the
embedded default), not in a table: it is rewritten every minute, and losing it (a cache flush)
only reads as "missing" until the next minute.
"""

import os
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

HEARTBEAT_CACHE_KEY = "crm:scheduler-heartbeat"


def heartbeat_record(*, now: datetime) -> None:
    """Remember when the scheduler's heartbeat last ran (no expiry: its age is the signal)."""
    cache.set(HEARTBEAT_CACHE_KEY, now.timestamp(), timeout=None)


def heartbeat_age(*, now: datetime) -> int | None:
    """Seconds since the last heartbeat, or None when there is none (or the cache is down)."""
    try:
        beat = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # a cache outage reads as "no heartbeat", never as a 500
        return None
    if beat is None:
        return None
    return max(0, int(now.timestamp() - float(beat)))


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def broker_reachable(*, timeout: float) -> bool:
    """Whether Celery could hand a task to its broker now. Reads the settings on every call
    (tests point CELERY_BROKER_URL at a closed port)."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
        folders = {options.get("data_folder_in"), options.get("data_folder_out")} - {None}
        return bool(folders) and all(_writable_folder(Path(folder)) for folder in folders)

    from .celery import app

    try:
        with app.connection_for_write(url=url, connect_timeout=timeout) as conn:
            # max_retries=0: one attempt, no back-off sleeps; a probe must answer quickly.
            conn.ensure_connection(max_retries=0, timeout=timeout)
    except Exception:
        return False
    return True


def _writable_folder(folder: Path) -> bool:
    # os.access says yes to root whatever the mode; creating a file is the real test. An unnamed
    # temporary file is invisible to the transport, which only reads "*.msg" files.
    if not folder.is_dir():
        return False
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def health_report(*, now: datetime) -> dict:
    """The /healthz answer: `status` is "ok" only when every check passes, else "degraded"."""
    database = database_reachable()
    broker = broker_reachable(timeout=settings.HEALTHZ_BROKER_TIMEOUT)
    age = heartbeat_age(now=now)
    if age is None:
        scheduler = "missing"
    elif age > settings.HEALTHZ_HEARTBEAT_MAX_AGE:
        scheduler = "stale"
    else:
        scheduler = "ok"
    healthy = database and broker and scheduler == "ok"
    return {
        "status": "ok" if healthy else "degraded",
        "database": "ok" if database else "unreachable",
        "broker": "ok" if broker else "unreachable",
        "scheduler": scheduler,
        "heartbeat_age_seconds": age,
        "jobs": {"late": _late_jobs(now) if database else None},
    }


def _late_jobs(now: datetime) -> list[str] | None:
    from .jobs import jobs_late

    try:
        return jobs_late(now=now)
    except DatabaseError:
        return None
