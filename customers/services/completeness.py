"""Completeness of the basic fields and its deadline (000 §3.1.f; SPEC §8)."""

from datetime import date

from constance import config
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from ..basic_fields import basic_field_names
from ..models import Customer


def completion_due(customer: Customer) -> date:
    """First deal + N months (admin-editable, default 2) once deals exist; until then the
    registration date, so the oldest undealt records come first on the worklist."""
    if customer.first_deal_at:
        first = timezone.localdate(customer.first_deal_at)
        return first + relativedelta(months=config.COMPLETION_MONTHS_AFTER_DEAL)
    return timezone.localdate(customer.registered_at)


def apply_completeness(customer: Customer, fields: list[str] | None = None) -> None:
    """Set `is_incomplete` and `completion_due` on the instance (the caller saves)."""
    missing = customer.missing_basic_fields(fields if fields is not None else basic_field_names())
    customer.is_incomplete = bool(missing)
    customer.completion_due = completion_due(customer) if missing else None
