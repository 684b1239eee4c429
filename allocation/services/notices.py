"""The public notice (公示, 000 §3.4.b; SPEC §6) and the manager's 不满意 verification.

A reclaimed customer is listed on the notice board for N working days (the reclaim engine
creates the `PublicNotice` rows). While a notice runs the customer is not distributed again
(`customers_on_notice`), the previous holder may appeal once, and a manager restores the
customer to them or confirms the reclaim. A restore goes through `ownership_transfer` as a
"restored" move, which restarts the holder's clock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.models import Department, User
from crm.notifications import notify
from crm.rights import general_managers, may_manage_company
from crm.selectors import departments_managed_by
from customers.errors import CustomerError, NotAllowed
from customers.models import Customer, FollowUp, Pool
from customers.services import ownership_transfer

from ..inbox import InboxItem
from ..models import PublicNotice, UnsatisfiedVerification
from ..rights import may_approve, may_decide_notice, may_verify_unsatisfied
from .handover import is_handing_over

RESTORED_KIND = "restored"  # customers.models.OwnershipKind.RESTORED
REASON_MAX = 500


class NoticeError(CustomerError):
    """An appeal, decision or verification the rules refuse; the message is for the user."""


# --- selectors -----------------------------------------------------------------------------


def _company(notice: PublicNotice) -> bool:
    return notice.pool == Pool.COMPANY or notice.department_id is None


def notices_visible_to(user) -> QuerySet[PublicNotice]:
    """The notice board: company-pool notices for everyone; a department's notices for the
    people of that department (salespeople and accountants included) and its managers (the
    GM: all); and every notice naming `user` as the previous holder, wherever they work now."""
    if not user.is_authenticated or not user.is_active:
        return PublicNotice.objects.none()
    scope = (
        Q(pool=Pool.COMPANY)
        | Q(department__isnull=True)
        | Q(department__in=departments_managed_by(user))
        | Q(previous_holder=user.pk)
    )
    staff = getattr(user, "staff", None)
    if staff is not None and staff.department_id:
        scope |= Q(department=staff.department_id)
    return PublicNotice.objects.filter(scope)


def customers_on_notice(customer_ids: Iterable[int], now: datetime) -> set[int]:
    """Which of `customer_ids` may not be distributed or claimed yet: on a running public
    notice (`ends_at > now`) that a restore did not settle, or with an appeal made in time
    that nobody has decided (so a late decision can still restore it). One query."""
    running = Q(ends_at__gt=now) & ~Q(decision=PublicNotice.Decision.RESTORED)
    appeal_pending = Q(appealed_at__isnull=False, decision="")
    return set(
        PublicNotice.objects.filter(running | appeal_pending, customer_id__in=customer_ids)
        .values_list("customer_id", flat=True)
        .distinct()
    )


def _gm_ids(*, besides: int) -> list[int]:
    return list(general_managers().exclude(pk=besides).values_list("pk", flat=True))


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _designated(notice: PublicNotice, managers: dict[int, int | None], gm_ids) -> list[int]:
    """Who an appeal goes to: the nearest manager up the department tree who is not the
    appellant; the GM(s) when there is none, and always for the company pool."""
    if not _company(notice):
        for department_id in reversed(_path_ids(notice.department.path)):
            manager_id = managers.get(department_id)
            if manager_id and manager_id != notice.previous_holder_id:
                return [manager_id]
    return [pk for pk in gm_ids if pk != notice.previous_holder_id]


def _managers_by_department(notices: list[PublicNotice]) -> dict[int, int | None]:
    ids = {pk for n in notices if not _company(n) for pk in _path_ids(n.department.path)}
    if not ids:
        return {}
    return dict(
        Department.objects.filter(pk__in=ids, manager__is_active=True).values_list(
            "pk", "manager_id"
        )
    )


def inbox_items(user) -> list[InboxItem]:
    """Appealed, undecided notices waiting on `user` — the inbox's 申诉 rows, oldest appeal
    first. Shown to whom the appeal was sent (see `_designated`); others in scope may still
    decide from the notice page."""
    if not user.is_authenticated or not may_approve(user):
        return []
    gm = may_manage_company(user)
    scope = Q(department__in=departments_managed_by(user), pool=Pool.DEPARTMENT)
    if gm:
        scope |= Q(pool=Pool.COMPANY) | Q(department__isnull=True)
    notices = list(
        PublicNotice.objects.filter(scope, appealed_at__isnull=False, decision="")
        .exclude(previous_holder=user.pk)
        .select_related("customer", "previous_holder", "department")
        .order_by("appealed_at", "pk")
    )
    if not notices:
        return []
    managers = _managers_by_department(notices)
    gm_ids = [user.pk] if gm else []
    items = []
    for notice in notices:
        if user.pk not in _designated(notice, managers, gm_ids):
            continue
        items.append(
            InboxItem(
                kind=_("Appeal"),
                title=_("%(person)s appeals against the reclaim of %(customer)s")
                % {
                    "person": notice.previous_holder.display_name,
                    "customer": notice.customer.name,
                },
                created_at=notice.appealed_at,
                url=reverse("allocation:notice_detail", args=[notice.pk]),
                due_at=notice.ends_at,
                decide_url=reverse("allocation:notice_decide", args=[notice.pk]),
            )
        )
    return items


# --- services ------------------------------------------------------------------------------


def _reason(reason: str, *, required_message: str | None) -> str:
    reason = (reason or "").strip()
    if required_message and not reason:
        raise NoticeError(required_message)
    if len(reason) > REASON_MAX:
        raise NoticeError(_("The reason may be at most %(n)d characters.") % {"n": REASON_MAX})
    return reason


def _link(notice: PublicNotice) -> str:
    return reverse("allocation:notice_detail", args=[notice.pk])


@transaction.atomic
def notice_appeal(*, actor, notice: PublicNotice, reason: str, now: datetime) -> PublicNotice:
    """The previous holder appeals once, while the notice runs, with a reason; the appeal goes
    to the department manager (the company pool: the GM)."""
    notice = (
        PublicNotice.objects.select_for_update(of=("self",))
        .select_related("customer", "department", "previous_holder")
        .get(pk=notice.pk)
    )
    if actor.pk != notice.previous_holder_id:
        raise NotAllowed(_("Only the previous holder can appeal against this reclaim."))
    if notice.appealed_at is not None or notice.decision:
        raise NoticeError(_("This reclaim has already been appealed."))
    if now >= notice.ends_at:
        raise NoticeError(_("The public notice has ended; it is too late to appeal."))
    notice.appeal_reason = _reason(reason, required_message=_("Give a reason for your appeal."))
    notice.appealed_at = now
    notice.save(update_fields=["appeal_reason", "appealed_at"])

    managers = _managers_by_department([notice])
    gm_ids = _gm_ids(besides=actor.pk)
    recipients = User.objects.filter(pk__in=_designated(notice, managers, gm_ids))
    for recipient in recipients:
        notify(
            recipient=recipient,
            now=now,
            title=_("%(person)s appeals against the reclaim of %(customer)s")
            % {"person": actor.display_name, "customer": notice.customer.name},
            body=notice.appeal_reason,
            link=_link(notice),
        )
    return notice


def _still_in_pool(customer: Customer, notice: PublicNotice) -> bool:
    if customer.holder_id is not None or customer.pool != notice.pool:
        return False
    if notice.pool == Pool.DEPARTMENT and customer.department_id != notice.department_id:
        return False
    # Distributed and reclaimed again since: a newer notice settles it, not this one.
    return not PublicNotice.objects.filter(
        customer=customer.pk, reclaimed_at__gt=notice.reclaimed_at
    ).exists()


@transaction.atomic
def notice_decide(
    *, actor, notice: PublicNotice, restore: bool, reason: str, now: datetime
) -> PublicNotice:
    """Decide an appeal once. Restore: the customer goes back to the previous holder as a
    "restored" move (their clock restarts now) — only while it still sits in the pool it was
    reclaimed into. Confirm: nothing moves. The previous holder is told either way."""
    notice = (
        PublicNotice.objects.select_for_update(of=("self",))
        .select_related("customer", "department", "previous_holder")
        .get(pk=notice.pk)
    )
    if actor.pk == notice.previous_holder_id:
        raise NotAllowed(_("You cannot decide your own appeal."))
    if not may_decide_notice(actor, notice) or is_handing_over(actor):
        if _company(notice):
            raise NotAllowed(
                _("Only the general manager can decide an appeal on a company-pool customer.")
            )
        raise NotAllowed(_("Only a manager of the customer's department can decide this appeal."))
    if notice.appealed_at is None:
        raise NoticeError(_("There is no appeal to decide on this notice."))
    if notice.decision:
        raise NoticeError(_("This appeal has already been decided."))
    reason = _reason(
        reason,
        required_message=None if restore else _("Give a reason for confirming the reclaim."),
    )
    holder = notice.previous_holder
    if restore:
        customer = Customer.objects.select_for_update().get(pk=notice.customer_id)
        if not _still_in_pool(customer, notice):
            raise NoticeError(
                _(
                    "The customer has left the pool since it was reclaimed; "
                    "it can no longer be restored."
                )
            )
        if not holder.is_active or is_handing_over(holder):
            raise NoticeError(
                _("%(person)s is leaving or transferring and cannot receive customers.")
                % {"person": holder.display_name}
            )
        ownership_transfer(
            customer=customer,
            to_holder=holder,
            kind=RESTORED_KIND,
            actor=actor,
            now=now,
            reason=reason or notice.appeal_reason,
            approval_ref=f"公示#{notice.pk}",
            expected_holder_id=None,
            # Back as it was before the reclaim: the rule that applied to how it was acquired
            # (company-issued or self-registered) applies again, on a clock that restarts now.
            updates={"acquired_via": customer.acquired_via},
        )
        notice.decision = PublicNotice.Decision.RESTORED
    else:
        notice.decision = PublicNotice.Decision.CONFIRMED
    notice.decided_by = actor
    notice.decided_at = now
    notice.decision_reason = reason
    notice.save(update_fields=["decision", "decided_by", "decided_at", "decision_reason"])

    params = {"customer": notice.customer.name}
    if restore:
        title = _("Your appeal was upheld: %(customer)s is yours again") % params
        link = reverse("customers:detail", args=[notice.customer_id])
    else:
        title = _("Your appeal was rejected: the reclaim of %(customer)s stands") % params
        link = _link(notice)
    notify(recipient=holder, now=now, title=title, body=reason, link=link)
    return notice


# --- 不满意 verification ------------------------------------------------------------------


def _effective_satisfaction(followup: FollowUp) -> str:
    latest = followup.amendments.order_by("-entered_at", "-pk").first()
    return latest.satisfaction if latest is not None else followup.satisfaction


@transaction.atomic
def unsatisfied_verify(*, actor, followup: FollowUp, now: datetime) -> UnsatisfiedVerification:
    """A manager of the customer's department confirms that a follow-up's 不满意 is real, once.
    The unsatisfied rule then returns the customer to the department pool at its next monthly
    run; a later follow-up does not lift it, only the manager withdrawing the verification
    (`unsatisfied_withdraw`). The holder is told."""
    followup = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("customer__holder")
        .get(pk=followup.pk)
    )
    customer = followup.customer
    if not may_verify_unsatisfied(actor, customer):
        raise NotAllowed(
            _("Only a manager of the customer's department can verify an unsatisfied follow-up.")
        )
    if followup.amends_id is not None:
        followup = FollowUp.objects.select_for_update().get(pk=followup.amends_id)
    if UnsatisfiedVerification.objects.filter(followup=followup.pk).exists():
        raise NoticeError(_("This follow-up has already been verified."))
    if (
        followup.satisfaction != FollowUp.Satisfaction.UNSATISFIED
        or _effective_satisfaction(followup) != FollowUp.Satisfaction.UNSATISFIED
    ):
        raise NoticeError(_("Only a follow-up that says unsatisfied can be verified."))
    verification = UnsatisfiedVerification.objects.create(
        followup=followup, verified_by=actor, verified_at=now
    )
    if customer.holder_id and customer.holder_id != actor.pk:
        notify(
            recipient=customer.holder,
            now=now,
            title=_("%(person)s verified the unsatisfied follow-up on %(customer)s")
            % {"person": actor.display_name, "customer": customer.name},
            body=_(
                "The customer returns to the department pool at the next monthly run "
                "unless the manager withdraws the verification."
            ),
            link=reverse("customers:detail", args=[customer.pk]),
        )
    return verification


@transaction.atomic
def unsatisfied_withdraw(
    *, actor, followup: FollowUp, reason: str, now: datetime
) -> UnsatisfiedVerification:
    """The manager withdraws a verification (the 不满意 proved wrong): the only thing that lifts
    the unsatisfied rule (SPEC §6). The verification stays on record with who, when and why."""
    # The customer row first: a reclaim sweep locks it before it re-checks the rule, so the
    # sweep and this withdrawal happen one after the other, never on a stale read (SPEC §6).
    Customer.objects.select_for_update().filter(pk=followup.customer_id).first()
    verification = (
        UnsatisfiedVerification.objects.select_for_update(of=("self",))
        .select_related("followup__customer")
        .filter(followup=followup.amends_id or followup.pk)
        .first()
    )
    if verification is None:
        raise NoticeError(_("This follow-up carries no verification to withdraw."))
    if not may_verify_unsatisfied(actor, verification.followup.customer):
        raise NotAllowed(
            _("Only a manager of the customer's department can withdraw the verification.")
        )
    if verification.withdrawn_at is not None:
        raise NoticeError(_("This verification was already withdrawn."))
    if not reason.strip():
        raise NoticeError(_("Say why the verification is withdrawn."))
    verification.withdrawn_by, verification.withdrawn_at = actor, now
    verification.withdrawn_reason = reason.strip()[:300]
    verification.save(update_fields=["withdrawn_by", "withdrawn_at", "withdrawn_reason"])
    return verification


@dataclass
class VerificationState:
    standing: set[int]  # verified, in force
    withdrawn: set[int]  # verified, then withdrawn by the manager


def verified_followup_ids(followup_ids: Iterable[int]) -> VerificationState:
    """The verification state of the 不满意 follow-ups among `followup_ids` (one query)."""
    ids = list(followup_ids)
    state = VerificationState(standing=set(), withdrawn=set())
    if not ids:
        return state
    rows = UnsatisfiedVerification.objects.filter(followup__in=ids).values_list(
        "followup_id", "withdrawn_at"
    )
    for followup_id, withdrawn_at in rows:
        (state.standing if withdrawn_at is None else state.withdrawn).add(followup_id)
    return state
