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


def disputes_visible_to(user, managed_ids: list[int] | None = None) -> QuerySet[Dispute]:
    """Disputes every one of whose claimants belongs to a department `user` manages (the GM:
    all). Salespeople and accountants see none. `managed_ids`: those departments' ids, when
    the caller has resolved them already."""
    managed = departments_managed_by(user) if managed_ids is None else managed_ids
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


CLAIMANT_LIST_MAX = 200


def claimant_shortlist(people: QuerySet, search: str = "", keep=()) -> tuple[list, bool]:
    """The claimants the dispute form lists, out of `people` (`claimant_choices`): all of them
    when they are at most CLAIMANT_LIST_MAX (a department's manager), else those matching a
    word of `search` (username, either name, 姓名 family name first, or department name;
    words separated by spaces, so both claimants can be found at once), at most that many.
    `keep`: ids chosen in a refused form, listed again. Returns (people, narrowed: the list
    is not the whole scope). Only an offer: the form validates against all of `people`.
    The GM's scope is every salesperson and manager of the company (10,000 options twice
    cost 7.9 s per page, issue 19)."""
    from django.db.models.functions import Concat

    words = [w for w in search.replace("\x00", "").split() if w][:5]
    if words:
        match = Q()
        for word in words:
            match |= (
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(chinese_name__icontains=word)
                | Q(staff__department__name__icontains=word)
            )
        shown = list(
            people.annotate(chinese_name=Concat("last_name", "first_name")).filter(match)[
                :CLAIMANT_LIST_MAX
            ]
        )
        narrowed = True
    else:
        shown = list(people[: CLAIMANT_LIST_MAX + 1])
        narrowed = len(shown) > CLAIMANT_LIST_MAX
        if narrowed:
            shown = []
    missing = [pk for pk in keep if pk not in {u.pk for u in shown}]
    if missing:
        shown += list(people.filter(pk__in=missing))
    return shown, narrowed


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


def inbox_items(user, *, now: datetime, managed_ids: list[int] | None = None) -> list[InboxItem]:
    """Open disputes waiting on `user` (a manager or the GM) — the inbox's 纠纷 rows."""
    items = []
    for dispute in disputes_visible_to(user, managed_ids).filter(status=Dispute.Status.OPEN):
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
