"""Writes of 竞争对手 (001 附录 3, SPEC §11): keep the competitor catalogue, link a competitor to
a customer or to one of its opportunities (谁在竞标), remove a link.

- The catalogue is kept by managers and the GM (`may_edit_competitors`); names are unique,
  compared without case and surrounding spaces. Every change is in the history
  (django-simple-history) with who and when.
- A link is added or removed by whoever works the customer (`may_link_competitor`: its holder,
  the department's managers, the GM). An opportunity must be the customer's. A competitor is
  linked once per customer (without an opportunity) and once per opportunity.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crm.errors import RuleError
from customers.models import Customer
from customers.services.records import customer_lock

from ..models import Competitor, CompetitorLink
from ..rights import may_edit_competitors, may_link_competitor

TEXT_FIELDS = ("products", "prices", "features", "strengths", "weaknesses", "strategy")
TEXT_MAX = 2000
NOTE_MAX = 300


class CompetitorError(RuleError):
    """A competitor write the rules refuse."""


def _clean(data: dict) -> dict:
    name = " ".join((data.get("name") or "").split())
    if not name:
        raise CompetitorError(_("Name the competitor."))
    if len(name) > 100:
        raise CompetitorError(_("The name is too long: at most 100 characters."))
    cleaned = {"name": name}
    for field in TEXT_FIELDS:
        text = (data.get(field) or "").strip()
        if len(text) > TEXT_MAX:
            raise CompetitorError(_("Each field holds at most 2000 characters."))
        cleaned[field] = text
    return cleaned


def _check_may_edit(actor) -> None:
    if not may_edit_competitors(actor):
        raise CompetitorError(_("Only managers and the general manager keep the competitors."))


def _check_name_free(name: str, *, other_than: int | None = None) -> None:
    taken = Competitor.objects.filter(name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    if taken.exists():
        raise CompetitorError(_("A competitor of this name is already recorded."))


def _save(competitor: Competitor) -> None:
    try:
        with transaction.atomic():
            competitor.save()
    except IntegrityError:  # the same name saved meanwhile
        raise CompetitorError(_("A competitor of this name is already recorded.")) from None


def competitor_create(*, actor, data: dict, now: datetime) -> Competitor:
    _check_may_edit(actor)
    cleaned = _clean(data)
    with transaction.atomic():
        _check_name_free(cleaned["name"])
        competitor = Competitor(**cleaned, updated_by=actor, updated_at=now)
        competitor._history_user = actor
        _save(competitor)
    return competitor


def competitor_update(*, actor, competitor: Competitor, data: dict, now: datetime) -> Competitor:
    _check_may_edit(actor)
    cleaned = _clean(data)
    with transaction.atomic():
        competitor = Competitor.objects.select_for_update().get(pk=competitor.pk)
        _check_name_free(cleaned["name"], other_than=competitor.pk)
        for field, value in cleaned.items():
            setattr(competitor, field, value)
        competitor.updated_by = actor
        competitor.updated_at = now
        competitor._history_user = actor
        _save(competitor)
    return competitor


def competitor_link(
    *,
    actor,
    competitor: Competitor,
    customer: Customer,
    opportunity=None,
    note: str = "",
    now: datetime,
) -> CompetitorLink:
    """Record that `competitor` is met at `customer` (bidding for `opportunity` if given)."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise CompetitorError(_("The note is too long: at most 300 characters."))
    with transaction.atomic():
        customer = customer_lock(customer)
        if not may_link_competitor(actor, customer):
            raise CompetitorError(
                _("Only the customer's holder and the department's managers link competitors.")
            )
        if opportunity is not None and opportunity.customer_id != customer.pk:
            raise CompetitorError(_("The opportunity is not this customer's."))
        same = CompetitorLink.objects.filter(
            competitor=competitor, customer=customer, opportunity=opportunity
        )
        if same.exists():
            raise CompetitorError(_("This competitor is already linked here."))
        link = CompetitorLink(
            competitor=competitor,
            customer=customer,
            opportunity=opportunity,
            note=note,
            added_by=actor,
            added_at=now,
        )
        link._history_user = actor
        try:
            with transaction.atomic():
                link.save()
        except IntegrityError:
            raise CompetitorError(_("This competitor is already linked here.")) from None
    return link


def competitor_unlink(*, actor, link: CompetitorLink, now: datetime) -> None:
    """Remove a link (a mistaken or stale entry); the history keeps who removed it."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=link.customer_id)
        if not may_link_competitor(actor, customer):
            raise CompetitorError(
                _("Only the customer's holder and the department's managers link competitors.")
            )
        link = CompetitorLink.objects.filter(pk=link.pk).first()
        if link is None:
            return
        link._history_user = actor
        link.delete()
