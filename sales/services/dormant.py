"""Dormant customers (沉默客户) and cross-sales (交叉销售), 000 §3.2.e; SPEC §5, §10.

- The data administrator (an accountant keeping the customer's department, or the GM) marks a
  customer dormant with a reason, and may withdraw the mark with a reason; at most one mark
  stands per customer (the database's `dormant_one_open`).
- A salesperson of the customer's department who sold to a dormant customer files the sale
  (a cross-sale). The seller's department manager (or a manager above, or the GM) approves:
  in one transaction the customer moves to the seller (ownership kind 交叉销售), the sale is
  entered as a purchase record credited to the seller, and the mark is cleared. A rejection
  moves nothing.

Choices where the seed is silent (docs/decisions.md): the sale must have happened after the
mark (earlier sales belong to whoever held the customer then); allocation's holding cap and
previous-holder cool-down are not applied (they govern pool distribution and claims, a
cross-sale is a proven sale approved by the manager, who is shown both facts); the purchase
record is authored by the seller and entered when the request was filed, so the entry
deadline (000 §3.1.e) judges the seller's filing, not the manager's approval.
"""

from datetime import datetime

from constance import config
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import RuleError
from crm.models import Department, Staff, User
from crm.notifications import notify
from crm.rights import general_managers
from crm.validators import happened_problem
from customers.errors import NotAllowed
from customers.models import Customer, OwnershipKind
from customers.services import ownership_transfer
from customers.services.records import customer_lock, deal_record

from ..models import CrossSale, Decision, DormantMark
from ..rights import may_decide_cross_sale, may_mark_customer_dormant, may_request_cross_sale
from ..selectors.credit import cross_sale_link

REASON_MAX = 300
NOTE_MAX = 500
PRODUCT_MAX = 200


class DormantError(RuleError):
    """A dormant-customer or cross-sale rule refused the request."""


def _reason(reason: str | None, *, required_message: str) -> str:
    reason = _limited(reason)
    if not reason:
        raise DormantError(required_message)
    return reason


