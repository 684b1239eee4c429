"""Duplicate keys: derive them, and claim them under the UNIQUE index."""

from django.db import IntegrityError, transaction
from django.db.models import Q

from ..errors import DuplicateCustomer
from ..models import Customer, CustomerKey
from ..normalize import normalize_org_name, normalize_phone, normalize_tax_id

Key = tuple[str, str]
PHONE, TAX_ID, ORG_NAME = CustomerKey.Kind.PHONE, CustomerKey.Kind.TAX_ID, CustomerKey.Kind.ORG_NAME


def customer_keys(*, name: str, is_organisation: bool, phone: str, tax_id: str) -> set[Key]:
    """Keys of the customer's own fields. Raises KeyFormatError on a malformed value."""
    keys: set[Key] = set()
    if phone:
        keys.add((PHONE, normalize_phone(phone)))
    if tax_id:
        keys.add((TAX_ID, normalize_tax_id(tax_id)))
    if is_organisation and name:
        keys.add((ORG_NAME, normalize_org_name(name)))
    return keys


def contact_keys(*, phone: str, mobile: str) -> set[Key]:
    return {(PHONE, normalize_phone(v)) for v in (phone, mobile) if v}


def _holder_of(keys: set[Key], *, exclude_customer_id: int | None) -> Customer | None:
    if not keys:
        return None
    match = Q(pk__in=[])
    for kind, value in keys:
        match |= Q(kind=kind, value=value)
    found = CustomerKey.objects.filter(match)
    if exclude_customer_id:
        found = found.exclude(customer_id=exclude_customer_id)
    key = found.select_related("customer__holder", "customer__department").first()
    return key.customer if key else None


def keys_claim(*, customer: Customer, keys: set[Key]) -> None:
    """Insert `keys` for `customer`, or raise DuplicateCustomer naming who holds them.

    The friendly pre-check answers the common case; the UNIQUE index answers the race (two
    people registering the same phone at the same moment: exactly one insert succeeds).
    """
    existing = (
        set(CustomerKey.objects.filter(customer=customer).values_list("kind", "value"))
        if customer.pk
        else set()
    )
    new = keys - existing
    if not new:
        return
    other = _holder_of(new, exclude_customer_id=customer.pk)
    if other is not None:
        raise DuplicateCustomer(other)
    try:
        with transaction.atomic():  # savepoint: PostgreSQL aborts the transaction otherwise
            CustomerKey.objects.bulk_create(
                CustomerKey(customer=customer, kind=kind, value=value) for kind, value in new
            )
    except IntegrityError:
        other = _holder_of(new, exclude_customer_id=customer.pk)
        if other is None:  # the competitor rolled back after all; let the caller retry
            raise
        raise DuplicateCustomer(other) from None


def keys_release(*, customer: Customer, keep: set[Key]) -> None:
    """Drop the customer's keys that are no longer in `keep` (a changed phone frees the old)."""
    stale = [
        pk
        for pk, kind, value in CustomerKey.objects.filter(customer=customer).values_list(
            "pk", "kind", "value"
        )
        if (kind, value) not in keep
    ]
    if stale:
        CustomerKey.objects.filter(pk__in=stale).delete()


def keys_sync(*, customer: Customer, before: dict | None = None) -> None:
    """Claim the keys the customer now has and release the ones it no longer has.

    `before`: `keys_by_source(customer)` taken before this edit. A key the customer never held —
    a duplicate older than the rule, or old data entered around it; the duplicates report
    lists it — does not block an edit that leaves its field as it was: only a field the edit
    changes is checked. Otherwise one such contact would refuse every later change to the
    customer (a bank account, a postcode) with a message about registration."""
    now_by_source = keys_by_source(customer)
    wanted = set(now_by_source.values())
    claim = wanted
    if before is not None:
        held = set(CustomerKey.objects.filter(customer=customer).values_list("kind", "value"))
        changed = {key for src, key in now_by_source.items() if before.get(src) != key}
        claim = wanted & (held | changed)
    keys_claim(customer=customer, keys=claim)
    keys_release(customer=customer, keep=wanted)


def keys_by_source(customer: Customer) -> dict[tuple, Key]:
    """Each key with the field it comes from: ("phone",), ("contact", id, "mobile"), …"""
    found: dict[tuple, Key] = {}
    own = {"phone": customer.phone, "tax_id": customer.tax_id, "name": customer.name}
    for field, value in own.items():
        keys = customer_keys(
            name=value if field == "name" else "",
            is_organisation=customer.is_organisation,
            phone=value if field == "phone" else "",
            tax_id=value if field == "tax_id" else "",
        )
        for key in keys:
            found[(field,)] = key
    for pk, phone, mobile in customer.contacts.values_list("pk", "phone", "mobile"):
        for field, value in (("phone", phone), ("mobile", mobile)):
            for key in contact_keys(phone=value, mobile=""):
                found[("contact", pk, field)] = key
    return found


def keys_of(customer: Customer) -> set[Key]:
    """Every key the customer's current fields and contacts produce."""
    return set(keys_by_source(customer).values())
