"""Reads of disputes (纠纷): scope, the claimants' logs, the inbox rows."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.models import Staff
from crm.selectors import departments_managed_by
from customers.models import InquiryCall

from ..inbox import InboxItem
from ..models import Dispute, DisputeClaim
from ..rights import claimant_staff


def disputes_visible_to(user) -> QuerySet[Dispute]:
    """Disputes every one of whose claimants belongs to a department `user` manages (the GM:
    all). Salespeople and accountants see none."""
    managed = departments_managed_by(user)
    outside = DisputeClaim.objects.filter(dispute=OuterRef("pk")).exclude(department__in=managed)
    return (
        Dispute.objects.filter(Exists(DisputeClaim.objects.filter(dispute=OuterRef("pk"))))
        .exclude(Exists(outside))
        .select_related("opened_by", "winner", "ruled_by", "customer")
    )


def claimant_choices(user) -> QuerySet:
    """Who may be named as a claimant by `user`: active salespeople and managers of the
    departments `user` manages, other than `user`."""
    from crm.models import User

    return (
        User.objects.filter(
            claimant_staff("staff__"),
            is_active=True,
            staff__department__in=departments_managed_by(user),
            staff__status=Staff.Status.ACTIVE,
        )
        .exclude(pk=user.pk)
        .select_related("staff__department")
        .order_by("staff__department__path", "username")
    )


@dataclass
class ClaimantLog:
    claimant: object
    department: object
    calls: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.calls)


def dispute_logs(dispute: Dispute) -> list[ClaimantLog]:
    """Each claimant's inquiry-call log entries for the disputed phone number or caller name,
    with their count — the evidence the ruling follows (000 §3.2.d: 拜访次数和拜访情况).
    An unregistered customer has no follow-ups yet, so the calls are the whole log."""
    claims = list(dispute.claims.select_related("claimant", "department").order_by("pk"))
    match = Q(pk__in=[])
    if dispute.phone:
        match |= Q(phone=dispute.phone)
    if dispute.name:
        match |= Q(caller_name=dispute.name)
    calls = (
        InquiryCall.objects.filter(match, author__in=[c.claimant_id for c in claims])
        .order_by("occurred_at", "pk")
        .select_related("author")
    )
    logs = {c.claimant_id: ClaimantLog(c.claimant, c.department) for c in claims}
    for call in calls:
        logs[call.author_id].calls.append(call)
    return list(logs.values())


def inbox_items(user, *, now: datetime) -> list[InboxItem]:
    """Open disputes waiting on `user` (a manager or the GM) — the inbox's 纠纷 rows."""
    items = []
    for dispute in disputes_visible_to(user).filter(status=Dispute.Status.OPEN):
        items.append(
            InboxItem(
                kind=_("Dispute"),
                title=_("Dispute over %(customer)s") % {"customer": _subject(dispute)},
                created_at=dispute.opened_at,
                url=reverse("allocation:dispute_detail", args=[dispute.pk]),
            )
        )
    return items


def _subject(dispute: Dispute) -> str:
    return " ".join(part for part in (dispute.name, dispute.phone) if part)
