"""Transfer and leave handovers (调/离职交接, 000 §3.5; SPEC §5).

When a person is marked as leaving or transferring, every customer they hold goes to their
department pool at once (leavers have no right to hand customers out themselves, 000 §3.5), and
the department manager gets a task: distribute them, loyal and in-service customers first, within
HANDOVER_DAYS (7) days — otherwise HANDOVER_OVERDUE (000 §4.2⑤).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import RuleError
from crm.models import Department, Staff
from crm.notifications import notify
from crm.selectors import manages_department
from crm.validators import planned_problem
from customers.errors import NotAllowed
from customers.models import Customer, OwnershipKind, Pool
from customers.services import ownership_transfer

from ..models import Handover, HandoverItem
from ..selectors.handovers import (
    LEAVING_STATUSES,
    handover_days,
    handover_priority,
    handover_recipients,
    in_handover_pool,
    is_handing_over,
)

# Stored in the ownership event's reason (data, not interface text: the rule book's words).
HANDOVER_REASONS = {Staff.Status.LEFT: "离职交接", Staff.Status.TRANSFERRING: "调岗交接"}


class HandoverError(RuleError):
    """A handover request the rules refuse; the message is for the user."""


# --- services ------------------------------------------------------------------------------


def _keeper(department: Department, *, besides) -> object | None:
    """Whoever keeps the department's pool: its manager, or the nearest manager above when the
    manager is the person leaving."""
    node = department
    while node is not None:
        if node.manager_id and node.manager_id != besides.pk:
            return node.manager
        node = node.parent
    return None


def _check_open(actor, staff: Staff, *, status: str, effective_at: datetime, now: datetime):
    """000 §4.2⑤「离职人员私自分配数据库里的资源，处以100~300元的罚款」: a leaver's customers are
    handed over by a manager of the person's department (or the GM), not one who is leaving
    themselves, never by the person; a person is marked once (the
    staff row is the lock: two managers marking the same person cannot both pass, and the
    one-open-handover constraint backs it up). Returns the locked staff row."""
    if status not in LEAVING_STATUSES:
        raise HandoverError(_("Choose whether the person is leaving or transferring."))
    problem = planned_problem(effective_at, now=now)  # the form's bounds (crm/validators.py)
    if problem:
        raise HandoverError(problem)
    if (
        not staff.department_id
        or not manages_department(actor, staff.department_id)
        or is_handing_over(actor)
    ):
        raise NotAllowed(_("Only the manager of this person's department can do this."))
    if staff.user_id == actor.pk:
        raise NotAllowed(_("Your own handover is opened by your manager."))
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    if (
        staff.status in LEAVING_STATUSES
        or Handover.objects.filter(person=staff.user_id, closed_at__isnull=True).exists()
    ):
        raise HandoverError(
            _("%(person)s is already marked as leaving or transferring; see the handover.")
            % {"person": staff.user.display_name}
        )
    return staff


def _pool_held(handover: Handover, staff: Staff, *, actor, now: datetime) -> list:
    """Every customer the person holds goes to the department pool as a handover event, listed
    loyal and in-service ones first; with nothing to hand out the handover closes at once
    (never overdue)."""
    customers = list(handover_priority(Customer.objects.filter(holder=staff.user_id)))
    items = []
    for position, customer in enumerate(customers, start=1):
        ownership_transfer(
            customer=customer,
            to_pool=Pool.DEPARTMENT,
            department=staff.department,
            kind=OwnershipKind.HANDOVER,
            actor=actor,
            now=now,
            reason=HANDOVER_REASONS[handover.reason],
            approval_ref=handover.reference,
            expected_holder_id=staff.user_id,
        )
        items.append(HandoverItem(handover=handover, customer=customer, position=position))
    HandoverItem.objects.bulk_create(items)
    if not items:
        handover.closed_at = now
        handover.save(update_fields=["closed_at"])
    return items


@transaction.atomic
def handover_open(*, actor, staff: Staff, status: str, effective_at: datetime, now: datetime):
    """Mark `staff` as leaving or transferring and start the handover (000 §3.5): set the
    status and its effective time (Staff history records it), move every customer the person
    holds to their department pool as a handover event, and give the department manager a
    task due in HANDOVER_DAYS listing the customers, loyal and in-service ones first.

    Only a manager of the person's department (or the GM) may; nobody opens their own.
    """
    staff = _check_open(actor, staff, status=status, effective_at=effective_at, now=now)
    staff.status = status
    staff.status_effective_at = effective_at
    staff._history_user = actor
    staff._history_date = now
    staff.save()

    handover = Handover.objects.create(
        person=staff.user,
        department=staff.department,
        reason=status,
        effective_at=effective_at,
        opened_by=actor,
        opened_at=now,
        due_at=now + timedelta(days=handover_days()),
    )
    items = _pool_held(handover, staff, actor=actor, now=now)
    keeper = _keeper(staff.department, besides=staff.user)
    if keeper is not None and items:
        notify(
            recipient=keeper,
            now=now,
            title=_("Handover: %(count)d customers of %(person)s are waiting in the pool")
            % {"count": len(items), "person": staff.user.display_name},
            body=_("Hand them out by %(due)s.")
            % {"due": timezone.localtime(handover.due_at).strftime("%Y-%m-%d %H:%M")},
            link=reverse("allocation:handover_detail", args=[handover.pk]),
        )
    return handover


def _plan(handover: Handover, assignments: dict, *, items, customers, allowed) -> list:
    """000 §4.2⑤「员工离职、调动后留下的客户资源…应在交接完后7日内分配下去」: each chosen
    customer must still wait in this handover's department pool and go to an active
    salesperson of the department other than the person handing over. All or nothing: one bad
    line refuses the request."""
    plan = []
    for customer_id, recipient in assignments.items():
        item = items.get(int(customer_id))
        if item is None:
            raise HandoverError(_("A chosen customer is not waiting in this handover."))
        customer = customers[item.customer_id]
        if not in_handover_pool(customer, handover):
            raise HandoverError(
                _("%(customer)s is no longer in the department pool; reload the page.")
                % {"customer": customer.name}
            )
        if recipient is None or recipient.pk not in allowed:
            raise HandoverError(
                _(
                    "%(customer)s can only go to an active salesperson of %(department)s "
                    "other than the person handing over."
                )
                % {"customer": customer.name, "department": handover.department.name}
            )
        plan.append((item, customer, allowed[recipient.pk]))
    return plan


def _notify_recipients(plan: list, *, now: datetime):
    """One notification per recipient naming (up to 20 of) the customers they received."""
    received: dict[int, list[str]] = {}
    people = {}
    for _item, customer, recipient in plan:
        received.setdefault(recipient.pk, []).append(customer.name)
        people[recipient.pk] = recipient
    for recipient_id, names in received.items():
        notify(
            recipient=people[recipient_id],
            now=now,
            title=_("%(count)d customers handed over to you") % {"count": len(names)},
            body="、".join(names[:20]),
            link=reverse("customers:list") + "?scope=mine",
        )


@transaction.atomic
def handover_distribute(*, actor, handover: Handover, assignments: dict, now: datetime):
    """Hand the handover's customers out from the department pool: `assignments` maps a
    customer id to its recipient, an active salesperson of the department other than the person
    handing over. All or nothing: one bad line refuses the whole request. When every customer
    has been handed out (or has left the pool by another workflow) the handover closes.
    """
    if not manages_department(actor, handover.department_id) or is_handing_over(actor):
        raise NotAllowed(_("Only the manager of this person's department can do this."))
    # Lock the handover: two managers distributing at once are serialised here.
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    if handover.closed_at is not None:
        raise HandoverError(_("This handover is already closed."))
    items = {
        item.customer_id: item
        for item in handover.items.select_for_update().filter(distributed_at__isnull=True)
    }
    allowed = {user.pk: user for user in handover_recipients(handover)}
    customers = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=list(items))}

    plan = _plan(handover, assignments, items=items, customers=customers, allowed=allowed)

    # Customers that left the pool by another workflow (distributed or reclaimed) are settled.
    elsewhere = [
        item
        for customer_id, item in items.items()
        if customer_id not in {i.customer_id for i, _c, _r in plan}
        and not in_handover_pool(customers[customer_id], handover)
    ]
    if not plan and not elsewhere:
        raise HandoverError(_("Choose a recipient for at least one customer."))

    for item, customer, recipient in plan:
        ownership_transfer(
            customer=customer,
            to_holder=recipient,
            kind=OwnershipKind.HANDOVER,
            actor=actor,
            now=now,
            reason="交接分发",
            approval_ref=handover.reference,
            expected_holder_id=None,
        )
        item.recipient = recipient
        item.distributed_by = actor
        item.distributed_at = now
    for item in elsewhere:
        item.recipient_id = customers[item.customer_id].holder_id
        item.distributed_at = now
        item.settled_elsewhere = True
    HandoverItem.objects.bulk_update(
        [i for i, _c, _r in plan] + elsewhere,
        ["recipient", "distributed_by", "distributed_at", "settled_elsewhere"],
    )
    if not handover.items.filter(distributed_at__isnull=True).exists():
        handover.closed_at = now
        handover.save(update_fields=["closed_at"])

    _notify_recipients(plan, now=now)
    return handover
