"""Thin Celery tasks of the stores: read the clock, call one service."""

from celery import shared_task
from django.utils import timezone


@shared_task
def store_reviews_monthly() -> int:
    """Beat, the 1st 06:40 Asia/Shanghai: the customer managers' reviews of the month just
    ended, and of any month missed since the last run (at most three back), each once."""
    from .services.review import review_monthly_run

    return review_monthly_run(now=timezone.now()).reviews
