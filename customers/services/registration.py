"""Priority registration (优先注册归属, 000 §3.2.c; SPEC §3)."""

from datetime import datetime

from constance import config
from django.db import transaction
from django.utils.translation import gettext as _

from crm.models import Staff

from ..errors import NotAllowed
from ..models import Contact, Customer, OwnershipEvent, OwnershipKind, Pool
from ..rights import may_register
from .completeness import apply_completeness
from .keys import contact_keys, customer_keys, keys_claim
from .records import inquiries_attach, referrals_link


def store_collected_sources() -> set[str]:
    return {s.strip() for s in (config.STORE_COLLECTED_SOURCES or "").split(",") if s.strip()}


@transaction.atomic
def customer_register(*, actor, data: dict, contacts: list[dict], now: datetime) -> Customer:
    """Register a new customer to `actor` — the database decides: if any normalised key
    (phone/mobile of the customer or a contact, tax id, organisation name) is already
    registered, DuplicateCustomer names who holds it and nothing is written.

    Store-collected customers (admin-listed sources such as walk-in and exhibitions,
    000 §4.2③) go to the actor's department pool instead, for the manager to distribute.
    Customer, keys, contacts and the 自行登记 event are written in one transaction.
    """
    staff = Staff.objects.filter(user=actor).select_related("department").first()
    if staff is None or not may_register(staff):
        raise NotAllowed(_("Only salespeople and managers register customers."))

    keys = customer_keys(
        name=data.get("name", ""),
        is_organisation=data.get("is_organisation", True),
        phone=data.get("phone", ""),
        tax_id=data.get("tax_id", ""),
    )
    for contact in contacts:
        keys |= contact_keys(phone=contact.get("phone", ""), mobile=contact.get("mobile", ""))

    to_pool = data.get("source") in store_collected_sources() and staff.department_id
    data = dict(data)
    if not data.get("region") and staff.department_id:
        data["region"] = staff.department.region
    customer = Customer(
        **data,
        department=staff.department,
        holder=None if to_pool else actor,
        pool=Pool.DEPARTMENT if to_pool else Pool.NONE,
        holder_since=now,
        acquired_via=OwnershipKind.SELF_REGISTERED,
        registered_by=actor,
        registered_at=now,
    )
    apply_completeness(customer)
    customer._change_reason = OwnershipKind.SELF_REGISTERED.value
    customer._history_user = actor
    customer._history_date = now
    customer.save()
    keys_claim(customer=customer, keys=keys)
    for fields in contacts:
        contact = Contact(customer=customer, **fields)
        contact._history_user = actor
        contact._history_date = now
        contact.save()
    inquiries_attach(customer=customer)
    referrals_link(customer=customer)
    OwnershipEvent.objects.create(
        customer=customer,
        kind=OwnershipKind.SELF_REGISTERED,
        to_holder=customer.holder,
        to_pool=customer.pool,
        department=customer.department,
        reason=_("Store-collected: registered into the department pool") if to_pool else "",
        actor=actor,
        at=now,
    )
    return customer
