"""Sales' lines in the approvals inbox that are not approvals of sales' own workflows."""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils.translation import gettext as _

from allocation.inbox import InboxItem
from allocation.rights import may_approve

from .models import Contract
from .selectors.common import visible


def uncredited_contract_items(user, *, now: datetime) -> list[InboxItem]:
    """Signed contracts of the last 90 days credited to nobody — the customer sat in a pool
    when it was signed — listed for the managers like such purchase records (SPEC §3: a deal
    on a pooled customer is credited to nobody and listed for the manager). At most 50."""
    if not may_approve(user):
        return []
    contracts = visible(
        Contract.objects.filter(
            status=Contract.Status.SIGNED,
            credited_to__isnull=True,
            total__gt=0,
            signed_at__gte=now - relativedelta(days=90),
        ),
        user,
    ).select_related("customer")
    return [
        InboxItem(
            kind=_("No sales credit"),
            created_at=c.entered_at or c.signed_at,
            url=reverse("sales:contract_detail", args=[c.pk]),
            title=_("%(customer)s: contract %(number)s of %(amount)s yuan signed while in a pool")
            % {"customer": c.customer.name, "number": c.number, "amount": c.total},
        )
        for c in contracts.order_by("signed_at", "pk")[:50]
    ]
