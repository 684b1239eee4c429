"""Swaps (交换, 000 §4.2④; SPEC §5): a salesperson proposes to give some of their customers for
some of another salesperson's, with a written application; the counterpart agrees or declines;
then the approvals, and the swap carries itself out when the last one is recorded.

Approval steps (a choice where 000 §4.2④ is silent on the details):

- same department: one step, a manager of that department (or of a department above it);
- across departments: (1) a manager of either party's department, and (2) the manager of the
  lowest common parent department of the two, or the GM when they share no parent.
- One manager records one step (the highest one they may fill); the GM's approval fills every
  step still open. Rejection at any step closes the swap.

Every customer moves through customers' `ownership_transfer` with the holder recorded at
proposal time as the expected holder: if anything moved in between, nothing moves at all.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from crm.errors import RuleError
from crm.models import Staff, User
from crm.notifications import notify
from crm.selectors import departments_managed_by, manages_company
from customers.errors import NotAllowed, OwnershipConflict
from customers.models import Customer, OwnershipKind
from customers.services import ownership_transfer

from ..inbox import InboxItem
from ..models import SwapApproval, SwapItem, SwapRequest
from ..rights import may_approve_swaps, may_propose_swap
from ..selectors.swaps import (
    designated_approver_ids,
    eligible_levels,
    lowest_common_parent,
    managed_department_ids,
    pending_levels,
    swap_link,
    swap_title,
)

Level = SwapApproval.Level
Status = SwapRequest.Status


class SwapError(RuleError):
    """A swap rule refused the request; the message is for the user."""


# closing_reason and SwapApproval.reason hold this many characters (issue 12, defect 11: a
# longer reason was a database error, a 500, on PostgreSQL).
DECISION_REASON_MAX = 500


def _decision_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > DECISION_REASON_MAX:
        raise SwapError(
            _("The reason may be at most %(n)d characters (this one has %(length)d).")
            % {"n": DECISION_REASON_MAX, "length": len(reason)}
        )
    return reason


class _ExecutionFailed(Exception):
    """Raised inside the approval transaction to roll every move back."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- reads that share the approval check with `swap_approve` (the rest: selectors/swaps.py)


def levels_user_may_approve(user, swap: SwapRequest) -> list[str]:
    """The open steps `user` would fill by approving now (empty: nothing waits on them)."""
    if swap.status != Status.AWAITING_APPROVAL:
        return []
    return _levels_to_fill(user, swap, managed_department_ids(user), raise_errors=False)


def _levels_to_fill(user, swap, managed_ids, *, raise_errors: bool) -> list[str]:
    eligible = eligible_levels(user, swap, managed_ids)
    if not eligible:
        if raise_errors:
            if user.pk in (swap.proposer_id, swap.counterpart_id):
                raise NotAllowed(_("You take part in this swap and cannot approve it."))
            raise NotAllowed(_("You may not approve this swap."))
        return []
    pending = pending_levels(swap)
    if manages_company(user):
        # The GM's approval satisfies every step still open.
        return pending
    if any(a.approver_id == user.pk for a in swap.approvals.all()):
        # The second step exists so that a second person looks at the swap.
        if raise_errors:
            raise SwapError(_("You have already approved this swap."))
        return []
    # The highest step first: the manager above both departments is the "next manager up".
    for level in reversed(pending):
        if level in eligible:
            return [level]
    if raise_errors:
        raise SwapError(_("Your step is already approved; the swap waits for another approver."))
    return []


