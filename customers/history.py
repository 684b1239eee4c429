"""Readable change history of a customer and its contacts: who changed what, when (SPEC §2)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from .masking import shown_text
from .models import Contact, Customer, OwnershipKind

LIMIT = 50


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    who: str
    subject: str
    kind: str  # "+" created, "~" changed, "-" deleted
    reason: str
    changes: list[Change]


def _display(record, field: str) -> str:
    value = getattr(record, field)
    if isinstance(value, bool):  # e.g. 无效客户: "否 → 是", not "False → True"
        return str(_("Yes") if value else _("No"))
    if value in (None, ""):
        return "—"
    getter = getattr(record, f"get_{field}_display", None)
    return str(getter()) if getter else str(value)


def _entries(records, subject_of, masked: bool, fields):
    """Changes field by field; a masked viewer reads the masked fields (`customers.masking`)
    masked on both sides of the arrow."""
    by_object: dict[int, list] = {}
    for record in records:
        by_object.setdefault(record.id, []).append(record)
    out = []
    for versions in by_object.values():
        versions.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in versions:
            changes = []
            for field in fields:
                new = _display(record, field)
                old = _display(previous, field) if previous else "—"
                if new != old:
                    model = record.instance_type
                    label = str(model._meta.get_field(field).verbose_name)
                    changes.append(
                        Change(
                            label,
                            shown_text(model, field, old, masked=masked),
                            shown_text(model, field, new, masked=masked),
                        )
                    )
            who = record.history_user.display_name if record.history_user else "系统"
            reason = record.history_change_reason or ""
            kind_code = reason.split(":")[0]
            if kind_code in OwnershipKind.values:
                reason = str(OwnershipKind(kind_code).label) + reason[len(kind_code) :]
            if changes or record.history_type != "~":
                out.append(
                    HistoryEntry(
                        record.history_date,
                        who,
                        subject_of(record),
                        record.history_type,
                        reason,
                        changes,
                    )
                )
            previous = record
    return out


def customer_history(customer: Customer, *, masked: bool) -> list[HistoryEntry]:
    """Newest first, at most LIMIT entries. For a masked viewer (`customer.contacts_masked`)
    every field `customers.masking` declares — the customer's and its contacts' — stays masked,
    before and after each change."""
    customer_fields = [
        f.name
        for f in Customer.history.model._meta.fields
        if f.name in {x.name for x in Customer._meta.fields}
        and f.name not in ("id", "holder_since", "registered_at", "registered_by")
    ]
    contact_fields = [f.name for f in Contact._meta.fields if f.name not in ("id", "customer")]
    customer_records = list(
        customer.history.select_related("history_user", "holder", "department").order_by(
            "-history_date"
        )[:LIMIT]
    )
    contact_records = list(
        Contact.history.filter(customer_id=customer.pk)
        .select_related("history_user")
        .order_by("-history_date")[:LIMIT]
    )
    entries = _entries(
        customer_records,
        lambda r: str(Customer._meta.verbose_name),
        masked,
        customer_fields,
    )
    entries += _entries(
        contact_records,
        lambda r: f"{Contact._meta.verbose_name} {r.name}",
        masked,
        contact_fields,
    )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:LIMIT]
