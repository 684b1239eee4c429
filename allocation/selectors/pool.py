"""What the pool page marks on its rows: each mark is one query for the whole page, whatever
its length."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..models import ClaimRequest, HandoverItem
from .notices import customers_on_notice


@dataclass
class PoolMarks:
    """Of a page's customers: on public notice (not to be handed out yet), asked for by a
    pending request (申领 waiting on a manager), waiting in an open handover (交接)."""

    on_notice: set[int] = field(default_factory=set)
    requested: set[int] = field(default_factory=set)
    handover: set[int] = field(default_factory=set)


def pool_marks(customer_ids: Iterable[int], *, now: datetime) -> PoolMarks:
    """Three queries, one per mark, for any number of rows."""
    ids = list(customer_ids)
    if not ids:
        return PoolMarks()
    requested = ClaimRequest.customers.through.objects.filter(
        customer_id__in=ids, claimrequest__status=ClaimRequest.Status.PENDING
    ).values_list("customer_id", flat=True)
    handover = HandoverItem.objects.filter(
        customer_id__in=ids,
        handover__closed_at__isnull=True,
        distributed_at__isnull=True,
        settled_elsewhere=False,
    ).values_list("customer_id", flat=True)
    return PoolMarks(
        on_notice=customers_on_notice(ids, now),
        requested=set(requested),
        handover=set(handover),
    )
