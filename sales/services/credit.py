"""Credit transfers (划转销量/划分提成), 000 §3.2.f; SPEC §5, §10:

    所有交叉销售需要划转销量或划分提成的,由数据管理员根据制度提出分配方案,报请部门经理批示后,
    由财务给予调整销量并划分提成。

- The data administrator (an accountant keeping the customer's department) proposes moving
  credit of one sale — a purchase record or a signed contract — from the person it is credited
  to (`Deal.credited_to` / `Contract.credited_to`) to one or more people, each share given as
  a percentage or an amount.
- A manager of the customer's department (or the GM) approves or rejects; nobody decides a
  transfer they take part in.
- Finance (an accountant keeping the department) records the approved transfer: that writes
  the `SalesCredit` rows (−amount for the giver, +amount for each receiver, dated on the sale's
  date). The sale itself is never edited; every figure reads `SalesCredit`.

Numbers: a percentage is of the giver's credit on the sale before transfers (the sale less its
returns), rounded down to the fen — the remainder stays with the giver. What is moved may not
exceed the giver's credit on the sale after recorded transfers, less what open proposals
already promise; recording checks again on the locked sale row.
"""

from datetime import datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import RuleError
from crm.models import Staff
from crm.notifications import notify
from customers.errors import NotAllowed
from customers.models import Deal
from customers.rights import may_hold_customers

from ..credit_hooks import credit_department
from ..models import Contract, CreditShare, CreditTransfer, Decision, SalesCredit
from ..rights import may_approve_transfer, may_propose_transfer, may_record_transfer
from ..selectors.credit import (
    base_credit,
    committed_credit,
    credit_transfer_link,
    net_credit,
    sale_moment,
)
from .dormant import deciders

CENT = Decimal("0.01")
REASON_MAX = 500
DECISION_REASON_MAX = 300
MAX_SHARES = 10


class CreditTransferError(RuleError):
    """A credit-transfer rule refused the request."""


def _lock_sale(sale):
    """The sale's row, locked: two transfers of one sale are proposed and recorded one after
    the other, so neither reads credit the other is about to move."""
    model = Contract if isinstance(sale, Contract) else Deal
    return (
        model.objects.select_for_update(of=("self",))
        .select_related("customer", "customer__department", "credited_to")
        .get(pk=sale.pk)
    )


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _active_receiver(user, *, now: datetime) -> bool:
    staff = Staff.objects.filter(user=user.pk).first()
    return bool(
        staff is not None
        and user.is_active
        and staff.status == Staff.Status.ACTIVE
        and not staff.has_left(now=now)
        and may_hold_customers(staff)
    )


def _share_amount(share: dict, base: Decimal) -> Decimal:
    """The amount of one share: its `amount`, or its `percent` of `base` rounded down."""
    percent, amount = share.get("percent"), share.get("amount")
    if (percent is None) == (amount is None):
        raise CreditTransferError(_("Give each share as a percentage or as an amount, not both."))
    try:
        if percent is not None:
            percent = Decimal(percent)
            if not percent.is_finite() or not 0 < percent <= 100:
                raise CreditTransferError(_("A percentage must be more than 0 and at most 100."))
            moved = (base * percent / 100).quantize(CENT, rounding=ROUND_DOWN)
            if moved <= 0:
                raise CreditTransferError(
                    _("%(percent)s%% of %(base)s yuan is less than one fen.")
                    % {"percent": percent, "base": _yuan(base)}
                )
            return moved
        amount = Decimal(amount)
    except InvalidOperation:
        raise CreditTransferError(_("Give the share as a number.")) from None
    if not amount.is_finite() or amount <= 0:
        raise CreditTransferError(_("An amount must be more than 0."))
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise CreditTransferError(_("An amount has at most two decimals (fen)."))
    return amount


