"""The managers' part of the dashboard: what waits on them, the reclaim queue, handovers."""

from django.utils.module_loading import import_string

from .inbox import inbox_for
from .services.distribution import protection_queue


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
    }
