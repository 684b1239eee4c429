"""Reads of pools, distribution and requests: the previous-holder cool-down, claims, the
store-collected customers waiting for a first distribution, the protection queue, the inbox rows."""

from datetime import date, datetime, timedelta

from constance import config
from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.calendar import SHANGHAI, day_start
from crm.models import Staff
from crm.selectors import departments_managed_by
from customers.models import Customer, OwnershipEvent, OwnershipKind, Pool
from customers.selectors import VALID

from ..inbox import InboxItem
from ..models import ClaimRequest, Dispute, WrongNumberReport
from ..rights import receivers

# The moves by which a customer leaves the person who held it against (or without) their
# wish: a reclaim (rules, protection queue, wrong-number return, strike), a confiscation, a
# handover on transfer/leave, a swap, a dispute ruling. Self-registration, distribution, claims
# and restorations move a customer *to* a person (from a pool), never away from one.
LEFT_KINDS = [
    OwnershipKind.RECLAIM,
    OwnershipKind.CONFISCATION,
    OwnershipKind.HANDOVER,
    OwnershipKind.SWAP,
    OwnershipKind.DISPUTE_RULING,
]


def cooldown_ends(person, customer_ids, *, now: datetime) -> dict[int, date]:
    """Previous-holder cool-down (SPEC §5): of `customer_ids`, those that left `person` by one
    of LEFT_KINDS — or that a dispute ruling gave to somebody else over `person`'s claim —
    fewer than COOLDOWN_DAYS days before `now`, each with the first day (Asia/Shanghai) on
    which `person` may claim or be given it again.

    Counted in calendar days like the reclaim dates (SPEC §6): a customer that left on
    2026-04-01, at any hour, may come back from 2026-05-01 00:00 (30 days). Two queries.
    """
    ids = list(customer_ids)
    days = config.COOLDOWN_DAYS
    if not ids or days <= 0:
        return {}
    today = now.astimezone(SHANGHAI).date()
    # Still cooling today ⇔ left on or after (today − days + 1), 00:00 Shanghai.
    since = day_start(today - timedelta(days=days - 1))
    left: dict[int, datetime] = {}
    rows = (
        OwnershipEvent.objects.filter(
            customer_id__in=ids, from_holder=person.pk, kind__in=LEFT_KINDS, at__gte=since
        )
        # A ruling that confirms the registrant (from and to the same person) is no leaving.
        .exclude(to_holder=person.pk)
        .order_by()
        .values("customer_id")
        .annotate(last=Max("at"))
    )
    for row in rows:
        left[row["customer_id"]] = row["last"]
    # 纠纷 (000 §3.2.d): a claimant the manager ruled against never held the customer, so no
    # event names them; the ruling itself starts their cool-down.
    lost = (
        Dispute.objects.filter(
            customer_id__in=ids,
            status=Dispute.Status.RULED,
            claims__claimant=person.pk,
            ruled_at__gte=since,
        )
        .exclude(winner=person.pk)
        .order_by()
        .values("customer_id")
        .annotate(last=Max("ruled_at"))
    )
    for row in lost:
        left[row["customer_id"]] = max(row["last"], left.get(row["customer_id"], row["last"]))
    return {pk: at.astimezone(SHANGHAI).date() + timedelta(days=days) for pk, at in left.items()}


def claims_submitted_on(person, *, day: date) -> int:
    """申领 requests `person` submitted on `day` (Asia/Shanghai), whatever became of them: the
    daily claim cap counts the records, not what the person holds now (SPEC §5)."""
    return ClaimRequest.objects.filter(
        requester=person.pk,
        created_at__gte=day_start(day),
        created_at__lt=day_start(day + timedelta(days=1)),
    ).count()


def store_collected_waiting() -> Q:
    """Store-collected customers still waiting for their first distribution (000 §4.2③ "每天";
    SPEC §5): registered straight into the department pool (the 自行登记 event that put them
    there — only a store-collected source does, see `customer_register`), still sitting in
    that pool, never distributed or claimed since. A customer distributed once and later
    reclaimed is no longer "waiting": it is a reclaimed customer. 无效客户 are left out."""
    registered_into_pool = OwnershipEvent.objects.filter(
        customer=OuterRef("pk"),
        kind=OwnershipKind.SELF_REGISTERED,
        to_pool=Pool.DEPARTMENT,
    )
    handed_out = OwnershipEvent.objects.filter(
        customer=OuterRef("pk"), kind__in=[OwnershipKind.DISTRIBUTED, OwnershipKind.CLAIMED]
    )
    return (
        Q(pool=Pool.DEPARTMENT, holder__isnull=True)
        & VALID
        & Q(Exists(registered_into_pool))
        & ~Q(Exists(handed_out))
    )