@transaction.atomic
def credit_transfer_propose(
    *, actor, sale, shares: list[dict], reason: str, now: datetime
) -> CreditTransfer:
    """Propose moving credit of `sale` (a customers.Deal or a signed sales.Contract) from the
    person it is credited to; `shares`: [{to_user, percent}] or [{to_user, amount}]."""
    sale = _lock_sale(sale)
    customer = sale.customer
    if not may_propose_transfer(actor, customer):
        raise NotAllowed(
            _("Only the data administrator keeping this customer's department proposes transfers.")
        )
    if isinstance(sale, Contract) and not sale.is_signed:
        raise CreditTransferError(_("Only a signed contract carries sales credit."))
    giver_id = sale.credited_to_id
    if giver_id is None:
        raise CreditTransferError(
            _(
                "This sale is credited to nobody (the customer was in a pool): there is no "
                "credit to move."
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise CreditTransferError(_("Write the reason for the transfer (the allocation plan)."))
    if len(reason) > REASON_MAX:
        raise CreditTransferError(
            _("The reason may be at most %(n)d characters.") % {"n": REASON_MAX}
        )
    if not shares:
        raise CreditTransferError(_("Name at least one person to receive credit."))
    if len(shares) > MAX_SHARES:
        raise CreditTransferError(_("At most %(n)d people per transfer.") % {"n": MAX_SHARES})
    base = base_credit(sale, giver_id)
    moves, seen = [], set()
    for share in shares:
        to_user = share.get("to_user")
        if to_user is None:
            raise CreditTransferError(_("Choose who receives each share."))
        if to_user.pk == giver_id:
            raise CreditTransferError(
                _("%(name)s already holds this credit.") % {"name": to_user.display_name}
            )
        if to_user.pk in seen:
            raise CreditTransferError(
                _("%(name)s is named twice; give one share per person.")
                % {"name": to_user.display_name}
            )
        if not _active_receiver(to_user, now=now):
            raise CreditTransferError(
                _("%(name)s is not active sales staff and cannot receive credit.")
                % {"name": to_user.display_name}
            )
        seen.add(to_user.pk)
        moves.append((to_user, _share_amount(share, base)))
    total = sum((amount for _to, amount in moves), Decimal("0"))
    available = net_credit(sale, giver_id) - committed_credit(sale, giver_id)
    if total > available:
        raise CreditTransferError(
            _(
                "%(total)s yuan is more than the %(available)s yuan of credit %(name)s still "
                "has on this sale (after recorded transfers and open proposals)."
            )
            % {
                "total": _yuan(total),
                "available": _yuan(max(available, Decimal("0"))),
                "name": sale.credited_to.display_name,
            }
        )
    transfer = CreditTransfer.objects.create(
        deal=sale if isinstance(sale, Deal) else None,
        contract=sale if isinstance(sale, Contract) else None,
        reason=reason,
        proposed_by=actor,
        proposed_at=now,
    )
    CreditShare.objects.bulk_create(
        CreditShare(transfer=transfer, from_user_id=giver_id, to_user=to_user, amount=amount)
        for to_user, amount in moves
    )
    parties = {giver_id} | seen
    for person in deciders(customer.department):
        if person.pk not in parties:
            notify(
                recipient=person,
                now=now,
                link=credit_transfer_link(transfer),
                title=_("Credit transfer for %(customer)s waits for your approval")
                % {"customer": customer.name},
                body=reason,
            )
    return transfer


def _lock(transfer: CreditTransfer) -> CreditTransfer:
    return (
        CreditTransfer.objects.select_for_update(of=("self",))
        .select_related("deal", "deal__customer", "contract", "contract__customer", "proposed_by")
        .get(pk=transfer.pk)
    )


def _sale_of(transfer: CreditTransfer):
    return transfer.deal if transfer.deal_id else transfer.contract


@transaction.atomic
def credit_transfer_decide(
    *, actor, transfer: CreditTransfer, approve: bool, reason: str = "", now: datetime
) -> CreditTransfer:
    """A manager of the customer's department (or the GM) approves or rejects (a rejection
    needs a reason). Nobody decides a transfer they give or receive credit in."""
    locked = _lock(transfer)
    customer = _sale_of(locked).customer
    if not may_approve_transfer(actor, customer):
        raise NotAllowed(_("Only a manager of the customer's department decides transfers."))
    if locked.status != Decision.PENDING:
        raise CreditTransferError(_("This transfer was already decided."))
    parties = set(locked.shares.values_list("from_user", flat=True)) | set(
        locked.shares.values_list("to_user", flat=True)
    )
    if actor.pk in parties:
        raise NotAllowed(_("You take part in this transfer and cannot decide it."))
    reason = (reason or "").strip()
    if len(reason) > DECISION_REASON_MAX:
        raise CreditTransferError(
            _("The reason may be at most %(n)d characters.") % {"n": DECISION_REASON_MAX}
        )
    if not approve and not reason:
        raise CreditTransferError(_("Give the reason for the rejection."))
    locked.status = Decision.APPROVED if approve else Decision.REJECTED
    locked.approved_by, locked.approved_at, locked.decision_reason = actor, now, reason
    locked.save(update_fields=["status", "approved_by", "approved_at", "decision_reason"])
    notify(
        recipient=locked.proposed_by,
        now=now,
        link=credit_transfer_link(locked),
        title=(
            _("Credit transfer for %(customer)s approved: record it")
            if approve
            else _("Credit transfer for %(customer)s rejected")
        )
        % {"customer": customer.name},
        body=reason,
    )
    return locked


@transaction.atomic
def credit_transfer_record(*, actor, transfer: CreditTransfer, now: datetime) -> CreditTransfer:
    """Finance records an approved transfer: per share a −amount row for the giver and a
    +amount row for the receiver, on the sale's date, each in its person's department. The
    giver's credit is checked again on the locked sale."""
    locked = _lock(transfer)
    sale = _sale_of(locked)
    customer = sale.customer
    if not may_record_transfer(actor, customer):
        raise NotAllowed(_("Only finance keeping this customer's department records transfers."))
    if locked.status == Decision.PENDING:
        raise CreditTransferError(_("The transfer must be approved before it is recorded."))
    if locked.status != Decision.APPROVED:
        raise CreditTransferError(_("Only an approved transfer is recorded."))
    sale = _lock_sale(sale)
    shares = list(locked.shares.select_related("from_user", "to_user").order_by("pk"))
    by_giver: dict[int, Decimal] = {}
    for share in shares:
        by_giver[share.from_user_id] = by_giver.get(share.from_user_id, Decimal("0")) + share.amount
    for giver_id, total in by_giver.items():
        if total > net_credit(sale, giver_id):
            raise CreditTransferError(
                _(
                    "The credit on this sale changed since the approval (a return or another "
                    "transfer): less than %(total)s yuan is left to move. Propose it again."
                )
                % {"total": _yuan(total)}
            )
    on_date = timezone.localdate(sale_moment(sale))
    rows = []
    for share in shares:
        for user_id, amount in (
            (share.from_user_id, -share.amount),
            (share.to_user_id, share.amount),
        ):
            rows.append(
                SalesCredit(
                    kind=SalesCredit.Kind.TRANSFER,
                    user_id=user_id,
                    department_id=credit_department(user_id, customer),
                    customer_id=customer.pk,
                    on_date=on_date,
                    amount=amount,
                    transfer=locked,
                    created_at=now,
                )
            )
    SalesCredit.objects.bulk_create(rows)
    locked.status = Decision.RECORDED
    locked.recorded_by, locked.recorded_at = actor, now
    locked.save(update_fields=["status", "recorded_by", "recorded_at"])
    told = set()
    for share in shares:
        for person in (share.from_user, share.to_user):
            if person.pk not in told:
                told.add(person.pk)
                notify(
                    recipient=person,
                    now=now,
                    title=_("Sales credit of %(customer)s was moved by finance")
                    % {"customer": customer.name},
                    body=_("%(from)s → %(to)s: %(amount)s yuan. %(reason)s")
                    % {
                        "from": share.from_user.display_name,
                        "to": share.to_user.display_name,
                        "amount": _yuan(share.amount),
                        "reason": locked.reason,
                    },
                )
    return locked
