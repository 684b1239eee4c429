"""Distribution (发放, 000 §3.4; SPEC §5), pool requests (申领), the protection queue (保护期)
and wrong-number reports (错号/空号). Every move goes through customers' ownership_transfer."""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from constance import config
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crm.calendar import SHANGHAI
from crm.errors import RuleError
from crm.models import Department, Staff, User
from crm.notifications import notify, notify_many
from crm.selectors import departments_managed_by, manages_company, manages_department
from customers.errors import NotAllowed
from customers.models import Customer, OwnershipKind, Pool
from customers.selectors import customers_visible_to
from customers.services import ownership_transfer

from ..models import ClaimRequest, DistributionBatch, DistributionItem, WrongNumberReport
from ..rights import (
    may_decide_claim,
    may_distribute,
    may_receive_customers,
    may_request_customers,
)
from ..selectors.distribution import (
    claims_submitted_on,
    cooldown_ends,
    protection_queue,
)
from ..selectors.handovers import is_handing_over
from ..selectors.notices import customers_on_notice
from .confiscation import customers_to_department_pool


class AllocationError(RuleError):
    """A distribution rule refused the request; the message is for the user."""


@dataclass
class Assignment:
    customer_id: int
    recipient: User | None = None  # a person …
    department: Department | None = None  # … or (GM, company pool) a department's pool
    replaces: WrongNumberReport | None = None


def _pool_filter(source: str, department: Department | None) -> Q:
    if source == DistributionBatch.Source.COMPANY:
        return Q(holder__isnull=True, pool=Pool.COMPANY)
    return Q(holder__isnull=True, pool=Pool.DEPARTMENT, department=department)


def _check_keeper(actor, source: str, department: Department | None) -> None:
    """Managers keep their departments' pools, the GM the company pool (and every pool)."""
    if source == DistributionBatch.Source.COMPANY:
        if not may_distribute(actor, None):
            raise NotAllowed(_("Only the general manager distributes the company pool."))
        return
    if department is None or not may_distribute(actor, department):
        raise NotAllowed(_("You do not keep this department's pool."))


def _check_recipient(actor, person: User, *, now: datetime) -> Staff:
    staff = Staff.objects.filter(user=person).select_related("department").first()
    if staff is None or not person.is_active or not may_receive_customers(staff):
        raise AllocationError(_("%(name)s cannot receive customers.") % {"name": person})
    if staff.status != Staff.Status.ACTIVE or staff.has_left(now=now):
        raise AllocationError(
            _("%(name)s is leaving or transferring and receives no customers.") % {"name": person}
        )
    managed = departments_managed_by(actor)
    if staff.department_id is None or not managed.filter(pk=staff.department_id).exists():
        raise AllocationError(_("%(name)s is not in a department you manage.") % {"name": person})
    return staff


def _names(visible: dict[int, str], ids) -> str:
    """「A、B、3 other customers」: the names in `visible` (what the viewer may see), the rest
    counted — an error message never names what the viewer may not see (SPEC §1, issue 12)."""
    names = [visible[pk] for pk in ids if pk in visible]
    hidden = len(ids) - len(names)
    if hidden:
        names.append(_("%(n)d other customers") % {"n": hidden})
    return "、".join(names)


def _visible_names(viewer, ids) -> str:
    ids = list(dict.fromkeys(ids))
    return _names(
        dict(customers_visible_to(viewer).filter(pk__in=ids).values_list("pk", "name")), ids
    )


def _cooled_list(viewer, ends: dict[int, date], item: str) -> str:
    """「A、B：2026-05-01 起…」 per date, naming only the customers `viewer` may see (the
    others are counted, not named)."""
    visible = dict(customers_visible_to(viewer).filter(pk__in=list(ends)).values_list("pk", "name"))
    by_date: dict[date, list[int]] = {}
    for pk, day in sorted(ends.items(), key=lambda kv: (kv[1], kv[0])):
        by_date.setdefault(day, []).append(pk)
    parts = []
    for day, pks in by_date.items():
        parts.append(item % {"names": _names(visible, pks), "date": f"{day:%Y-%m-%d}"})
    return pgettext("list separator", "; ").join(parts)


