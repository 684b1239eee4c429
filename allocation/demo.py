"""Demo allocation data for `seed_demo`: the demo leaver's handover, a pending pool request."""

from datetime import date, datetime, time, timedelta

from crm.calendar import SHANGHAI
from crm.models import Staff
from customers.models import Customer

from .models import ClaimRequest, Handover
from .selectors import cooldown_ends
from .services.distribution import claim_create
from .services.handover import handover_open

LEAVER, MANAGER, REQUESTER = "east.sales4", "east.manager", "east.sales2"


def seed_allocation(*, today: date, users: dict, light: bool = False) -> list[str]:
    lines = []
    now = datetime.combine(today, time(9), SHANGHAI)
    leaver = users.get(LEAVER)
    if leaver is not None and not Handover.objects.filter(person=leaver).exists():
        effective = datetime.combine(today + timedelta(days=14), time(18), SHANGHAI)
        handover = handover_open(
            actor=users[MANAGER],
            staff=leaver.staff,
            status=Staff.Status.LEFT,
            effective_at=effective,
            now=now,
        )
        lines.append(
            f"演示交接：{leaver.display_name} 离职生效 {effective:%Y-%m-%d %H:%M}，"
            f"{handover.items.count()} 位客户进入部门公共池，交接期限 "
            f"{handover.due_at.astimezone(SHANGHAI):%Y-%m-%d}"
        )
    requester = users.get(REQUESTER)
    if requester is not None and not ClaimRequest.objects.filter(requester=requester).exists():
        candidates = list(
            Customer.objects.filter(
                holder__isnull=True, pool="department", department=requester.staff.department
            ).order_by("pk")[:50]
        )
        # Not one the requester lost lately: the cool-down would refuse it (SPEC §5).
        cooling = cooldown_ends(requester, [c.pk for c in candidates], now=now)
        pool = [c for c in candidates if c.pk not in cooling][:2]
        if pool:
            claim_create(
                actor=requester,
                customer_ids=[c.pk for c in pool],
                reason="这两位客户在我负责的小区，方便上门",
                now=now,
            )
            lines.append(
                f"演示申领：{requester.display_name} 申领 {len(pool)} 位公共资源，待经理审批"
            )
    return lines
