"""Reads of handovers (交接): scope, open and overdue handovers, items, recipients, inbox rows."""

import math
from datetime import date, datetime, time

from constance import config
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Staff
from crm.selectors import departments_managed_by
from customers.models import Customer, CustomerClass, Pool

from ..inbox import InboxItem
from ..models import Handover, HandoverItem
from ..rights import receivers

HANDOVER_DAYS_DEFAULT = 7


LEAVING_STATUSES = (Staff.Status.LEFT, Staff.Status.TRANSFERRING)


def handover_days() -> int:
    """Days the manager has to hand the customers out (admin-editable as HANDOVER_DAYS once
    the setting exists; 7 by default, 000 §4.2⑤)."""
    return int(getattr(config, "HANDOVER_DAYS", HANDOVER_DAYS_DEFAULT))


def handover_priority(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Loyal and in-service customers first (000 §3.5 “特别是忠诚客户和在服务中的客户”):
    important customers, then ordinary/potential, lost ones last; within a class the most
    recent deal first, then the most recent follow-up; never-dealt customers after dealt ones."""
    return queryset.annotate(
        handover_rank=Case(
            When(customer_class=CustomerClass.IMPORTANT, then=Value(0)),
            When(customer_class=CustomerClass.LOST, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by(
        "handover_rank",
        F("last_deal_at").desc(nulls_last=True),
        F("last_followup_at").desc(nulls_last=True),
        "pk",
    )


def is_handing_over(user) -> bool:
    """True while `user` is leaving or transferring (status LEFT/TRANSFERRING, or a handover of
    theirs is still open). Such a person may not hand customers out: distribution, swaps and
    handovers call this and refuse them (000 §3.5; LEAVER_/TRANSFER_DISTRIBUTED, §4.2⑤)."""
    if user is None or not getattr(user, "pk", None):
        return False
    return (
        Staff.objects.filter(user=user.pk, status__in=LEAVING_STATUSES).exists()
        or Handover.objects.filter(person=user.pk, closed_at__isnull=True).exists()
    )


def staff_can_be_deactivated(user) -> bool:
    """A person is switched off only once no customer names them as holder any more: their
    customers must have gone through a handover first (000 §3.5)."""
    return not Customer.objects.filter(holder=user.pk).exists()


def handovers_in_scope(user, managed_ids: list[int] | None = None) -> QuerySet[Handover]:
    """Handovers of the departments `user` manages (the GM: all). `managed_ids`: those
    departments' ids when the caller has resolved them already (a literal list: the planner
    does not re-plan the permission subquery in every query of the page)."""
    departments = departments_managed_by(user) if managed_ids is None else managed_ids
    return Handover.objects.filter(department__in=departments).select_related(
        "person", "department", "opened_by"
    )


def handover_candidates(user, managed: list, *, department=None, q: str = "") -> QuerySet[Staff]:
    """Active people a manager may mark as leaving or transferring: the staff of `managed`
    (the Department rows `user` manages), not `user`, narrowed to `department`'s subtree (one
    of `managed`) and to a name search `q` (username, either name, or 姓名 as written in
    Chinese: family name first). In tree order, then role and username; page it (the GM's
    scope is every active person of the company)."""
    people = Staff.objects.filter(
        department__in=[d.pk for d in managed], status=Staff.Status.ACTIVE
    ).exclude(user=user.pk)
    if department is not None:
        people = people.filter(department__path__startswith=department.path)
    q = q.replace("\x00", "").strip()
    if q:
        people = people.annotate(chinese_name=Concat("user__last_name", "user__first_name")).filter(
            Q(user__username__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(user__last_name__icontains=q)
            | Q(chinese_name__icontains=q)
        )
    return people.select_related("user", "department")


def held_counts(user_ids) -> dict[int, int]:
    """Customers each of `user_ids` holds now (those holding none left out): one GROUP BY over
    the holder index for the people a page shows, never over the whole staff."""
    ids = list(user_ids)
    if not ids:
        return {}
    return dict(
        Customer.objects.filter(holder__in=ids)
        .order_by()
        .values("holder_id")
        .annotate(n=Count("pk"))
        .values_list("holder_id", "n")
    )


def handovers_overdue(as_of: datetime | date) -> QuerySet[Handover]:
    """Handovers not closed by their due time, as seen at `as_of` — the HANDOVER_OVERDUE scan
    reads this (000 §4.2⑤). A handover closed late still counts: it was not done in time.
    A date means the start of that day in Asia/Shanghai."""
    if not isinstance(as_of, datetime):
        as_of = timezone.make_aware(datetime.combine(as_of, time.min))
    return (
        Handover.objects.filter(due_at__lt=as_of)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=F("due_at")))
        .select_related("person", "department", "department__manager")
    )


def days_left(due_at: datetime, now: datetime) -> int:
    """Whole days until `due_at`, rounded up; negative once it has passed."""
    seconds = (due_at - now).total_seconds()
    return math.ceil(seconds / 86400) if seconds >= 0 else math.floor(seconds / 86400)


def open_handovers_for(user, now: datetime, managed_ids: list[int] | None = None) -> list[Handover]:
    """The manager's countdown: open handovers in the departments `user` manages, most urgent
    first, each with `days_left` (negative = overdue) and `is_overdue`."""
    rows = list(
        handovers_in_scope(user, managed_ids)
        .filter(closed_at__isnull=True)
        .order_by("due_at", "pk")
    )
    for row in rows:
        row.days_left = days_left(row.due_at, now)
        row.is_overdue = row.due_at < now
    return rows


def handover_items(handover: Handover) -> list[HandoverItem]:
    """The handover's customers in priority order, each with `in_pool`: still waiting in the
    department pool (only those can be handed out here)."""
    items = list(
        handover.items.select_related(
            "customer", "customer__holder", "recipient", "distributed_by"
        ).order_by("position")
    )
    for item in items:
        item.in_pool = in_handover_pool(item.customer, handover)
    return items


def handover_recipients(handover: Handover) -> QuerySet:
    """Who may receive the handover's customers: active salespeople of the department, not the
    person handing over."""
    from crm.models import User

    return (
        User.objects.filter(
            receivers("staff__"),
            is_active=True,
            staff__department=handover.department_id,
            staff__status=Staff.Status.ACTIVE,
        )
        .exclude(pk=handover.person_id)
        .order_by("username")
    )


def inbox_items(user, *, now: datetime, managed_ids: list[int] | None = None) -> list[InboxItem]:
    """Open handovers waiting on `user` (a manager or the GM) — the inbox's 交接 rows."""
    items = []
    for handover in handovers_in_scope(user, managed_ids).filter(closed_at__isnull=True):
        items.append(
            InboxItem(
                kind=_("Handovers"),
                title=_("Handover of %(person)s's customers (%(department)s)")
                % {
                    "person": handover.person.display_name,
                    "department": handover.department.name,
                },
                created_at=handover.opened_at,
                url=reverse("allocation:handover_detail", args=[handover.pk]),
                due_at=handover.due_at,
            )
        )
    return items


def in_handover_pool(customer: Customer, handover: Handover) -> bool:
    return (
        customer.holder_id is None
        and customer.pool == Pool.DEPARTMENT
        and customer.department_id == handover.department_id
    )
