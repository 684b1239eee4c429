"""The approvals inbox (审批): everything waiting on a manager or the GM, oldest first.

Each workflow module provides `inbox_items(user, *, now, managed_ids=None) -> list[InboxItem]`
(`managed_ids`: the ids of the departments `user` manages, resolved once per inbox); the inbox
page merges them, on the clock the page read. A higher app adds its own approvals with
`register_inbox_source` (called as `source(user, now=now)`).
"""

from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from crm.selectors import departments_managed_by
from customers.selectors import records_awaiting_manager

SOURCES = [
    "allocation.selectors.distribution.inbox_items",
    "allocation.services.swaps.inbox_items",
    "allocation.selectors.handovers.inbox_items",
    "allocation.selectors.disputes.inbox_items",
    "allocation.selectors.notices.inbox_items",
    "allocation.inbox.records_inbox_items",
]

# Approvals of higher apps (registered in their AppConfig.ready); allocation names none of them.
_REGISTERED_SOURCES: list = []


def register_inbox_source(source) -> None:
    """Add `source(user, *, now) -> list[InboxItem]` to the inbox (a higher app's approvals,
    like `crm.dashboard.register_panel`). Registering the same callable twice adds it once."""
    if source not in _REGISTERED_SOURCES:
        _REGISTERED_SOURCES.append(source)


@dataclass
class InboxItem:
    kind: str  # short label, e.g. "申领"
    title: str
    created_at: datetime
    url: str  # the page with the details
    due_at: datetime | None = None
    decide_url: str = ""  # POST decision=approve|reject (+ reason) here for a one-click decision
    can_reject: bool = True


def inbox_for(user, *, now: datetime, managed_ids: list[int] | None = None) -> list[InboxItem]:
    # The departments `user` manages, resolved once as a literal list for this app's sources:
    # as a subquery in each of them PostgreSQL planned the permission check again every time
    # (3-14 ms per source at 200 departments, issue 19). The dashboard passes the list it read.
    if managed_ids is None:
        managed_ids = list(departments_managed_by(user).values_list("pk", flat=True))
    items: list[InboxItem] = []
    for dotted in SOURCES:
        # Every source is a module of this app: a missing one is a bug, not an absent feature.
        items += import_string(dotted)(user, now=now, managed_ids=managed_ids)
    for source in _REGISTERED_SOURCES:
        items += source(user, now=now)
    return sorted(items, key=lambda item: item.created_at)


def records_inbox_items(
    user, *, now: datetime, managed_ids: list[int] | None = None
) -> list[InboxItem]:
    """Records of the last 90 days a manager must look at: deals credited to nobody, gift or
    points records to confirm, referrals to verify (customers.selectors)."""
    waiting = records_awaiting_manager(
        user, since=now - relativedelta(days=90), managed_ids=managed_ids
    )

    def link(record):
        return reverse("customers:detail", args=[record.customer_id]) + "#timeline"

    items = [
        InboxItem(
            kind=_("No sales credit"),
            created_at=d.entered_at,
            url=link(d),
            title=_("%(customer)s: deal of %(amount)s yuan made while in a pool")
            % {"customer": d.customer.name, "amount": d.amount},
        )
        for d in waiting["uncredited"]
    ]
    items += [
        InboxItem(
            kind=_("Gift or points record"),
            created_at=d.entered_at,
            url=link(d),
            title=_("%(customer)s: confirm %(what)s")
            % {
                "customer": d.customer.name,
                "what": d.gifts or _("%(points)s points") % {"points": d.points},
            },
        )
        for d in waiting["gifts"]
    ]
    items += [
        InboxItem(
            kind=_("Referral"),
            created_at=r.entered_at,
            url=link(r),
            title=_("%(customer)s: referral by %(author)s to verify")
            % {"customer": r.customer.name, "author": r.author.display_name},
        )
        for r in waiting["referrals"]
    ]
    return items
