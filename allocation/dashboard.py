"""The managers' part of the dashboard: what waits on them, the reclaim queue, handovers, and
the store-collected customers waiting for their first distribution."""

from django.utils.module_loading import import_string

from crm.selectors import departments_managed_by

from .inbox import inbox_for
from .selectors import store_collected_waiting_rows
from .services.distribution import protection_queue
from .services.store_collected import pool_waiting_url


def manager_panel(request, *, now, today) -> dict:
    user = request.user
    try:
        open_handovers = import_string("allocation.services.handover.open_handovers_for")
    except ImportError:
        handovers = []
    else:
        handovers = open_handovers(user, now)
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
