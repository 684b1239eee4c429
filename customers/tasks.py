"""Thin Celery tasks of the customer archive."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .services.imports import import_job_run


@shared_task
def run_import(job_id: int) -> str:
    return import_job_run(job_id=job_id, now=timezone.now(), clock=timezone.now).status


@shared_task
def refresh_completeness() -> int:
    from .services import customers_refresh_completeness

    return customers_refresh_completeness()


def on_config_updated(sender, key, old_value, new_value, **kwargs):
    """An administrator changed the basic-field list or the deadline: recompute on the
    worker (a million rows is not a web request's work)."""
    if key in ("BASIC_FIELDS", "COMPLETION_MONTHS_AFTER_DEAL") and old_value != new_value:
        refresh_completeness.delay()


@shared_task(autoretry_for=(OperationalError,), retry_kwargs={"max_retries": 6, "countdown": 600})
def build_activity_summary() -> int:
    """Nightly: rebuild the company overview's activity summary (`customers.summary`). Its short
    table lock gives up after 30 s behind a long writer (a lock timeout): tried again in 10 min."""
    from .summary import summary_build

    return summary_build(now=timezone.now()).followup_id
