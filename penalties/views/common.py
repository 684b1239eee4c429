"""Helpers shared by the ledger pages: the month in the query string and the page right."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from crm.validators import parse_month as parse_bounded_month

PAGE = 50


def parse_month(raw: str | None, *, default: date | None) -> date | None:
    """'YYYY-MM' → first day of that month; anything else, or a month outside the product's
    bounds (9999-12, 0001-01: crm/validators.py), → ValueError."""
    if not raw:
        return default
    return parse_bounded_month(raw, today=timezone.localdate())


MONTH_FORMAT_MESSAGE = gettext_lazy("Give the month as YYYY-MM, for example 2026-11.")


def month_or_message(request, default: date) -> date:
    """The `month` of the query string, or `default` (with a message when it was malformed)."""
    try:
        return parse_month(request.GET.get("month"), default=default)
    except ValueError:
        messages.error(request, MONTH_FORMAT_MESSAGE)
        return default


def month_required(request, raw: str | None) -> date | None:
    """The month an action needs; None, with a message, when it is missing or malformed."""
    try:
        month = parse_month(raw, default=None)
    except ValueError:
        month = None
    if month is None:
        messages.error(request, MONTH_FORMAT_MESSAGE)
    return month


def require_right(right, user) -> None:
    """404 for whoever lacks the page's right (penalties.rights)."""
    if not right(user):
        raise Http404