def inbox_items(user, *, now: datetime, managed_ids: list[int] | None = None) -> list[InboxItem]:
    """Swaps waiting on `user`'s approval, oldest first. Managers see every swap whose open
    step they may fill; the GM, who may fill any, sees those no other manager is above.
    `managed_ids`: the ids of the departments `user` manages, when the caller has them."""
    if not user.is_authenticated or not may_approve_swaps(user):
        return []
    # One query when nothing waits (the dashboard shows this on every visit): the managed
    # departments are a subquery (or the caller's list), and the per-swap checks below run
    # only on what it finds.
    managed = departments_managed_by(user) if managed_ids is None else managed_ids
    swaps = list(
        SwapRequest.objects.filter(status=Status.AWAITING_APPROVAL)
        .filter(Q(proposer_department__in=managed) | Q(counterpart_department__in=managed))
        .select_related(
            "proposer",
            "counterpart",
            "proposer_department",
            "counterpart_department",
            "upper_department",
        )
        .prefetch_related("approvals")
        .order_by("counterpart_decided_at", "pk")
    )
    if not swaps:
        return []
    managed_ids = managed_department_ids(user) if managed_ids is None else set(managed_ids)
    gm = manages_company(user)
    items = []
    for swap in swaps:
        levels = _levels_to_fill(user, swap, managed_ids, raise_errors=False)
        if not levels:
            continue
        if gm and not any(user.pk in designated_approver_ids(swap, lv) for lv in levels):
            continue
        items.append(
            InboxItem(
                kind=_("Swap"),
                title=swap_title(swap),
                created_at=swap.counterpart_decided_at or swap.created_at,
                url=swap_link(swap),
            )
        )
    return items


# --- writes ----------------------------------------------------------------------------------


def _active_salesperson(user, *, now: datetime) -> Staff | None:
    staff = Staff.objects.filter(user=user.pk).select_related("department").first()
    if (
        staff is None
        or not user.is_active
        or not may_propose_swap(staff)
        or staff.status != Staff.Status.ACTIVE
        or staff.has_left(now=now)
        or staff.department_id is None
    ):
        return None
    return staff


def _notify_parties(swap: SwapRequest, *, actor, now: datetime, title: str, body: str = ""):
    """The proposer and the counterpart hear of each decision (not the one who made it)."""
    for person in (swap.proposer, swap.counterpart):
        if actor is None or person.pk != actor.pk:
            notify(recipient=person, title=title, now=now, body=body, link=swap_link(swap))


@transaction.atomic
def swap_propose(
    *, actor, counterpart, give: list[int], take: list[int] = (), reason: str, now: datetime
) -> SwapRequest:
    """交换申请: `actor` gives the customers `give` (held by the actor) on a written reason
    (000 §4.2④); `counterpart`, another active salesperson, chooses what they give in return
    when they agree (`swap_agree`). A proposer never sees a list of another person's customers
    (SPEC §1); `take` (ids the two agreed on) is checked against the counterpart's holdings."""
    staff = _active_salesperson(actor, now=now)
    if staff is None:
        raise NotAllowed(_("Only salespeople propose swaps."))
    if counterpart is None:
        raise SwapError(_("Choose the salesperson you want to swap with."))
    if counterpart.pk == actor.pk:
        raise SwapError(_("You cannot swap with yourself."))
    other = _active_salesperson(counterpart, now=now)
    if other is None:
        raise SwapError(
            _("%(name)s is not an active salesperson and cannot take part in a swap.")
            % {"name": counterpart.display_name}
        )
    give_ids, take_ids = set(give), set(take)
    if not give_ids:
        raise SwapError(_("Choose at least one of your customers to give."))
    reason = (reason or "").strip()
    if not reason:
        raise SwapError(_("Write the reason for the swap (the written application)."))
    # Locked so that the holder we record is the holder at this moment.
    given = list(
        Customer.objects.select_for_update().filter(pk__in=give_ids, holder=actor.pk).order_by("pk")
    )
    if len(given) != len(give_ids):
        raise SwapError(_("Give only customers you hold."))
    taken = list(
        Customer.objects.select_for_update()
        .filter(pk__in=take_ids, holder=counterpart.pk)
        .order_by("pk")
    )
    if len(taken) != len(take_ids):
        raise SwapError(
            _("Take only customers %(name)s holds.") % {"name": counterpart.display_name}
        )
    if any(c.is_invalid for c in given + taken):
        # 无效客户 leave the rules' circulation: trading one for a live customer would turn a
        # manager's verdict into a gain (issue 11).
        raise SwapError(_("Invalid customers (无效客户) cannot be swapped."))
    cross = staff.department_id != other.department_id
    swap = SwapRequest.objects.create(
        proposer=actor,
        counterpart=counterpart,
        proposer_department=staff.department,
        counterpart_department=other.department,
        is_cross_department=cross,
        upper_department=lowest_common_parent(staff.department, other.department)
        if cross
        else None,
        reason=reason,
        created_at=now,
    )
    SwapItem.objects.bulk_create(
        [SwapItem(swap=swap, customer=c, from_holder=actor, to_holder=counterpart) for c in given]
        + [SwapItem(swap=swap, customer=c, from_holder=counterpart, to_holder=actor) for c in taken]
    )
    notify(
        recipient=counterpart,
        now=now,
        link=swap_link(swap),
        title=_("%(who)s proposes a swap (%(ref)s)")
        % {"who": actor.display_name, "ref": swap.reference},
        body=reason,
    )
    return swap