def store_collected_waiting_counts(departments=None) -> dict[int, int]:
    """How many customers wait per department of `departments` (ids, or a Department queryset
    used as a subquery; None: every department), departments with none left out. One query."""
    waiting = Customer.objects.filter(store_collected_waiting())
    if departments is not None:
        waiting = waiting.filter(department__in=departments)
    return dict(
        waiting.order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )


def store_collected_waiting_rows(departments) -> list[tuple[int, str, int]]:
    """(department id, name, customers waiting) for the departments of `departments` that have
    any, in tree order: the manager dashboard's line. One query."""
    return list(
        Customer.objects.filter(store_collected_waiting(), department__in=departments)
        .order_by()
        .values("department_id", "department__name", "department__path")
        .annotate(n=Count("pk"))
        .order_by("department__path")
        .values_list("department_id", "department__name", "n")
    )


def protection_queue(user, *, as_of: datetime, managed_ids: list[int] | None = None):
    """保护期满 (SPEC §5): customers in the user's departments whose one-month protection has
    ended with no follow-up by the holder since they got them. Oldest first. `managed_ids`:
    those departments' ids when the caller has resolved them already (the dashboard)."""
    ended = as_of - relativedelta(months=config.PROTECTION_MONTHS)
    if managed_ids is None:
        managed_ids = list(departments_managed_by(user).values_list("pk", flat=True))
    return (
        Customer.objects.filter(
            department__in=managed_ids,
            holder__isnull=False,
            holder_since__lte=ended,
            acquired_via__in=[
                OwnershipKind.SELF_REGISTERED,
                OwnershipKind.DISTRIBUTED,
                OwnershipKind.CLAIMED,
            ],
        )
        .filter(Q(last_followup_at__isnull=True) | Q(last_followup_at__lt=F("holder_since")))
        .select_related("holder", "department")
        .order_by("holder_since", "pk")
    )


def inbox_items(user, *, now: datetime, managed_ids: list[int] | None = None) -> list[InboxItem]:
    """Pending requests and unverified reports in the user's departments (`managed_ids`: their
    ids, when the inbox has resolved them already)."""
    managed = (
        list(departments_managed_by(user).values_list("pk", flat=True))
        if managed_ids is None
        else managed_ids
    )
    items: list[InboxItem] = []
    claims = ClaimRequest.objects.filter(
        department__in=managed, status=ClaimRequest.Status.PENDING
    ).select_related("requester")
    for c in claims.annotate(n=Count("customers")):
        items.append(
            InboxItem(
                kind=_("Request"),
                created_at=c.created_at,
                url=reverse("allocation:claim_detail", args=[c.pk]),
                title=_("%(who)s requests %(n)d pool customers") % {"who": c.requester, "n": c.n},
            )
        )
    for r in WrongNumberReport.objects.filter(
        customer__department__in=managed, verified_at__isnull=True
    ).select_related("reporter", "customer"):
        items.append(
            InboxItem(
                kind=_("Wrong number"),
                created_at=r.created_at,
                url=reverse("customers:detail", args=[r.customer_id]),
                title=_("%(who)s reports a wrong number: %(name)s")
                % {"who": r.reporter, "name": r.customer.name},
            )
        )
    return items


def in_pool(department) -> Q:
    """The customers in a pool, unheld: the company pool when `department` is None, else that
    department's pool. A condition, so a page applies it to its own queryset directly (an
    `id IN (pool)` subquery made PostgreSQL read the pool twice; allocation_pool_idx answers
    it from the index)."""
    if department is None:
        return Q(holder__isnull=True, pool=Pool.COMPANY)
    return Q(holder__isnull=True, pool=Pool.DEPARTMENT, department=department)


def pool_customers(department) -> QuerySet[Customer]:
    """The customers in a pool, unheld: the company pool when `department` is None, else that
    department's pool."""
    return Customer.objects.filter(in_pool(department))


def distribution_recipients(department, managed) -> QuerySet[Staff]:
    """Who may be given customers from the pool page: active receivers of `department`, or of
    every department in `managed` when it shows the company pool (`department` None)."""
    return (
        Staff.objects.filter(
            receivers(),
            status=Staff.Status.ACTIVE,
            user__is_active=True,
            department__in=[department] if department else managed,
        )
        .select_related("user", "department")
        .order_by("department__path", "user__username")
    )


def claims_with_parties() -> QuerySet[ClaimRequest]:
    """Requests with the requester, department and decider loaded (the detail page; who may
    see one is `rights.may_see_claim`)."""
    return ClaimRequest.objects.select_related("requester", "department", "decided_by")
