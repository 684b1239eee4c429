"""The one service that changes who holds a customer (SPEC §3). Every kind of move —
distribution, claim, swap, handover, ruling, reclaim, confiscation — comes through here so the
ownership event and the history row are written in the same transaction as the move."""

from datetime import datetime

from django.db import transaction

from ..errors import OwnershipConflict
from ..models import Customer, OwnershipEvent, OwnershipKind, Pool

_UNSET = object()


@transaction.atomic
def ownership_transfer(
    *,
    customer: Customer,
    to_holder=None,
    to_pool: str = Pool.NONE,
    kind: str,
    actor,
    now: datetime,
    reason: str = "",
    approval_ref: str = "",
    department=_UNSET,
    expected_holder_id=_UNSET,
    updates: dict | None = None,
) -> Customer:
    """Move `customer` to `to_holder`, or (holder None) into `to_pool`.

    The row is locked first (select_for_update) and, when `expected_holder_id` is given, the
    move is refused if someone else moved the customer in between — no stale read decides.
    A move to a person puts the customer in that person's department; the company pool
    belongs to no department. `updates` sets other fields in the same history row (a
    distribution notes its batch in `distribution_note`; it never touches `source`).
    """
    if (to_holder is None) == (to_pool == Pool.NONE):
        raise ValueError("give exactly one of to_holder or to_pool")
    if kind not in OwnershipKind.values:
        raise ValueError(f"unknown ownership kind {kind!r}")
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if expected_holder_id is not _UNSET and locked.holder_id != expected_holder_id:
        raise OwnershipConflict("the customer was moved by someone else; reload and try again")
    event = OwnershipEvent(
        customer=locked,
        kind=kind,
        from_holder_id=locked.holder_id,
        from_pool=locked.pool,
        to_holder=to_holder,
        to_pool=to_pool,
        reason=reason,
        actor=actor,
        approval_ref=approval_ref,
        at=now,
    )
    if department is _UNSET:
        if to_holder is not None:
            staff = getattr(to_holder, "staff", None)
            department = staff.department if staff else locked.department
        elif to_pool == Pool.COMPANY:
            department = None
        else:
            department = locked.department
    locked.holder = to_holder
    locked.pool = to_pool
    locked.department = department
    locked.holder_since = now
    if to_holder is not None:
        locked.acquired_via = kind
    for name, value in (updates or {}).items():
        setattr(locked, name, value)
    # The kind code leads the reason so the history page can label it in the reader's language.
    locked._change_reason = f"{kind}: {reason}"[:100] if reason else kind
    locked._history_user = actor
    locked._history_date = now
    locked.save()
    event.department = department
    event.save()
    return locked
