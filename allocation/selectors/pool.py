"""What the pool page marks on its rows and what the 已处理 tab of the inbox lists. Each mark
is one query for the whole page, whatever its length."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.selectors import departments_managed_by

from ..inbox import InboxItem
from ..models import ClaimRequest, Dispute, HandoverItem, WrongNumberReport
from .disputes import disputes_visible_to
from .notices import customers_on_notice, notices_visible_to


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


def decided_items(user, *, limit: int) -> list[InboxItem]:
    """已处理: the newest `limit` decisions in the user's departments — requests approved or
    rejected, appeals decided, wrong-number reports verified, disputes ruled — newest first.
    One query per kind, each LIMITed, so page N costs N pages' rows per kind, never the
    whole history."""
    managed = list(departments_managed_by(user).values_list("pk", flat=True))
    items: list[InboxItem] = []
    claims = (
        ClaimRequest.objects.filter(department__in=managed, decided_at__isnull=False)
        .select_related("requester", "decided_by")
        .annotate(n=Count("customers"))
        .order_by("-decided_at", "-pk")[:limit]
    )
    for c in claims:
        items.append(
            InboxItem(
                kind=_("Request"),
                created_at=c.decided_at,
                url=reverse("allocation:claim_detail", args=[c.pk]),
                title=_("%(who)s requested %(n)d pool customers: %(status)s")
                % {"who": c.requester, "n": c.n, "status": c.get_status_display()},
            )
        )
    notices = (
        notices_visible_to(user)
        .filter(appealed_at__isnull=False, decided_at__isnull=False)
        .select_related("customer")
        .order_by("-decided_at", "-pk")[:limit]
    )
    for n in notices:
        items.append(
            InboxItem(
                kind=_("Appeal"),
                created_at=n.decided_at,
                url=reverse("allocation:notice_detail", args=[n.pk]),
                title=_("Appeal for %(name)s: %(decision)s")
                % {"name": n.customer.name, "decision": n.get_decision_display()},
            )
        )
    reports = (
        WrongNumberReport.objects.filter(
            customer__department__in=managed, verified_at__isnull=False
        )
        .select_related("reporter", "customer")
        .order_by("-verified_at", "-pk")[:limit]
    )
    for r in reports:
        items.append(
            InboxItem(
                kind=_("Wrong number"),
                created_at=r.verified_at,
                url=reverse("customers:detail", args=[r.customer_id]),
                title=_("Wrong number of %(name)s reported by %(who)s: verified")
                % {"name": r.customer.name, "who": r.reporter},
            )
        )
    disputes = (
        disputes_visible_to(user)
        .filter(status=Dispute.Status.RULED)
        .select_related("winner")
        .order_by("-ruled_at", "-pk")[:limit]
    )
    for d in disputes:
        items.append(
            InboxItem(
                kind=_("Dispute"),
                created_at=d.ruled_at,
                url=reverse("allocation:dispute_detail", args=[d.pk]),
                title=_("Dispute %(ref)s ruled for %(who)s") % {"ref": d, "who": d.winner or "—"},
            )
        )
    items.sort(key=lambda item: item.created_at, reverse=True)
    return items[:limit]