def _check_batch(actor, source: str, department, ids: list[int], *, now: datetime) -> int:
    """000 §3.4 a「各部门经理是资源发放的决定者」: only the pool's keeper hands it out, and not
    while leaving (§3.5); each customer once and still in that pool (locked: a parallel batch
    or claim waits, then sees them gone); 000 §3.4 b「收回，需先做公示再另行发放」: past its
    public notice and any appeal. Returns the pool's size."""
    if not ids:
        raise AllocationError(_("Choose at least one customer."))
    _check_keeper(actor, source, department)
    if is_handing_over(actor):  # 000 §3.5: a leaver has no right to hand customers out
        raise NotAllowed(_("You are leaving or transferring and cannot hand out customers."))
    if len(set(ids)) != len(ids):
        raise AllocationError(_("A customer appears twice in the batch."))
    pool = Customer.objects.filter(_pool_filter(source, department))
    pool_size = pool.count()
    present = set(pool.filter(pk__in=ids).select_for_update().values_list("pk", flat=True))
    gone = [pk for pk in ids if pk not in present]
    if gone:
        raise AllocationError(
            _("No longer in the pool: %(names)s") % {"names": _visible_names(actor, gone)}
        )
    noticed = customers_on_notice(ids, now)
    if noticed:
        raise AllocationError(
            _("Still on public notice: %(names)s") % {"names": _visible_names(actor, noticed)}
        )
    return pool_size


def _check_new_hire(staff: Staff, count: int, *, pool_size: int, reason: str, now: datetime):
    """000 §3.4 b「新入职员工原则上一个月内不予发放公共资源，但业绩优秀…可优先。不得将所在区所有
    客户资料一次性发放给新员工」: nobody in their first NEW_HIRE_MONTHS gets pool customers
    unless the batch records the exception and its reason; even then one batch to a new hire
    is at most NEW_HIRE_BATCH_MAX customers and NEW_HIRE_BATCH_SHARE % of the pool."""
    if not staff.is_new_hire(today=timezone.localdate(now), months=config.NEW_HIRE_MONTHS):
        return
    if not reason.strip():
        raise AllocationError(
            _(
                "%(name)s is in the first month after hire: record the exception and its "
                "reason to hand them pool customers."
            )
            % {"name": staff.user}
        )
    limit = min(
        config.NEW_HIRE_BATCH_MAX, math.floor(pool_size * config.NEW_HIRE_BATCH_SHARE / 100)
    )
    if count > limit:
        raise AllocationError(
            _(
                "One batch to a new hire is at most %(limit)d customers (%(max)d, and "
                "%(share)d%% of this pool's %(size)d)."
            )
            % {
                "limit": limit,
                "max": config.NEW_HIRE_BATCH_MAX,
                "share": config.NEW_HIRE_BATCH_SHARE,
                "size": pool_size,
            }
        )


def _check_holding_cap(person: User, count: int):
    """SPEC §5 holding cap: nobody holds more than HOLDING_CAP customers after the batch."""
    held = Customer.objects.filter(holder=person).count()
    if held + count > config.HOLDING_CAP:
        raise AllocationError(
            _("%(name)s would hold %(total)d customers; the cap is %(cap)d.")
            % {"name": person, "total": held + count, "cap": config.HOLDING_CAP}
        )


def _check_targets(assignments: list[Assignment], source: str):
    """000 §3.4「总经理负责各部门内资源发放」: only the company pool goes to departments' pools;
    000 §3.4 a「所发放的资源除电话错号、空号外不再补发」: a replacement is issued only for a
    verified wrong-number report by the same person, once."""
    for a in assignments:
        if a.department is not None and source != DistributionBatch.Source.COMPANY:
            raise AllocationError(_("Only the company pool is distributed to departments."))
        if a.replaces is not None:
            report = WrongNumberReport.objects.select_for_update().get(pk=a.replaces.pk)
            if report.verified_at is None or report.reporter_id != getattr(a.recipient, "pk", 0):
                raise AllocationError(
                    _("A replacement needs a verified wrong-number report by the same person.")
                )
            if DistributionItem.objects.filter(replaces=report).exists():
                raise AllocationError(_("That report has already been replaced."))


