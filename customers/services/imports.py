"""Large Excel imports run by the worker; the page polls their progress (SPEC §8)."""

import io
from datetime import datetime

from django.core.cache import cache
from django.db import transaction

from .. import excel
from ..models import ImportJob

# Files up to this many rows import while the user waits; larger ones go to the worker.
INLINE_ROWS = 200


def progress_key(job_id: int) -> str:
    return f"customers:import:{job_id}:progress"


class _Upload(io.BytesIO):
    """The stored bytes, shaped like an uploaded file for `excel.read_workbook`."""

    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name = name
        self.size = len(content)


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
    )
    from ..tasks import run_import

    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def import_job_run(*, job_id: int, now: datetime) -> ImportJob:
    """Run a queued import. Progress goes to the cache, not the database: the rows are
    written in one transaction that nobody else can see until it commits."""
    job = ImportJob.objects.select_related("actor", "actor__staff").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job  # a redelivered task must not import twice
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    key = progress_key(job.pk)
    cache.set(key, 0, timeout=3600)
    try:
        result = excel.import_workbook(
            actor=job.actor,
            file=_Upload(bytes(job.content), job.filename),
            only_valid=job.only_valid,
            now=now,
            progress=lambda done, total: cache.set(key, done, timeout=3600),
        )
    except excel.WorkbookError as exc:
        job.status, job.errors = ImportJob.Status.ERROR, [[0, "", str(exc)]]
    else:
        job.imported = result.imported
        job.errors = [[e.row, e.column, e.message] for e in result.errors]
        job.status = ImportJob.Status.ROLLED_BACK if result.failed else ImportJob.Status.DONE
    job.finished_at = now
    job.content = b""  # the file is not kept once imported
    job.save(update_fields=["status", "imported", "errors", "finished_at", "content"])
    cache.set(key, job.total_rows, timeout=3600)
    return job


def import_job_progress(job: ImportJob) -> int:
    if job.status in (ImportJob.Status.QUEUED,):
        return 0
    if job.finished_at:
        return job.total_rows
    return int(cache.get(progress_key(job.pk)) or 0)
