"""Large Excel imports run by the worker; the page polls their progress (SPEC §8).

A run is all or nothing, and so is its record: the rows and the job's outcome commit in one
transaction. A worker killed mid-run (deploy, out of memory) therefore leaves nothing of the
file behind — its transaction dies with its connection — only the job row saying "running".
Such a job shows no sign of life (`import_job_is_stale`) and its owner may retry it
(`import_job_retry`); the retry starts a new attempt, and a run records its outcome only while
its attempt is still the current one, so a worker wrongly presumed dead can never land its
rows next to the retry's.
"""

import io
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from crm.errors import RuleError

from .. import excel
from ..errors import NotAllowed
from ..models import ImportJob

# Files up to this many rows import while the user waits; larger ones go to the worker.
INLINE_ROWS = 200
# A running import reports progress (and so a heartbeat) every excel.PROGRESS_EVERY rows,
# which takes seconds; a queued one is picked up within seconds while a worker runs. Without
# a sign of life for this long the worker is gone (or the queue lost the job).
STALE_AFTER = timedelta(minutes=10)

UNFINISHED = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


def progress_key(job_id: int) -> str:
    return f"customers:import:{job_id}:progress"


def heartbeat_key(job_id: int, attempt: int) -> str:
    return f"customers:import:{job_id}:{attempt}:heartbeat"


class _Upload(io.BytesIO):
    """The stored bytes, shaped like an uploaded file for `excel.read_workbook`."""

    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name = name
        self.size = len(content)


def _queue(job_id: int) -> None:
    from ..tasks import run_import

    transaction.on_commit(lambda: run_import.delay(job_id))


def import_job_create(*, actor, upload, only_valid: bool, rows: int, now: datetime) -> ImportJob:
    """Store the upload and queue it; the worker starts once this transaction commits."""
    upload.seek(0)
    job = ImportJob.objects.create(
        actor=actor,
        filename=upload.name[:200],
        content=upload.read(),
        only_valid=only_valid,
        total_rows=rows,
        created_at=now,
        heartbeat_at=now,
    )
    _queue(job.pk)
    return job


def import_job_run(
    *, job_id: int, now: datetime, clock: Callable[[], datetime] | None = None
) -> ImportJob:
    """Run a queued import. `clock` (default: always `now`) stamps the heartbeats and the
    finish. Progress and heartbeats go to the cache, not the database: the rows are written in
    one transaction that nobody else can see until it commits."""
    clock = clock or (lambda: now)
    # Claim the job: a conditional UPDATE with a checked row count, so a redelivered task, or
    # a second message after a retry, never runs the same attempt twice.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=now
    )
    job = ImportJob.objects.select_related("actor", "actor__staff").get(pk=job_id)
    if not claimed:
        return job
    attempt = job.attempt
    key, beat = progress_key(job.pk), heartbeat_key(job.pk, attempt)
    cache.set(key, 0, timeout=3600)
    cache.set(beat, now.isoformat(), timeout=3600)

    def progress(done: int, total: int) -> None:
        cache.set(key, done, timeout=3600)
        cache.set(beat, clock().isoformat(), timeout=3600)

    current = ImportJob.objects.filter(pk=job.pk, attempt=attempt, status=ImportJob.Status.RUNNING)
    outcome = {"content": b""}  # the file is not kept once imported
    try:
        with transaction.atomic():
            try:
                result = excel.import_workbook(
                    actor=job.actor,
                    file=_Upload(bytes(job.content), job.filename),
                    only_valid=job.only_valid,
                    now=now,
                    progress=progress,
                )
            except excel.WorkbookError as exc:
                outcome |= {"status": ImportJob.Status.ERROR, "errors": [[0, "", str(exc)]]}
            else:
                failed = result.failed
                outcome |= {
                    "imported": result.imported,
                    # A fourth item marks the template's example row, skipped (not an error).
                    "errors": [[e.row, e.column, e.message, e.skipped] for e in result.errors],
                    "status": ImportJob.Status.ROLLED_BACK if failed else ImportJob.Status.DONE,
                }
            # The outcome commits with the rows, and only for the current attempt: after a
            # retry this run's rows roll back (the retry imports the file instead).
            recorded = current.update(finished_at=clock(), **outcome)
            if not recorded:
                transaction.set_rollback(True)
    except Exception:
        # Nothing of the file was written (the transaction rolled back): say so rather than
        # leave the job "running" until it goes stale.
        message = _("The import stopped on an unexpected error; nothing was imported.")
        current.update(
            status=ImportJob.Status.ERROR,
            errors=[[0, "", message]],
            finished_at=clock(),
            content=b"",
        )
        raise
    job.refresh_from_db()
    cache.set(key, job.total_rows if recorded else 0, timeout=3600)
    return job


def import_job_progress(job: ImportJob) -> int:
    if job.status in (ImportJob.Status.QUEUED,):
        return 0
    if job.finished_at:
        return job.total_rows
    return int(cache.get(progress_key(job.pk)) or 0)


def import_job_last_seen(job: ImportJob) -> datetime:
    """The last sign of life of the job's current attempt: queued, started, retried (on the
    row) or a progress heartbeat of the run (in the cache)."""
    seen = [job.created_at, job.heartbeat_at]
    beat = cache.get(heartbeat_key(job.pk, job.attempt))
    if beat:
        seen.append(parse_datetime(beat))
    return max(moment for moment in seen if moment is not None)


def import_job_is_stale(job: ImportJob, *, now: datetime) -> bool:
    """An unfinished job without a sign of life for STALE_AFTER: its worker was killed (its
    transaction rolled back, so nothing of the file was imported) or the queue lost it."""
    if job.finished_at is not None or job.status not in UNFINISHED:
        return False
    return now - import_job_last_seen(job) >= STALE_AFTER


def import_job_retry(*, job: ImportJob, actor, now: datetime) -> ImportJob:
    """Run a stale import again from its stored file, as a new attempt (its owner only).

    The UPDATE is conditional on the attempt and the state seen stale, with a checked row
    count: two clicks, or a run that finished meanwhile, make no second attempt."""
    if job.actor_id != actor.pk:
        raise NotAllowed(_("Only the person who started an import may retry it."))
    if not import_job_is_stale(job, now=now):
        raise RuleError(
            _(
                "This import is still running. It can be retried once it has shown no "
                "progress for %(minutes)d minutes."
            )
            % {"minutes": STALE_AFTER.seconds // 60}
        )
    retried = ImportJob.objects.filter(
        pk=job.pk, attempt=job.attempt, status__in=UNFINISHED, finished_at__isnull=True
    ).update(
        status=ImportJob.Status.QUEUED,
        attempt=F("attempt") + 1,
        heartbeat_at=now,
        imported=0,
        errors=[],
    )
    if not retried:
        raise RuleError(_("This import changed meanwhile. Reload the page."))
    cache.delete(progress_key(job.pk))
    _queue(job.pk)
    job.refresh_from_db()
    return job
