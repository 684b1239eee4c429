"""Reads that carry allocation rules. (Other reads still live in `allocation/services/`; they
move here in a later reorganisation.)"""

from datetime import date, datetime, timedelta

from constance import config
from django.db.models import Count, Exists, Max, OuterRef, Q

from crm.calendar import SHANGHAI, day_start
from customers.models import Customer, OwnershipEvent, OwnershipKind, Pool
from customers.selectors import VALID

from .models import ClaimRequest, Dispute

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
