"""Reclaim warnings and the countdown (SPEC §6: "before a reclaim the holder is warned, by
default 7 days and 1 day before, in the app and by e-mail when mail is configured").

A customer's reclaim day under a rule is `due_date(policy, clock day)`; for a rule that runs on
the 1st of each month it is the first 1st on or after that date, because that is when the run
takes it (last follow-up 2026-02-20 → due 2026-03-20 → reclaimed 2026-04-01). The warnings and
the customer list's countdown both use that day.
"""

from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.calendar import SHANGHAI
from crm.notifications import notify
from customers.models import Customer
from customers.selectors import VALID

from ..models import ReclaimPolicy, ReclaimWarning
from .reclaim import QUALIFYING, clock_before, cutoff, due_date, due_on_filter, rule_scope

Code = ReclaimPolicy.Code


def countdown_policies() -> list[ReclaimPolicy]:
    """The active rules that run on a clock (every rule but 不满意), one query."""
    return list(ReclaimPolicy.objects.filter(is_active=True).exclude(code=Code.UNSATISFIED))


def _monthly(policy: ReclaimPolicy) -> bool:
    return policy.schedule == ReclaimPolicy.Schedule.MONTHLY


def reclaim_day(policy: ReclaimPolicy, due: date) -> date:
    """The day the rule's run takes a customer that falls due on `due`."""
    if _monthly(policy) and due.day != 1:
        return (due + relativedelta(months=1)).replace(day=1)
    return due


def _applies(policy: ReclaimPolicy, customer: Customer) -> bool:
    kinds = policy.kinds
    return not kinds or customer.acquired_via in kinds


def customer_reclaim_day(customer: Customer, policies: list[ReclaimPolicy]) -> date | None:
    """The earliest day one of `policies` reclaims `customer`, from its loaded fields (no
    query); None for a pool customer, an invalid one (无效客户 leave the rules' lists) or when
    no rule applies."""
    if customer.holder_id is None or customer.holder_since is None or customer.is_invalid:
        return None
    days = []
    for policy in policies:
        if policy.code == Code.UNSATISFIED or not _applies(policy, customer):
            continue
        clock = customer.holder_since
        column = QUALIFYING.get(policy.code)
        record = getattr(customer, column) if column else None
        if record is not None and record > clock:
            clock = record
        days.append(reclaim_day(policy, due_date(policy, clock.astimezone(SHANGHAI).date())))
    return min(days) if days else None


def days_left(customer: Customer, policies: list[ReclaimPolicy], today: date) -> int | None:
    """Whole days from `today` to the customer's reclaim day (0 when it is today or overdue)."""
    day = customer_reclaim_day(customer, policies)
    if day is None:
        return None
    return max((day - today).days, 0)


def _due_on(policy: ReclaimPolicy, day: date) -> Q | None:
    """Customers the rule takes on `day`, or None when the rule does not run that day."""
    if not _monthly(policy):
        return due_on_filter(policy, day)
    if day.day != 1:
        return None
    # The monthly run on `day` takes what fell due since the previous run, a month earlier.
    previous = day - relativedelta(months=1)
    return (
        rule_scope(policy)
        & clock_before(policy, cutoff(policy, day))
        & ~clock_before(policy, cutoff(policy, previous))
    )


_HOW_TO_KEEP = {
    Code.NO_FOLLOWUP: gettext_lazy("Log a follow-up before then to keep the customer."),
    Code.NO_DEAL_ISSUED: gettext_lazy(
        "Record a deal or a referral before then to keep the customer."
    ),
    Code.NO_DEAL_SELF: gettext_lazy(
        "Record a deal or a referral before then to keep the customer."
    ),
}


def reclaim_warn(*, as_of: date, now: datetime) -> int:
    """Warn each holder whose customer a rule takes exactly `offset` days after `as_of`, for
    every offset of the rule (default 7 and 1). A warning is sent once: `ReclaimWarning` keeps
    it (UNIQUE), so running the day again sends nothing. Set-based: per rule and offset one
    query selects, one inserts and one confirms what this run inserted. Returns the count."""
    sent = 0
    for policy in countdown_policies():
        for offset in policy.warn_offsets:
            if offset <= 0:
                continue
            sent += _warn(policy, day=as_of + timedelta(days=offset), offset=offset, now=now)
    return sent


@transaction.atomic
def _warn(policy: ReclaimPolicy, *, day: date, offset: int, now: datetime) -> int:
    due = _due_on(policy, day)
    if due is None:
        return 0
    already = ReclaimWarning.objects.filter(
        customer=OuterRef("pk"),
        holder=OuterRef("holder"),
        policy=policy.code,
        due_on=day,
        days_before=offset,
    )
    customers = list(
        # 无效客户 (004) are nobody's task: no warning (see docs/decisions.md).
        Customer.objects.filter(VALID, due)
        .exclude(Exists(already))
        .select_related("holder")
        .only("pk", "name", "holder", "holder__email", "holder__username")
        .order_by("pk")
    )
    if not customers:
        return 0
    ReclaimWarning.objects.bulk_create(
        [
            ReclaimWarning(
                customer_id=c.pk,
                holder_id=c.holder_id,
                policy=policy.code,
                due_on=day,
                days_before=offset,
                sent_at=now,
            )
            for c in customers
        ],
        ignore_conflicts=True,
    )
    # A concurrent run may have inserted some first: notify only for the rows this run wrote.
    mine = set(
        ReclaimWarning.objects.filter(
            customer__in=[c.pk for c in customers],
            policy=policy.code,
            due_on=day,
            days_before=offset,
            sent_at=now,
        ).values_list("customer_id", "holder_id")
    )
    count = 0
    for customer in customers:
        if (customer.pk, customer.holder_id) not in mine:
            continue
        notify(
            recipient=customer.holder,
            now=now,
            title=_("Customer %(customer)s will be reclaimed on %(date)s")
            % {"customer": customer.name, "date": day.strftime("%Y-%m-%d")},
            body=str(_HOW_TO_KEEP.get(policy.code, "")),
            link=reverse("customers:detail", args=[customer.pk]),
        )
        count += 1
    return count
