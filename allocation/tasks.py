"""Thin Celery tasks of allocation: read the clock, call one service."""

from celery import shared_task
from django.utils import timezone

from .models import ReclaimPolicy
from .services.reclaim import latest_due_period, reclaim_reconcile, reclaim_run


def _run_schedule(schedule: str) -> dict:
    now = timezone.now()
    moved = {}
    for policy in ReclaimPolicy.objects.filter(schedule=schedule, is_active=True):
        result = reclaim_run(policy_code=policy.code, as_of=latest_due_period(policy, now), now=now)
        moved[policy.code] = result.moved
    return moved


@shared_task
def reclaim_daily() -> dict:
    """No-deal rules, daily 00:10 Asia/Shanghai."""
    return _run_schedule(ReclaimPolicy.Schedule.DAILY)


@shared_task
def reclaim_monthly() -> dict:
    """No-follow-up and unsatisfied rules, the 1st at 00:30."""
    return _run_schedule(ReclaimPolicy.Schedule.MONTHLY)


@shared_task
def reclaim_reconcile_task() -> int:
    return sum(r.moved for r in reclaim_reconcile(now=timezone.now()))


@shared_task
def reclaim_chunk(policy_code: str, as_of: str, department_ids: list[int]) -> int:
    """One department chunk of a scaled-out sweep (see docs/operations.md)."""
    from datetime import date

    return reclaim_run(
        policy_code=policy_code,
        as_of=date.fromisoformat(as_of),
        now=timezone.now(),
        department_ids=department_ids,
    ).moved


@shared_task
def reclaim_warnings() -> int:
    """Warn holders 7 and 1 days before a reclaim, daily 08:00."""
    from .services.warnings import reclaim_warn

    now = timezone.now()
    return reclaim_warn(as_of=timezone.localdate(now), now=now)


@shared_task
def reclaim_finish(_chunk_results, policy_code: str, as_of: str) -> int:
    """The final pass of a scaled-out sweep: takes what the chunks left (the company pool's
    former holders without a department, anything new) and marks the period finished."""
    from datetime import date

    return reclaim_run(
        policy_code=policy_code, as_of=date.fromisoformat(as_of), now=timezone.now()
    ).moved


def reclaim_scaled(policy_code: str, as_of: str, *, chunk_size: int = 20):
    """Split one rule's sweep into per-department chunks that several workers share, then
    finish with one full pass (a Celery chord). See docs/operations.md."""
    from celery import chord

    from crm.models import Department

    ids = list(Department.objects.order_by("pk").values_list("pk", flat=True))
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    return chord(reclaim_chunk.s(policy_code, as_of, chunk) for chunk in chunks)(
        reclaim_finish.s(policy_code, as_of)
    )


@shared_task
def remind_store_collected() -> int:
    """Store-collected customers waiting for distribution: working mornings, once a day per
    manager (000 §4.2③); the beat repeats it through the morning to catch up a missed run."""
    from .services.store_collected import store_collected_remind

    return len(store_collected_remind(now=timezone.now()))