@transaction.atomic
def distribution_create(
    *,
    actor,
    source: str,
    department: Department | None,
    assignments: list[Assignment],
    now: datetime,
    source_note: str = "",
    exception_reason: str = "",
    cooldown_reason: str = "",
    claim: ClaimRequest | None = None,
) -> DistributionBatch:
    """Hand pool customers to people (or, GM only, to departments' pools), enforcing 000 §3.4:

    - only the pool's keeper distributes it; every customer must still be in that pool;
    - nobody in their first month after hire gets pool customers unless the batch records an
      exception with a reason, and even then one batch to a new hire is at most
      NEW_HIRE_BATCH_MAX customers and NEW_HIRE_BATCH_SHARE % of the pool;
    - nobody holds more than HOLDING_CAP customers;
    - a replacement is issued only for a verified 错号/空号 report of that recipient, once;
    - nobody gets back a customer that left them less than COOLDOWN_DAYS ago (SPEC §5
      previous-holder cool-down), unless the general manager records `cooldown_reason`.
    Nothing moves unless every assignment passes.
    """
    ids = [a.customer_id for a in assignments]
    pool_size = _check_batch(actor, source, department, ids, now=now)
    per_person = Counter(a.recipient.pk for a in assignments if a.recipient is not None)
    for person in {a.recipient for a in assignments if a.recipient is not None}:
        staff = _check_recipient(actor, person, now=now)
        count = per_person[person.pk]
        _check_new_hire(staff, count, pool_size=pool_size, reason=exception_reason, now=now)
        _check_holding_cap(person, count)
    _check_targets(assignments, source)
    overridden = _check_cooldown(actor, assignments, now=now, reason=cooldown_reason)

    batch = DistributionBatch.objects.create(
        source=source,
        department=department,
        approver=actor,
        created_at=now,
        source_note=source_note,
        exception_reason=exception_reason.strip(),
        cooldown_reason=cooldown_reason.strip() if overridden else "",
        claim=claim,
    )
    kind = OwnershipKind.CLAIMED if claim else OwnershipKind.DISTRIBUTED
    note = " ".join(filter(None, [batch.reference, source_note]))[:200]
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=ids)}
    for a in assignments:
        customer = customers[a.customer_id]
        if a.recipient is not None:
            reasons = [_("Replacement for a wrong number") if a.replaces else ""]
            if customer.pk in overridden:
                reasons.append(
                    _("Cool-down override: %(reason)s") % {"reason": batch.cooldown_reason}
                )
            # 000 §3.4.b: the batch is noted beside the original channel, never over it.
            ownership_transfer(
                customer=customer,
                to_holder=a.recipient,
                kind=kind,
                actor=actor,
                now=now,
                approval_ref=batch.reference,
                expected_holder_id=None,
                reason="；".join(filter(None, reasons)),
                updates={"distribution_note": note},
            )
        else:
            ownership_transfer(
                customer=customer,
                to_pool=Pool.DEPARTMENT,
                department=a.department,
                kind=kind,
                actor=actor,
                now=now,
                approval_ref=batch.reference,
                expected_holder_id=None,
                updates={"distribution_note": note},
            )
        DistributionItem.objects.create(
            batch=batch,
            customer=customer,
            recipient=a.recipient,
            recipient_department=a.department,
            replaces=a.replaces,
        )
    for person_id, count in per_person.items():
        notify(
            recipient=User.objects.get(pk=person_id),
            now=now,
            link=reverse("customers:list") + "?scope=mine",
            title=_("%(count)d customers were distributed to you (%(ref)s)")
            % {"count": count, "ref": batch.reference},
        )
    return batch


