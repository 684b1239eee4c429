"""What a viewer who may see a customer but not contact it is shown (SPEC §1: "a salesperson
must never see the phone numbers, addresses or follow-up content of a customer registered to
somebody else", 000 §3.1.c; 001 五.4 and 002 §4.1 confidentiality).

Both decisions live here and nowhere else:

- **Who** sees a row masked: `masked_flag(user)`, the `contacts_masked` annotation every
  customer read carries (`customers.selectors.customers_visible_to`). A salesperson sees masked
  the customers they may see without holding them (their department's pool); managers,
  accountants and the general manager see every customer of their scope in full.
- **What** is masked: `FIELDS` below — the customer's contact details (phone, fax, e-mail,
  address), its financial details (tax id, bank, bank account: 001 calls them 财务信息), its
  free-text remarks, and every contact's numbers, e-mail, birthday, hobbies and family remarks.
  Names (the customer's, its short name, the legal representative, the contacts'), the
  classification and the rest of the archive stay readable: enough to decide whether to ask
  for the customer, not enough to contact it.

One function applies it: `shown(obj, field)` (template filter `shown`); the list, detail,
timeline, history, Excel exports and the duplicate report call it. A number is masked as
`138****5678`, anything else as `***`. Follow-up, inquiry and referral content of a masked
customer is hidden whole on the timeline (`RECORDS_HIDDEN`).

Search matches only what the viewer sees in full (`SEARCHABLE_WHEN_MASKED`): a number or tax id
fragment finds a customer only when its row is not masked, so nobody reads a masked number back
one search at a time; masked rows are found by name and short name only.
"""

from datetime import date

from django.db.models import BooleanField, Case, Expression, Q, Value, When

from .models import Contact, Customer
from .normalize import mask_phone
from .rights import sees_only_own_customers

PHONE = "phone"  # 138****5678: enough to recognise a number one already has, no more
HIDDEN = "hidden"  # ***
MASK = "***"

FIELDS: dict[type, dict[str, str]] = {
    Customer: {
        "phone": PHONE,
        "fax": PHONE,
        "email": HIDDEN,
        "address": HIDDEN,
        "tax_id": HIDDEN,
        "bank": HIDDEN,
        "bank_account": HIDDEN,
        "remarks": HIDDEN,
    },
    Contact: {
        "phone": PHONE,
        "mobile": PHONE,
        "fax": PHONE,
        "email": HIDDEN,
        "birthday": HIDDEN,
        "hobbies": HIDDEN,
        "remarks": HIDDEN,
    },
}

# Records whose text a masked viewer never reads (the timeline says "content hidden").
RECORDS_HIDDEN = {
    "followup": ["content", "result", "next_step", "next_date"],
    "inquiry": ["content"],
    "referral": ["referred_name", "referred_phone", "what"],
}

# The customer fields the list search reads on a masked row; numbers and tax ids are matched
# on rows seen in full only (`customers.forms.CustomerFilter.search`).
SEARCHABLE_WHEN_MASKED = ["name", "short_name"]
# The rows of a `customers_visible_to` queryset its viewer sees in full.
SEEN_IN_FULL = Q(contacts_masked=False)


def masked_flag(user) -> Expression:
    """The `contacts_masked` annotation of `customers_visible_to(user)`: true on the rows
    `user` may see but not contact. A salesperson: every row they do not hold."""
    if sees_only_own_customers(user):
        return Case(
            When(holder=user.pk, then=Value(False)),
            default=Value(True),
            output_field=BooleanField(),
        )
    return Value(False, output_field=BooleanField())


def masked_fields(model: type) -> dict[str, str]:
    """Field name → how it is masked, for a Customer, a Contact or one of their history
    models (django-simple-history's `instance_type`)."""
    return FIELDS.get(getattr(model, "instance_type", model), {})


def is_masked(obj) -> bool:
    """Whether `obj` — a customer read through `customers_visible_to`, or one of its contacts
    read through it (`customer.contacts.all()` or a prefetch keeps the annotated customer) —
    is seen masked. A customer read without the annotation counts as masked: forgetting the
    selector hides data rather than leaking it."""
    customer = obj.customer if isinstance(obj, Contact) else obj
    return getattr(customer, "contacts_masked", True)


def mask(value, how: str):
    """`value` masked the way `how` says; empty values stay empty (so "—" still shows)."""
    if value in (None, ""):
        return value
    if how == PHONE:
        return mask_phone(str(value)) or MASK
    return MASK


def shown(obj, field: str, *, masked: bool | None = None):
    """`obj.field` as the viewer may see it: the value, or its mask when the row is masked
    (`masked` defaults to `is_masked(obj)`) and the field is declared in `FIELDS`."""
    value = getattr(obj, field)
    if masked is None:
        masked = is_masked(obj)
    how = masked_fields(type(obj)).get(field) if masked else None
    return mask(value, how) if how else value


def shown_text(model: type, field: str, text: str, *, masked: bool) -> str:
    """An already formatted value (history shows "—" for empty) as the viewer may see it."""
    how = masked_fields(model).get(field) if masked else None
    if not how or text in ("", "—"):
        return text
    return mask(text, how)


def for_template(value):
    """Dates as the pages write them (Y-m-d); anything else unchanged."""
    return value.isoformat() if isinstance(value, date) else value
