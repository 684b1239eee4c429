"""Editing the archive: static fields and contacts, each change through the key check."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from ..basic_fields import basic_field_names
from ..errors import NotAllowed
from ..models import Contact, Customer
from ..selectors import editable_fields
from .completeness import apply_completeness
from .keys import keys_by_source, keys_sync

BATCH = 5000


@transaction.atomic
def customer_update(*, actor, customer: Customer, data: dict, now: datetime) -> Customer:
    """Change static fields `actor` may edit (holder/managers: archive + classification;
    accountants: archive only). A changed phone, tax id or name goes through the same
    duplicate-key check as registration; a refusal leaves the record as it was."""
    allowed = set(editable_fields(actor, customer))
    refused = set(data) - allowed
    if refused:
        raise NotAllowed(
            _("You may not change these fields: %(fields)s")
            % {
                "fields": ", ".join(
                    sorted(str(Customer._meta.get_field(f).verbose_name) for f in refused)
                )
            }
        )
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = {k: v for k, v in data.items() if getattr(locked, k) != v}
    if not changed:
        return locked
    before = keys_by_source(locked)
    for name, value in changed.items():
        setattr(locked, name, value)
    apply_completeness(locked)
    locked._history_user = actor
    locked._history_date = now
    locked.save()
    keys_sync(customer=locked, before=before)
    return locked


def _check_contact_rights(actor, customer: Customer) -> None:
    if "phone" not in editable_fields(actor, customer):
        raise NotAllowed(_("You may not change this customer's contacts."))


@transaction.atomic
def contact_add(*, actor, customer: Customer, data: dict, now: datetime) -> Contact:
    """Add a contact; its phone and mobile must not belong to another customer."""
    _check_contact_rights(actor, customer)
    before = keys_by_source(customer)
    contact = Contact(customer=customer, **data)
    contact._history_user = actor
    contact._history_date = now
    contact.save()
    keys_sync(customer=customer, before=before)
    return contact


@transaction.atomic
def contact_update(*, actor, contact: Contact, data: dict, now: datetime) -> Contact:
    _check_contact_rights(actor, contact.customer)
    before = keys_by_source(contact.customer)
    for name, value in data.items():
        setattr(contact, name, value)
    contact._history_user = actor
    contact._history_date = now
    contact.save()
    keys_sync(customer=contact.customer, before=before)
    return contact


def customers_refresh_completeness(*, fields: list[str] | None = None) -> int:
    """Recompute `is_incomplete`/`completion_due` for every customer, in batches (after an
    administrator changes the basic-field list). Derived columns, so no history rows."""
    fields = fields if fields is not None else basic_field_names()
    changed = 0
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                Customer.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .only(
                    "pk",
                    "registered_at",
                    "first_deal_at",
                    "is_incomplete",
                    "completion_due",
                    *fields,
                )[:BATCH]
            )
            if not batch:
                return changed
            dirty = []
            for customer in batch:
                before = (customer.is_incomplete, customer.completion_due)
                apply_completeness(customer, fields)
                if (customer.is_incomplete, customer.completion_due) != before:
                    dirty.append(customer)
            Customer.objects.bulk_update(dirty, ["is_incomplete", "completion_due"])
            changed += len(dirty)
            last_id = batch[-1].pk
