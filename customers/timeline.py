"""A customer's timeline (follow-ups with their amendments, deals, referrals, inquiry calls,
ownership events), newest first. (The yearly transaction table, 年客户交易记录表, is sales's:
sales.selectors.yearly.)"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import F, IntegerField, Prefetch, Q, Value

from .models import Customer, Deal, FollowUp, InquiryCall, OwnershipEvent, Referral, VisitPhoto

PAGE = 20
# Sort order among entries of the same moment; also the cursor's type component.
SOURCES = [
    (1, "event", OwnershipEvent, "at", ["from_holder", "to_holder", "actor"]),
    (2, "inquiry", InquiryCall, "occurred_at", ["author"]),
    (3, "referral", Referral, "occurred_at", ["author", "referred"]),
    (4, "deal", Deal, "occurred_at", ["author", "credited_to"]),
    (5, "followup", FollowUp, "occurred_at", ["author", "contact", "amends"]),
]


@dataclass
class Entry:
    type: str
    at: datetime
    obj: object


def _after(order: int, at_field: str, cursor) -> Q:
    """Rows that come after `cursor` (at, type order, id) in newest-first order."""
    if cursor is None:
        return Q()
    at, kind, pk = cursor
    if order < kind:
        return Q(**{f"{at_field}__lte": at})
    if order == kind:
        return Q(**{f"{at_field}__lt": at}) | Q(**{at_field: at, "pk__lt": pk})
    return Q(**{f"{at_field}__lt": at})


def timeline(customer: Customer, *, cursor=None, size: int = PAGE):
    """One page: a UNION over the five record tables picks the next `size` (type, id, at)
    on their (customer, time) indexes, then one query per type loads them — a constant
    number of queries however many records the customer has."""
    parts = []
    for order, _name, model, at_field, _related in SOURCES:
        if model is FollowUp:
            # Amendments are shown with their original, not as entries of their own.
            qs = model.objects.filter(customer=customer, amends__isnull=True)
        else:
            qs = model.objects.filter(customer=customer)
        parts.append(
            qs.filter(_after(order, at_field, cursor))
            .annotate(t=Value(order, output_field=IntegerField()), at_=F(at_field))
            .values_list("t", "id", "at_")
            .order_by()
        )
    union = parts[0].union(*parts[1:], all=True).order_by("-at_", "-t", "-id")[: size + 1]
    rows = list(union)
    has_more = len(rows) > size
    rows = rows[:size]
    wanted: dict[int, list[int]] = {}
    for order, pk, _at in rows:
        wanted.setdefault(order, []).append(pk)
    loaded = {}
    for order, _name, model, _at_field, related in SOURCES:
        if order not in wanted:
            continue
        qs = model.objects.filter(pk__in=wanted[order]).select_related(*related)
        if model is FollowUp:
            qs = qs.prefetch_related(
                Prefetch(
                    "amendments",
                    queryset=FollowUp.objects.select_related("author").order_by("entered_at"),
                ),
                Prefetch("photos", queryset=VisitPhoto.objects.order_by("pk")),
            )
        loaded.update({(order, obj.pk): obj for obj in qs})
    names = {order: name for order, name, *_ in SOURCES}
    entries = [Entry(names[o], at, loaded[(o, pk)]) for o, pk, at in rows]
    next_cursor = (rows[-1][2], rows[-1][0], rows[-1][1]) if has_more and rows else None
    return entries, next_cursor


def encode_cursor(cursor) -> str:
    at, order, pk = cursor
    return f"{at.timestamp():.6f}_{order}_{pk}"


def decode_cursor(value: str | None):
    if not value:
        return None
    try:
        ts, order, pk = value.split("_")
        return datetime.fromtimestamp(float(ts), tz=UTC), int(order), int(pk)
    except (ValueError, OverflowError, OSError):
        return None