def _check_cooldown(actor, assignments: list[Assignment], *, now: datetime, reason: str) -> set:
    """Previous-holder cool-down (SPEC §5): refuse handing a person a customer that left them
    within COOLDOWN_DAYS, saying until when; the general manager may, with a reason. Returns
    the customers handed back under that exception."""
    wanted: dict[int, list[int]] = {}
    people = {}
    for a in assignments:
        if a.recipient is not None:
            wanted.setdefault(a.recipient.pk, []).append(a.customer_id)
            people[a.recipient.pk] = a.recipient
    overridden: set[int] = set()
    for person_pk, customer_ids in wanted.items():
        ends = cooldown_ends(people[person_pk], customer_ids, now=now)
        if not ends:
            continue
        if manages_company(actor) and reason.strip():
            overridden |= set(ends)
            continue
        message = (
            _(
                "Cool-down: these customers left %(name)s less than %(days)d days ago. "
                "%(list)s. Record the cool-down reason to hand them back anyway."
            )
            if manages_company(actor)
            else _(
                "Cool-down: these customers left %(name)s less than %(days)d days ago. "
                "%(list)s. Only the general manager may hand them back sooner, with a recorded "
                "reason."
            )
        )
        raise AllocationError(
            message
            % {
                "name": people[person_pk],
                "days": config.COOLDOWN_DAYS,
                "list": _cooled_list(actor, ends, _("%(names)s may go back to them from %(date)s")),
            }
        )
    return overridden


@transaction.atomic
def claim_create(*, actor, customer_ids: list[int], reason: str, now: datetime) -> ClaimRequest:
    """申领: a salesperson asks for customers of their own department's pool.

    - at most DAILY_CLAIM_CAP requests a day (Asia/Shanghai), counted from the request records
      whatever their outcome (SPEC §5), so asking, being refused and asking again is counted;
    - not for a customer that left the requester less than COOLDOWN_DAYS ago (SPEC §5).
    """
    # The requester's staff row is locked before counting: two requests sent at once queue
    # here, so the second counts the first and the cap cannot be passed by racing.
    staff = Staff.objects.select_for_update(of=("self",)).filter(user=actor).first()
    if staff is None or not may_request_customers(staff) or staff.department_id is None:
        raise NotAllowed(_("Only salespeople request pool customers."))
    today = now.astimezone(SHANGHAI).date()
    sent = claims_submitted_on(actor, day=today)
    if sent >= config.DAILY_CLAIM_CAP:
        raise AllocationError(
            _(
                "You have sent %(count)d requests today; the limit is %(cap)d a day. You may "
                "send more from %(date)s."
            )
            % {
                "count": sent,
                "cap": config.DAILY_CLAIM_CAP,
                "date": f"{today + timedelta(days=1):%Y-%m-%d}",
            }
        )
    if not reason.strip():
        raise AllocationError(_("Say why you want these customers."))
    customers = list(
        Customer.objects.filter(
            pk__in=customer_ids,
            holder__isnull=True,
            pool=Pool.DEPARTMENT,
            department=staff.department_id,
        )
    )
    if not customers or len(customers) != len(set(customer_ids)):
        raise AllocationError(_("Request only customers of your department's pool."))
    ends = cooldown_ends(actor, [c.pk for c in customers], now=now)
    if ends:
        raise AllocationError(
            _("Cool-down: these customers left you less than %(days)d days ago. %(list)s.")
            % {
                "days": config.COOLDOWN_DAYS,
                "list": _cooled_list(
                    actor, ends, _("%(names)s may be requested again from %(date)s")
                ),
            }
        )
    claim = ClaimRequest.objects.create(
        requester=actor, department_id=staff.department_id, reason=reason.strip(), created_at=now
    )
    claim.customers.set(customers)
    return claim


