"""The four rules of SPEC §6 with their default numbers. Created by a data migration and again
after every migrate/flush (idempotent), so a test database flushed between tests keeps them."""

from datetime import time

ISSUED = "distributed,claimed,swap,handover,dispute_ruling"
POLICIES = [
    # code, window, unit, kinds, target pool, schedule, run time
    ("no_followup", 1, "months", "", "department", "monthly", time(0, 30)),
    ("unsatisfied", 0, "days", "", "department", "monthly", time(0, 30)),
    ("no_deal_issued", 90, "days", ISSUED, "company", "daily", time(0, 10)),
    ("no_deal_self", 6, "months", "self_registered", "company", "daily", time(0, 10)),
]


def ensure_policies(policy_model) -> None:
    for code, value, unit, kinds, pool, schedule, run_time in POLICIES:
        policy_model.objects.get_or_create(
            code=code,
            defaults={
                "window_value": value,
                "window_unit": unit,
                "acquisition_kinds": kinds,
                "target_pool": pool,
                "schedule": schedule,
                "run_time": run_time,
                "warn_days": "7,1",
                "notice_working_days": 3,
            },
        )


def ensure_policies_on_migrate(sender, **kwargs) -> None:
    from .models import ReclaimPolicy

    ensure_policies(ReclaimPolicy)
