"""The public notice (公示, 000 §3.4.b; SPEC §6) and the manager's 不满意 verification.

A reclaimed customer is listed on the notice board for N working days (the reclaim engine
creates the `PublicNotice` rows). While a notice runs the customer is not distributed again
(`customers_on_notice`), the previous holder may appeal once, and a manager restores the
customer to them or confirms the reclaim. A restore goes through `ownership_transfer` as a
"restored" move, which restarts the holder's clock.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.errors import RuleError
from crm.models import Notification, User
from crm.notifications import notify, notify_many
from customers.errors import NotAllowed
from customers.models import Customer, FollowUp, Pool
from customers.services import ownership_transfer

from ..models import JobRun, PublicNotice, ReclaimPolicy, UnsatisfiedVerification
from ..rights import may_decide_notice, may_verify_unsatisfied
from ..selectors.handovers import is_handing_over
from ..selectors.notices import (
    company_notice,
    designated_deciders,
    general_manager_ids,
    managers_by_department,
    run_holder_counts,
)

RESTORED_KIND = "restored"  # customers.models.OwnershipKind.RESTORED
REASON_MAX = 500


class NoticeError(RuleError):
    """An appeal, decision or verification the rules refuse; the message is for the user."""


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


def reclaimed_link(job: JobRun | None = None) -> str:
    """The notice board filtered to what was reclaimed from the viewer (one run's customers
    when `job` is given) — where the 申诉 buttons are."""
    link = reverse("allocation:notices") + "?mine=reclaimed"
    return f"{link}&run={job.pk}" if job is not None else link


def appeal_deadline(ends_at: datetime) -> str:
    """The last day an appeal is accepted (the notice ends at midnight after it)."""
    return f"{timezone.localdate(ends_at - timedelta(microseconds=1)):%Y-%m-%d}"


@transaction.atomic
def reclaim_notify_holders(*, job: JobRun, now: datetime) -> int:
    """Tell each former holder of one reclaim run, once, how many customers it took, until
    when they may appeal and where (SPEC §6; issue 14 defect 3). Set-based: one GROUP BY over
    the run's notices, one query for who was told already (a rerun or a resumed run tells
    nobody twice: the link names the run), one for the people, one INSERT."""
    link = reclaimed_link(job)
    counts = run_holder_counts(job, upto=now)
    if not counts:
        return 0
    told = set(
        Notification.objects.filter(
            recipient__in=[row["previous_holder"] for row in counts], link=link
        ).values_list("recipient_id", flat=True)
    )
    counts = [row for row in counts if row["previous_holder"] not in told]
    if not counts:
        return 0
    # Ids, not users: a sweep tells some 10,000 people and loading each cost a tenth of the
    # sweep (issue 19). The deadline is the same for every notice of one run: computed once.
    people = set(
        User.objects.filter(pk__in=[row["previous_holder"] for row in counts]).values_list(
            "pk", flat=True
        )
    )
    policy = ReclaimPolicy.objects.get(code=job.policy)
    rule = policy.get_code_display()
    deadlines: dict = {}
    messages = []
    for row in counts:
        person = row["previous_holder"]
        if person not in people:
            continue
        if row["ends_at"] not in deadlines:
            deadlines[row["ends_at"]] = appeal_deadline(row["ends_at"])
        title = ngettext(
            "%(n)d customer was reclaimed from you (%(rule)s)",
            "%(n)d customers were reclaimed from you (%(rule)s)",
            row["n"],
        ) % {"n": row["n"], "rule": rule}
        body = _(
            "They are on the public notice board for %(days)d working days. If a reclaim is "
            "wrong, appeal on the board by the end of %(deadline)s; after that it stands."
        ) % {"days": policy.notice_working_days, "deadline": deadlines[row["ends_at"]]}
        messages.append((person, title, body, link))
    return notify_many(messages=messages, now=now)


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

    managers = managers_by_department([notice])
    gm_ids = general_manager_ids(besides=actor.pk)
    recipients = User.objects.filter(pk__in=designated_deciders(notice, managers, gm_ids))
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


def _check_may_decide(actor, notice: PublicNotice):
    """SPEC §6 appeals: decided once, by a manager of the customer's department (the GM for a
    company-pool customer), never by the appellant and not by one who is leaving."""
    if actor.pk == notice.previous_holder_id:
        raise NotAllowed(_("You cannot decide your own appeal."))
    if not may_decide_notice(actor, notice) or is_handing_over(actor):
        if company_notice(notice):
            raise NotAllowed(
                _("Only the general manager can decide an appeal on a company-pool customer.")
            )
        raise NotAllowed(_("Only a manager of the customer's department can decide this appeal."))
    if notice.appealed_at is None:
        raise NoticeError(_("There is no appeal to decide on this notice."))
    if notice.decision:
        raise NoticeError(_("This appeal has already been decided."))


def _restore(notice: PublicNotice, *, actor, reason: str, now: datetime):
    """An upheld appeal gives the customer back to the previous holder as a "restored" move —
    only while it still sits in the pool it was reclaimed into, and only to a holder who is
    still active and not leaving. Their clock restarts now."""
    holder = notice.previous_holder
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
    _check_may_decide(actor, notice)
    reason = _reason(
        reason,
        required_message=None if restore else _("Give a reason for confirming the reclaim."),
    )
    holder = notice.previous_holder
    if restore:
        _restore(notice, actor=actor, reason=reason, now=now)
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