@transaction.atomic
def claim_decide(
    *, actor, claim: ClaimRequest, approve: bool, now: datetime, reason: str = ""
) -> ClaimRequest:
    """The manager approves (a distribution to the requester) or rejects with a reason. The
    claim row is locked and its status re-read, so a second decision — even a concurrent one —
    is refused and the customers move once."""
    claim = ClaimRequest.objects.select_for_update().get(pk=claim.pk)
    if not may_decide_claim(actor, claim):
        raise NotAllowed(_("You do not manage this department."))
    if claim.status != ClaimRequest.Status.PENDING:
        raise AllocationError(_("This request has already been decided."))
    if not approve and not reason.strip():
        raise AllocationError(_("Give the reason for the rejection."))
    if approve:
        distribution_create(
            actor=actor,
            source=DistributionBatch.Source.DEPARTMENT,
            department=claim.department,
            now=now,
            claim=claim,
            assignments=[
                Assignment(c.pk, recipient=claim.requester) for c in claim.customers.all()
            ],
            source_note=_("Request %(ref)s") % {"ref": claim},
        )
    claim.status = ClaimRequest.Status.APPROVED if approve else ClaimRequest.Status.REJECTED
    claim.decided_by, claim.decided_at, claim.decision_reason = actor, now, reason.strip()
    claim.save()
    notify(
        recipient=claim.requester,
        now=now,
        link=reverse("allocation:claim_detail", args=[claim.pk]),
        title=(
            _("Your request %(ref)s was approved")
            if approve
            else _("Your request %(ref)s was rejected")
        )
        % {"ref": claim},
        body=claim.decision_reason,
    )
    return claim


@transaction.atomic
def protection_reclaim(*, actor, customer_ids: list[int], now: datetime, reason: str) -> int:
    """The manager takes queue customers back into the department pool (an event with the
    reason, which the holder reads on their notice: a blank one is refused and nothing moves).
    Only customers still in the actor's queue move."""
    reason = (reason or "").strip()
    if not reason:
        raise AllocationError(_("Say why these customers are taken back: the reason is required."))
    chosen = protection_queue(actor, as_of=now).filter(pk__in=customer_ids)
    taken: dict[int, list[str]] = {}
    for holder_id, name in chosen.order_by("pk").values_list("holder_id", "name"):
        taken.setdefault(holder_id, []).append(name)
    moved = customers_to_department_pool(
        chosen, kind=OwnershipKind.RECLAIM, actor=actor, now=now, reason=reason
    )
    if not moved:
        raise AllocationError(_("None of these customers is in your reclaim queue any more."))
    # Issue 14: whoever loses customers is told at the move, with the manager's reason.
    people = User.objects.in_bulk(list(taken))
    notify_many(
        messages=[
            (
                people[holder_id],
                _("%(count)d customers were taken back into the department pool")
                % {"count": len(names)},
                _("No service within the protection period. %(manager)s: %(reason)s\n%(names)s")
                % {
                    "manager": actor.display_name,
                    "reason": reason,
                    "names": "、".join(names[:20]),
                },
                "",
            )
            for holder_id, names in taken.items()
        ],
        now=now,
    )
    return moved


@transaction.atomic
def report_create(*, actor, customer: Customer, note: str, now: datetime) -> WrongNumberReport:
    if customer.holder_id != actor.pk:
        raise NotAllowed(_("Only the holder reports a wrong or dead number."))
    if not note.strip():
        raise AllocationError(_("Describe what is wrong with the number."))
    return WrongNumberReport.objects.create(
        customer=customer, reporter=actor, note=note.strip(), created_at=now
    )


@transaction.atomic
def report_verify(*, actor, report: WrongNumberReport, now: datetime) -> WrongNumberReport:
    """Verified: the customer goes back to the department pool, and the reporter may get one
    replacement (the only replacement 000 §3.4 allows)."""
    report = WrongNumberReport.objects.select_for_update().get(pk=report.pk)
    customer = report.customer
    if not manages_department(actor, customer.department_id):
        raise NotAllowed(_("You do not manage this department."))
    if report.verified_at:
        raise AllocationError(_("This report has already been verified."))
    report.verified_by, report.verified_at = actor, now
    report.save()
    if customer.holder_id == report.reporter_id:
        ownership_transfer(
            customer=customer,
            to_pool=Pool.DEPARTMENT,
            kind=OwnershipKind.RECLAIM,
            actor=actor,
            now=now,
            reason=_("Wrong or dead number, verified"),
            expected_holder_id=report.reporter_id,
        )
    return report