def _lock(swap: SwapRequest, expected_status: str) -> SwapRequest:
    """Lock the swap row and re-read its status: of two decisions at once, the second one
    waits here and then finds the swap decided."""
    locked = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related(
            "proposer",
            "counterpart",
            "proposer_department",
            "counterpart_department",
            "upper_department",
        )
        .get(pk=swap.pk)
    )
    if not locked.is_open:
        raise SwapError(_("This swap is already closed."))
    if locked.status != expected_status:
        if expected_status == Status.AWAITING_COUNTERPART:
            raise SwapError(_("This swap is no longer waiting for the counterpart."))
        raise SwapError(_("This swap is still waiting for the counterpart's agreement."))
    return locked


@transaction.atomic
def swap_agree(
    *, actor, swap: SwapRequest, now: datetime, give_back: list[int] = ()
) -> SwapRequest:
    """The counterpart agrees — choosing, when the proposal named none, which of their own
    customers they give in return — and the swap goes to the approvers."""
    if actor.pk != swap.counterpart_id:
        raise NotAllowed(_("Only the counterpart agrees to or declines a swap."))
    swap = _lock(swap, Status.AWAITING_COUNTERPART)
    named = swap.items.filter(from_holder=actor.pk).exists()
    back_ids = set(give_back)
    if named and back_ids:
        raise SwapError(_("This proposal already names the customers you give."))
    if not named:
        if not back_ids:
            raise SwapError(_("Choose at least one of your customers to give in return."))
        back = list(
            Customer.objects.select_for_update()
            .filter(pk__in=back_ids, holder=actor.pk)
            .order_by("pk")
        )
        if len(back) != len(back_ids):
            raise SwapError(_("Give only customers you hold."))
        if any(c.is_invalid for c in back):
            raise SwapError(_("Invalid customers (无效客户) cannot be swapped."))
        SwapItem.objects.bulk_create(
            SwapItem(swap=swap, customer=c, from_holder=actor, to_holder=swap.proposer)
            for c in back
        )
    swap.status = Status.AWAITING_APPROVAL
    swap.counterpart_decided_at = now
    swap.save(update_fields=["status", "counterpart_decided_at"])
    _notify_parties(
        swap,
        actor=actor,
        now=now,
        title=_("%(who)s agreed to swap %(ref)s; it now waits for approval")
        % {"who": actor.display_name, "ref": swap.reference},
    )
    approvers = set().union(*(designated_approver_ids(swap, lv) for lv in swap.required_levels))
    for person in User.objects.filter(pk__in=approvers):
        notify(
            recipient=person,
            now=now,
            link=swap_link(swap),
            title=_("Swap %(ref)s waits for your approval") % {"ref": swap.reference},
            body=swap.reason,
        )
    return swap


@transaction.atomic
def swap_decline(*, actor, swap: SwapRequest, reason: str, now: datetime) -> SwapRequest:
    """The counterpart declines, with a reason; the swap is closed."""
    if actor.pk != swap.counterpart_id:
        raise NotAllowed(_("Only the counterpart agrees to or declines a swap."))
    reason = _decision_reason(reason)
    if not reason:
        raise SwapError(_("Give the reason for declining."))
    swap = _lock(swap, Status.AWAITING_COUNTERPART)
    swap.status = Status.DECLINED
    swap.counterpart_decided_at = swap.closed_at = now
    swap.closed_by = actor
    swap.closing_reason = reason
    swap.save()
    _notify_parties(
        swap,
        actor=actor,
        now=now,
        title=_("Swap %(ref)s was declined by %(who)s")
        % {"ref": swap.reference, "who": actor.display_name},
        body=reason,
    )
    return swap


