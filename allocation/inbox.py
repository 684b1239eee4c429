"""The approvals inbox (审批): everything waiting on a manager or the GM, oldest first.

Each workflow module provides `inbox_items(user) -> list[InboxItem]`; the inbox page merges them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.module_loading import import_string

SOURCES = [
    "allocation.services.distribution.inbox_items",
    "allocation.services.swaps.inbox_items",
    "allocation.services.handover.inbox_items",
    "allocation.services.disputes.inbox_items",
    "allocation.services.notices.inbox_items",
]


@dataclass
class InboxItem:
    kind: str  # short label, e.g. "申领"
    title: str
    created_at: datetime
    url: str  # the page with the details
    due_at: datetime | None = None
    decide_url: str = ""  # POST decision=approve|reject (+ reason) here for a one-click decision
    can_reject: bool = True


def inbox_for(user) -> list[InboxItem]:
    items: list[InboxItem] = []
    for dotted in SOURCES:
        try:
            source = import_string(dotted)
        except ImportError:
            continue  # a workflow not installed yet
        items += source(user)
    return sorted(items, key=lambda item: item.created_at)
