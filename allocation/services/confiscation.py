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


@transaction.atomic
def customers_reclaim_all(*, actor, person, now: datetime, reason: str) -> int:
    """Every customer `person` holds goes back to its department pool; returns how many."""
    moved = 0
    held = Customer.objects.filter(holder=person).select_for_update().order_by("pk")
    for customer in held:
        ownership_transfer(
            customer=customer,
            to_pool=Pool.DEPARTMENT,
            kind=OwnershipKind.RECLAIM,
            actor=actor,
            now=now,
            reason=reason,
            expected_holder_id=person.pk,
        )
        moved += 1
    return moved
