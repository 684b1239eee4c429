"""The 已处理 tab of the approvals inbox: what was decided, newest first (the waiting items
come from each area's `inbox_items`, merged by `allocation.inbox.inbox_for`)."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.selectors import departments_managed_by

from ..inbox import InboxItem
from ..models import ClaimRequest, Dispute, WrongNumberReport
from .disputes import disputes_visible_to
from .notices import notices_visible_to


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