@transaction.atomic
def swap_reject(*, actor, swap: SwapRequest, reason: str, now: datetime) -> SwapRequest:
    """An approver rejects at their step, with a reason; the swap is closed, nothing moves."""
    reason = _decision_reason(reason)
    swap = _lock(swap, Status.AWAITING_APPROVAL)
    _levels_to_fill(actor, swap, managed_department_ids(actor), raise_errors=True)
    if not reason:
        raise SwapError(_("Give the reason for the rejection."))
    swap.status = Status.REJECTED
    swap.closed_at = now
    swap.closed_by = actor
    swap.closing_reason = reason
    swap.save()
    _notify_parties(
        swap,
        actor=actor,
        now=now,
        title=_("Swap %(ref)s was rejected") % {"ref": swap.reference},
        body=reason,
    )
    return swap


def _record_approvals(actor, swap, *, now: datetime, reason: str) -> list[str]:
    levels = _levels_to_fill(actor, swap, managed_department_ids(actor), raise_errors=True)
    for level in levels:
        SwapApproval.objects.create(
            swap=swap, level=level, approver=actor, approved_at=now, reason=reason
        )
    # The prefetch cache (if any) is stale now.
    swap._prefetched_objects_cache = {}
    return levels


def _execute(swap: SwapRequest, *, actor, now: datetime) -> None:
    """Move every customer of the swap, or none: any refusal raises `_ExecutionFailed` and the
    caller's transaction rolls back the moves already made."""
    for party in (swap.proposer, swap.counterpart):
        if _active_salesperson(party, now=now) is None:
            raise _ExecutionFailed(
                _("%(name)s is no longer an active salesperson.") % {"name": party.display_name}
            )
    # Customer order, so two swaps executing at once lock rows in the same order (no deadlock).
    items = swap.items.select_related("customer", "from_holder", "to_holder").order_by(
        "customer_id"
    )
    for item in items:
        try:
            ownership_transfer(
                customer=item.customer,
                to_holder=item.to_holder,
                kind=OwnershipKind.SWAP,
                actor=actor,
                now=now,
                reason=swap.reason[:200],
                approval_ref=swap.reference,
                expected_holder_id=item.from_holder_id,
            )
        except OwnershipConflict as exc:
            raise _ExecutionFailed(
                _("%(customer)s is no longer held by %(holder)s.")
                % {"customer": item.customer.name, "holder": item.from_holder.display_name}
            ) from exc


def swap_approve(*, actor, swap: SwapRequest, now: datetime, reason: str = "") -> SwapRequest:
    """Record the actor's approval step; the last step carries the swap out: every customer
    moves in this one transaction, or — if any was moved meanwhile, or a party has left —
    none does, and the swap is marked failed (in its own transaction, after the rollback).

    Returns the swap; its status says which: still waiting, executed, or failed.
    """
    reason = _decision_reason(reason)
    try:
        with transaction.atomic():
            locked = _lock(swap, Status.AWAITING_APPROVAL)
            _record_approvals(actor, locked, now=now, reason=reason)
            if pending_levels(locked):
                _notify_parties(
                    locked,
                    actor=actor,
                    now=now,
                    title=_("Swap %(ref)s: a step was approved by %(who)s")
                    % {"ref": locked.reference, "who": actor.display_name},
                    body=reason,
                )
                return locked
            _execute(locked, actor=actor, now=now)
            locked.status = Status.EXECUTED
            locked.closed_at = now
            locked.closed_by = actor
            locked.save()
            _notify_parties(
                locked,
                actor=actor,
                now=now,
                title=_("Swap %(ref)s was approved and carried out") % {"ref": locked.reference},
            )
            return locked
    except _ExecutionFailed as failure:
        return _mark_failed(swap, actor=actor, now=now, reason=reason, failure=failure.reason)


@transaction.atomic
def _mark_failed(swap, *, actor, now: datetime, reason: str, failure: str) -> SwapRequest:
    """After the rollback: keep the approval that was given and close the swap as failed."""
    locked = _lock(swap, Status.AWAITING_APPROVAL)
    _record_approvals(actor, locked, now=now, reason=reason)
    locked.status = Status.FAILED
    locked.closed_at = now
    locked.closed_by = actor
    locked.closing_reason = failure[:500]
    locked.save()
    _notify_parties(
        locked,
        actor=None,
        now=now,
        title=_("Swap %(ref)s failed: nothing was moved") % {"ref": locked.reference},
        body=failure,
    )
    return locked
