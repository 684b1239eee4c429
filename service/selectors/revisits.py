"""Reads of revisit plans and customer care (SPEC §11). Plans are scoped by the customer (SPEC
§1, `sales.selectors.common`); who does a plan is the customer's holder now."""

from datetime import date, timedelta

from django.db.models import Q

from crm.calendar import holiday_label, is_workday, overrides_between
from customers.models import Contact
from customers.selectors import VALID
from sales.selectors.common import customer_condition, visible

from ..models.revisits import RevisitPlan

BIRTHDAY_DAYS = 7  # today and the next 7 days
FESTIVAL_DAYS = 3  # a holiday today or within the next 3 days
GREET_SHOWN = 50


def revisits_visible_to(user):
    return visible(RevisitPlan.objects.all(), user)


def revisit_for(user, pk: int) -> RevisitPlan:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        revisits_visible_to(user).select_related("customer", "customer__holder", "followup"),
        pk=pk,
    )


def revisits_due(user, *, today: date, limit: int = 20) -> list[RevisitPlan]:
    """Open revisits of the customers `user` holds, due today or overdue; one query."""
    rows = list(
        RevisitPlan.objects.filter(customer__holder=user, done_at__isnull=True, due_on__lte=today)
        .filter(**{f"customer__{k}": v for k, v in VALID.children})
        .select_related("customer")
        .order_by("due_on", "due_at", "pk")[:limit]
    )
    for row in rows:
        row.days_overdue = (today - row.due_on).days
    return rows


def _month_days(today: date, days: int) -> list[tuple[int, int, date]]:
    """(month, day, the date it falls on) for today..today+days. 29 February birthdays are
    greeted on 28 February in common years."""
    out = []
    for offset in range(days + 1):
        on = today + timedelta(days=offset)
        out.append((on.month, on.day, on))
        leap = (on.year % 4 == 0 and on.year % 100 != 0) or on.year % 400 == 0
        if on.month == 2 and on.day == 28 and not leap:
            out.append((2, 29, on))
    return out


def birthdays(user, *, today: date, days: int = BIRTHDAY_DAYS) -> list[Contact]:
    """Contacts whose birthday falls today or in the next `days` days, among the customers the
    user sees unmasked (SPEC §1); soonest first; one query. Each gets `greet_on`."""
    pairs = _month_days(today, days)
    when = Q()
    for month, day, _on in pairs:
        when |= Q(birthday__month=month, birthday__day=day)
    condition = customer_condition(user)
    qs = Contact.objects.filter(when, customer__is_invalid=False)
    if condition is not None:
        qs = qs.filter(condition)
    on_date = {(m, d): on for m, d, on in pairs}
    contacts = list(
        qs.select_related("customer").only(
            "pk", "name", "birthday", "customer__id", "customer__name"
        )[:GREET_SHOWN]
    )
    for contact in contacts:
        contact.greet_on = on_date[(contact.birthday.month, contact.birthday.day)]
    contacts.sort(key=lambda c: (c.greet_on, c.pk))
    return contacts


def festivals(*, today: date, days: int = FESTIVAL_DAYS) -> list[tuple[date, str]]:
    """Official holidays (days off with a holiday name, from the working-day calendar) today or
    in the next `days` days; the first day of each run. One query (the override table)."""
    overrides = overrides_between(today, today + timedelta(days=days))
    found: list[tuple[date, str]] = []
    seen = set()
    for offset in range(days + 1):
        on = today + timedelta(days=offset)
        label = holiday_label(on)
        if label and not is_workday(on, overrides=overrides) and label not in seen:
            seen.add(label)
            found.append((on, label))
    return found


def festival_greetings(user, *, today: date, limit: int = GREET_SHOWN) -> dict:
    """Whom to greet for an upcoming festival: the contacts of the customers the user holds."""
    upcoming = festivals(today=today)
    if not upcoming:
        return {"festivals": [], "contacts": [], "more": 0}
    contacts = list(
        Contact.objects.filter(customer__holder=user, customer__is_invalid=False)
        .select_related("customer")
        .only("pk", "name", "customer__id", "customer__name")
        .order_by("customer__name", "pk")[: limit + 1]
    )
    return {"festivals": upcoming, "contacts": contacts[:limit], "more": len(contacts) > limit}
