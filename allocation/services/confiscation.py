"""Taking customers away as a sanction (SPEC §7): confiscation of one customer followed
privately (PRIVATE_FOLLOWUP, 000 §4.2③) and reclaim of everything a person holds (the third
CONTACT_REGISTERED). The ledger decides; these move the customers, through the one holder
service, into the holder's department pool."""

from datetime import datetime

from django.db import transaction

from customers.models import Customer, OwnershipKind, Pool
from customers.services import ownership_transfer


@transaction.atomic
def customer_confiscate(*, actor, customer: Customer, now: datetime, reason: str) -> Customer:
    """没收: the customer goes to its department's pool, with an event saying why."""
    return ownership_transfer(
        customer=customer,
        to_pool=Pool.DEPARTMENT,
        kind=OwnershipKind.CONFISCATION,
        actor=actor,
        now=now,
        reason=reason,
        expected_holder_id=customer.holder_id,
    )


def customers_to_department_pool(customers, *, kind: str, actor, now: datetime, reason: str) -> int:
    """Move each of `customers` (a queryset) into its department's pool, locked first and
    refused if someone moved it meanwhile; returns how many moved."""
    moved = 0
    for customer in customers.select_for_update(of=("self",)):
        ownership_transfer(
            customer=customer,
            to_pool=Pool.DEPARTMENT,
            kind=kind,
            actor=actor,
            now=now,
            reason=reason,
            expected_holder_id=customer.holder_id,
        )
        moved += 1
    return moved


@transaction.atomic
def customers_reclaim_all(*, actor, person, now: datetime, reason: str) -> int:
    """Every customer `person` holds goes back to its department pool; returns how many."""
    return customers_to_department_pool(
        Customer.objects.filter(holder=person).order_by("pk"),
        kind=OwnershipKind.RECLAIM,
        actor=actor,
        now=now,
        reason=reason,
    )