def _limited(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise DormantError(
            _("The reason may be at most %(n)d characters (this one has %(length)d).")
            % {"n": REASON_MAX, "length": len(reason)}
        )
    return reason


def _lock_standing_mark(customer_id: int) -> DormantMark | None:
    return (
        DormantMark.objects.select_for_update()
        .filter(customer_id=customer_id, cleared_at__isnull=True)
        .first()
    )


# --- marks -----------------------------------------------------------------------------------


@transaction.atomic
def dormant_mark(*, actor, customer, reason: str, now: datetime) -> DormantMark:
    """Mark `customer` dormant (沉默客户, 000 §3.2.e: 以数据部核实情况为准) with the reason the
    data department found. Refused when a mark already stands."""
    customer = customer_lock(customer)
    if not may_mark_customer_dormant(actor, customer):
        raise NotAllowed(
            _("Only the data administrator keeping this customer's department marks it dormant.")
        )
    reason = _reason(reason, required_message=_("Write why the customer is dormant."))
    if _lock_standing_mark(customer.pk) is not None:
        raise DormantError(_("This customer is already marked dormant."))
    return DormantMark.objects.create(
        customer=customer, reason=reason, marked_by=actor, marked_at=now
    )


@transaction.atomic
def dormant_clear(*, actor, mark: DormantMark, reason: str, now: datetime) -> DormantMark:
    """Withdraw a standing mark, with a reason. Refused while a cross-sale for it waits: the
    manager decides that first."""
    customer = customer_lock(mark.customer)  # customer, then mark: the order decide uses
    if not may_mark_customer_dormant(actor, customer):
        raise NotAllowed(
            _("Only the data administrator keeping this customer's department clears the mark.")
        )
    reason = _reason(reason, required_message=_("Write why the mark is withdrawn."))
    locked = DormantMark.objects.select_for_update().get(pk=mark.pk)
    if locked.cleared_at is not None:
        raise DormantError(_("This mark was already cleared."))
    if CrossSale.objects.filter(dormant_mark=locked, status=Decision.PENDING).exists():
        raise DormantError(
            _("A cross-sale for this customer waits for the manager's decision; decide it first.")
        )
    locked.cleared_by, locked.cleared_at, locked.cleared_reason = actor, now, reason
    locked.save(update_fields=["cleared_by", "cleared_at", "cleared_reason"])
    return locked


# --- cross-sales ------------------------------------------------------------------------------


def _active_seller(user, *, now: datetime) -> Staff | None:
    staff = Staff.objects.filter(user=user.pk).select_related("department").first()
    if (
        staff is None
        or not user.is_active
        or not may_request_cross_sale(user)
        or staff.status != Staff.Status.ACTIVE
        or staff.has_left(now=now)
        or staff.department_id is None
    ):
        return None
    return staff


def _sale_data(data: dict, *, now: datetime) -> dict:
    product = (data.get("product") or "").strip()
    if not product:
        raise DormantError(_("Name the product sold."))
    if len(product) > PRODUCT_MAX:
        raise DormantError(
            _("The product name may be at most %(n)d characters.") % {"n": PRODUCT_MAX}
        )
    quantity, amount = data.get("quantity"), data.get("amount")
    if quantity is None or not 0 < quantity <= config.MAX_DEAL_QUANTITY:
        raise DormantError(
            _("The quantity must be more than 0 and at most %(max)s.")
            % {"max": config.MAX_DEAL_QUANTITY}
        )
    if amount is None or not 0 < amount <= config.MAX_DEAL_AMOUNT:
        raise DormantError(
            _("The amount must be more than 0 and at most %(max)s yuan.")
            % {"max": config.MAX_DEAL_AMOUNT}
        )
    occurred_at = data.get("occurred_at")
    if occurred_at is None:
        raise DormantError(_("Give the date of the sale."))
    problem = happened_problem(occurred_at, now=now)
    if problem:
        raise DormantError(problem)
    note = (data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        raise DormantError(_("The note may be at most %(n)d characters.") % {"n": NOTE_MAX})
    return {
        "product": product,
        "quantity": quantity,
        "amount": amount,
        "occurred_at": occurred_at,
        "note": note,
    }


def _check_eligible(seller, staff: Staff, customer: Customer, mark: DormantMark | None) -> None:
    if mark is None:
        raise DormantError(_("This customer is not marked dormant (any more)."))
    if customer.department_id != staff.department_id:
        raise NotAllowed(
            _("Only salespeople of the customer's department file cross-sales for it.")
        )
    if customer.holder_id == seller.pk:
        raise DormantError(
            _("You already hold this customer: enter the sale as a purchase record.")
        )


def deciders(department: Department | None) -> list[User]:
    """Who decides a cross-sale of a salesperson of `department`: its manager, else the
    nearest manager above, else the general managers."""
    while department is not None:
        manager = department.manager
        if manager is not None and manager.is_active:
            return [manager]
        department = department.parent
    return list(general_managers())


@transaction.atomic
def cross_sale_request(*, actor, customer, data: dict, now: datetime) -> CrossSale:
    """File a sale to a dormant customer (000 §3.2.e): product, quantity, amount, when it was
    sold (not in the future, not before the mark) and a note. One request waits per customer."""
    staff = _active_seller(actor, now=now)
    if staff is None:
        raise NotAllowed(_("Only active salespeople file cross-sales."))
    fields = _sale_data(data, now=now)
    customer = customer_lock(customer)
    mark = _lock_standing_mark(customer.pk)
    _check_eligible(actor, staff, customer, mark)
    if fields["occurred_at"] < mark.marked_at:
        raise DormantError(
            _(
                "The sale happened before the customer was marked dormant (%(since)s): it "
                "belongs to whoever held the customer then."
            )
            % {"since": timezone.localtime(mark.marked_at).strftime("%Y-%m-%d %H:%M")}
        )
    if CrossSale.objects.filter(customer=customer.pk, status=Decision.PENDING).exists():
        raise DormantError(_("A cross-sale for this customer already waits for a decision."))
    cross_sale = CrossSale.objects.create(
        customer=customer,
        dormant_mark=mark,
        seller=actor,
        requested_at=now,
        **fields,
    )
    for person in deciders(staff.department):
        if person.pk != actor.pk:
            notify(
                recipient=person,
                now=now,
                link=cross_sale_link(cross_sale),
                title=_("Cross-sale by %(seller)s waits for your decision")
                % {"seller": actor.display_name},
                body=f"{customer.name} · {fields['product']} · {fields['amount']}",
            )
    return cross_sale


@transaction.atomic
def cross_sale_decide(
    *, actor, cross_sale: CrossSale, approve: bool, reason: str = "", now: datetime
) -> CrossSale:
    """The seller's department manager (or the GM) decides. Approval, in this transaction:
    the customer moves to the seller (ownership kind 交叉销售, the request as approval
    reference), the sale becomes a purchase record credited to the seller (its credit row
    through the deal hook), the request points at it, the mark is cleared. A rejection needs a
    reason and moves nothing. The seller and the previous holder are told."""
    # The request first, then the customer and its mark (the order dormant_clear uses after
    # the customer): of two decisions at once the second waits here and finds it decided.
    locked = (
        CrossSale.objects.select_for_update(of=("self",))
        .select_related("seller", "seller__staff", "customer")
        .get(pk=cross_sale.pk)
    )
    if locked.status != Decision.PENDING:
        raise DormantError(_("This cross-sale was already decided."))
    if not may_decide_cross_sale(actor, locked):
        raise NotAllowed(_("Only the seller's department manager decides this cross-sale."))
    if actor.pk == locked.seller_id:
        raise NotAllowed(_("You cannot decide your own cross-sale."))
    if approve:
        reason = _limited(reason)
    else:
        reason = _reason(reason, required_message=_("Give the reason for the rejection."))
    locked.decided_by, locked.decided_at, locked.decision_reason = actor, now, reason
    if not approve:
        locked.status = Decision.REJECTED
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        notify(
            recipient=locked.seller,
            now=now,
            link=cross_sale_link(locked),
            title=_("Your cross-sale to %(customer)s was rejected")
            % {"customer": locked.customer.name},
            body=reason,
        )
        return locked
    customer = customer_lock(locked.customer)
    mark = _lock_standing_mark(customer.pk)
    staff = _active_seller(locked.seller, now=now)
    if staff is None:
        raise DormantError(
            _("%(name)s is no longer an active salesperson.") % {"name": locked.seller.display_name}
        )
    _check_eligible(locked.seller, staff, customer, mark)
    if mark.pk != locked.dormant_mark_id:
        raise DormantError(_("The customer was marked dormant again since this request."))
    previous_holder = customer.holder
    reference = f"CS-{locked.pk}"
    ownership_transfer(
        customer=customer,
        to_holder=locked.seller,
        kind=OwnershipKind.CROSS_SALE,
        actor=actor,
        now=now,
        reason=(_("Cross-sale: %(product)s") % {"product": locked.product})[:200],
        approval_ref=reference,
        expected_holder_id=customer.holder_id,
    )
    # Authored by the seller and entered when they filed it (see the module docstring).
    deal = deal_record(
        actor=locked.seller,
        customer=customer,
        data={
            "occurred_at": locked.occurred_at,
            "product": locked.product,
            "quantity": locked.quantity,
            "amount": locked.amount,
        },
        now=locked.requested_at,
        credit_to=locked.seller,
        checked=True,
    )
    locked.status = Decision.APPROVED
    locked.deal = deal
    locked.save(update_fields=["status", "deal", "decided_by", "decided_at", "decision_reason"])
    mark.cleared_by, mark.cleared_at = actor, now
    mark.cleared_reason = (_("Cross-sale %(ref)s approved") % {"ref": reference})[:REASON_MAX]
    mark.save(update_fields=["cleared_by", "cleared_at", "cleared_reason"])
    notify(
        recipient=locked.seller,
        now=now,
        link=cross_sale_link(locked),
        title=_("Your cross-sale to %(customer)s was approved: the customer and the sale are yours")
        % {"customer": customer.name},
        body=reason,
    )
    if previous_holder is not None and previous_holder.pk != locked.seller_id:
        # No link: the previous holder no longer sees the customer or the request.
        notify(
            recipient=previous_holder,
            now=now,
            title=_("%(customer)s went to %(seller)s by an approved cross-sale (dormant customer)")
            % {"customer": customer.name, "seller": locked.seller.display_name},
            body=reason,
        )
    return locked
