"""The managers' part of the dashboard: what waits on them, the reclaim queue, handovers, and
the store-collected customers waiting for their first distribution."""

from crm.selectors import departments_managed_by

from .inbox import inbox_for
from .selectors.distribution import protection_queue, store_collected_waiting_rows
from .selectors.handovers import open_handovers_for
from .services.store_collected import pool_waiting_url


def manager_panel(request, *, now, today) -> dict:
    user = request.user
    handovers = open_handovers_for(user, now)
    return {
        "inbox": inbox_for(user)[:8],
        "queue_count": protection_queue(user, as_of=now).count(),
        "handovers": handovers,
        # 000 §4.2③: the manager distributes store-collected customers every day.
        "store_waiting": [
            {"name": name, "count": n, "url": pool_waiting_url(pk)}
            for pk, name, n in store_collected_waiting_rows(departments_managed_by(user))
        ],
    }
