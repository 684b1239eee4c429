"""Disputes over unregistered customers (纠纷, 000 §3.2.d; SPEC §3).

The database is the only evidence of ownership: a customer with a record is never disputed.
When two people claim one it has no record of, the department manager rules by the visit counts
in their logs and the customer is registered to the winner.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.errors import RuleError
from crm.models import Staff
from crm.notifications import notify
from crm.selectors import departments_managed_by
from customers.errors import NotAllowed
from customers.models import Customer, CustomerKey, OwnershipKind
from customers.normalize import KeyFormatError, normalize_org_name, normalize_phone
from customers.services import customer_register, ownership_transfer

from ..models import Dispute, DisputeClaim
from ..rights import claimant_staff
from ..selectors.disputes import (
    dispute_logs,
    disputes_visible_to,
)
from ..selectors.handovers import is_handing_over


class DisputeError(RuleError):
    """A dispute request the rules refuse; the message is for the user."""


# --- services ------------------------------------------------------------------------------


def _registered(*, phone: str, name: str) -> bool:
    keys = Q(kind=CustomerKey.Kind.PHONE, value=phone) if phone else Q(pk__in=[])
    if name:
        keys |= Q(kind=CustomerKey.Kind.ORG_NAME, value=normalize_org_name(name))
    return CustomerKey.objects.filter(keys).exists()


@transaction.atomic
def dispute_open(*, actor, phone: str, name: str, claimants: list, note: str, now: datetime):
    """Open a dispute: two people of departments `actor` manages claim a customer identified by
    a phone number and/or a name that nobody has registered. A registered number (or
    organisation name) is refused — the database already decided (000 §3.2.c)."""
    managed = departments_managed_by(actor)
    if not managed.exists() or is_handing_over(actor):
        raise NotAllowed(_("Only a manager of the claimants' departments can open a dispute."))
    name = (name or "").strip()
    try:
        phone = normalize_phone(phone) if (phone or "").strip() else ""
    except KeyFormatError as exc:
        raise DisputeError(str(exc)) from None
    if not phone and not name:
        raise DisputeError(_("Give the customer's phone number or name."))
    people = [c for c in claimants if c is not None]
    if len(people) != 2 or people[0].pk == people[1].pk:
        raise DisputeError(_("A dispute is between two different people."))
    if actor.pk in {p.pk for p in people}:
        raise NotAllowed(_("A claimant cannot open or rule their own dispute."))
    staff = {
        s.user_id: s
        for s in Staff.objects.filter(
            claimant_staff(),
            user__in=[p.pk for p in people],
            department__in=managed,
            status=Staff.Status.ACTIVE,
        )
    }
    if len(staff) != 2:
        raise NotAllowed(_("Only a manager of the claimants' departments can open a dispute."))
    if _registered(phone=phone, name=name):
        raise DisputeError(
            _(
                "This customer is already registered: the database has decided who holds it, "
                "there is nothing to rule."
            )
        )
    if phone and Dispute.objects.filter(phone=phone, status=Dispute.Status.OPEN).exists():
        raise DisputeError(_("A dispute over this phone number is already open."))
    dispute = Dispute.objects.create(
        phone=phone, name=name, note=(note or "").strip(), opened_by=actor, opened_at=now
    )
    DisputeClaim.objects.bulk_create(
        DisputeClaim(dispute=dispute, claimant=p, department_id=staff[p.pk].department_id)
        for p in people
    )
    return dispute


@transaction.atomic
def dispute_rule(*, actor, dispute: Dispute, winner, data: dict, now: datetime) -> Customer:
    """Rule a dispute once: register the customer to `winner` (one of the claimants) through the
    ordinary registration — so every duplicate key is checked again — and record the ruling as
    a 纠纷裁定 ownership event by the manager; both claimants are told."""
    # Lock the dispute: two rulings at once cannot both pass the status check.
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if not disputes_visible_to(actor).filter(pk=dispute.pk).exists() or is_handing_over(actor):
        raise NotAllowed(_("Only a manager of the claimants' departments can rule."))
    if dispute.status != Dispute.Status.OPEN:
        raise DisputeError(_("This dispute has already been ruled."))
    claims = {c.claimant_id: c for c in dispute.claims.select_related("claimant")}
    if actor.pk in claims:
        raise NotAllowed(_("A claimant cannot open or rule their own dispute."))
    if winner is None or winner.pk not in claims:
        raise DisputeError(_("The ruling must go to one of the claimants."))
    if is_handing_over(winner) or not winner.is_active:
        raise DisputeError(
            _("%(person)s is leaving or transferring and cannot receive customers.")
            % {"person": winner.display_name}
        )
    logs = {log.claimant.pk: log.count for log in dispute_logs(dispute)}

    data = dict(data)
    if not data.get("phone") and dispute.phone:
        data["phone"] = dispute.phone
    if not data.get("name") and dispute.name:
        data["name"] = dispute.name
    customer = customer_register(actor=winner, data=data, contacts=[], now=now)
    counts = "，".join(f"{claims[pk].claimant.display_name} {logs.get(pk, 0)}" for pk in claims)
    customer = ownership_transfer(
        customer=customer,
        to_holder=winner,
        kind=OwnershipKind.DISPUTE_RULING,
        actor=actor,
        now=now,
        reason=f"纠纷裁定（来电记录：{counts}）",
        approval_ref=dispute.reference,
    )
    dispute.status = Dispute.Status.RULED
    dispute.winner = winner
    dispute.ruled_by = actor
    dispute.ruled_at = now
    dispute.customer = customer
    dispute.save(update_fields=["status", "winner", "ruled_by", "ruled_at", "customer"])

    for claimant_id, claim in claims.items():
        won = claimant_id == winner.pk
        notify(
            recipient=claim.claimant,
            now=now,
            title=(
                _("Dispute ruled: %(customer)s is registered to you")
                if won
                else _("Dispute ruled: %(customer)s went to %(winner)s")
            )
            % {"customer": customer.name, "winner": winner.display_name},
            link=reverse("customers:detail", args=[customer.pk]) if won else "",
        )
    return customer
