"""Writing the ledger (SPEC §7): manual entries, confirm / waive, reversal, month close.

Every write checks the month is open and the entry undecided under a row lock; the database
triggers of migration 0002 refuse the same things should anything go around this module."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from constance import config
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation.selectors.notices import customers_on_notice
from allocation.services.confiscation import customer_confiscate, customers_reclaim_all
from allocation.services.distribution import Assignment, distribution_create
from crm.errors import RuleError
from crm.models import Staff, User
from crm.notifications import notify
from crm.rights import general_managers
from crm.validators import happened_problem
from customers.errors import NotAllowed
from customers.models import Customer, Pool

from ..models import ClosedMonth, DismissalReview, LedgerEntry, PenaltyRule
from ..rights import may_close_month, may_decide, may_record_for


class LedgerError(RuleError):
    """A ledger rule refused the request; the message is for the user."""


# Reasons and decision notes are text columns without a length; a reason is a few sentences
# for the payroll sheet, so anything longer is a paste gone wrong (issue 12, defect 11).
REASON_MAX = 2000


def _check_length(text: str) -> None:
    if len(text.strip()) > REASON_MAX:
        raise LedgerError(
            _("The reason may be at most %(n)d characters (this one has %(length)d).")
            % {"n": REASON_MAX, "length": len(text.strip())}
        )


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_label(month: date) -> str:
    return month.strftime("%Y-%m")


def is_month_closed(month: date) -> bool:
    return ClosedMonth.objects.filter(month=month_of(month)).exists()


def _check_open(month: date) -> None:
    if is_month_closed(month):
        raise LedgerError(
            _("%(month)s is closed: it accepts no new or changed entries.")
            % {"month": month_label(month)}
        )


def parse_amount(raw) -> Decimal:
    """A typed amount of yuan: finite, at most two decimals and within the ledger column
    (`LedgerEntry.amount`, max_digits): 1e308 or 25 digits are refused with a message, not
    a database error."""
    try:
        amount = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise LedgerError(_("Enter the amount as a number of yuan.")) from None
    if not amount.is_finite():
        raise LedgerError(_("Enter the amount as a number of yuan."))
    column = LedgerEntry._meta.get_field("amount")
    limit = Decimal(10) ** (column.max_digits - column.decimal_places)
    if abs(amount) >= limit:  # checked first: quantize() itself fails on 1e308
        raise LedgerError(
            _("The amount must be less than %(limit)s yuan.") % {"limit": f"{limit:,.0f}"}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise LedgerError(_("Enter the amount as a number of yuan, at most two decimals."))
    return amount


def check_amount(rule: PenaltyRule, amount: Decimal) -> None:
    """Amounts outside a rule's range are refused (SPEC §7)."""
    if rule.amount_allowed(amount):
        return
    if rule.max_amount is None:
        allowed = _("at least %(low)s yuan") % {"low": rule.min_amount}
    elif rule.max_amount == rule.min_amount:
        allowed = _("exactly %(amount)s yuan") % {"amount": rule.min_amount}
    else:
        allowed = _("%(low)s to %(high)s yuan") % {"low": rule.min_amount, "high": rule.max_amount}
    raise LedgerError(
        _("%(amount)s yuan is outside the range of %(rule)s: %(allowed)s.")
        % {"amount": amount, "rule": rule.label, "allowed": allowed}
    )


@dataclass
class ManualEntry:
    person: object
    rule: PenaltyRule
    amount: Decimal
    reason: str
    occurred_on: date
    customer: Customer | None = None
    extra_customers: int = 0


@transaction.atomic
def ledger_record(*, actor, entry: ManualEntry, now: datetime) -> LedgerEntry:
    """A manager (own departments) or the GM records a manual entry; it waits to be
    confirmed or waived like a scan's proposal."""
    rule = entry.rule
    if not rule.is_active:
        raise LedgerError(_("This rule is retired: it takes no new entries."))
    if rule.origin != PenaltyRule.Origin.MANUAL:
        raise LedgerError(_("This rule is applied by the system's scans, not by hand."))
    if not may_record_for(actor, entry.person):
        raise NotAllowed(_("You may record entries only for people of departments you manage."))
    if not entry.reason.strip():
        raise LedgerError(_("Give the reason for the entry."))
    _check_length(entry.reason)
    problem = happened_problem(
        entry.occurred_on, now=now, future_message=_("The breach date cannot be in the future.")
    )
    if problem:
        raise LedgerError(problem)
    check_amount(rule, entry.amount)
    if rule.effect == PenaltyRule.Effect.CONFISCATE and entry.customer is None:
        raise LedgerError(_("Name the customer to be confiscated."))
    if rule.effect == PenaltyRule.Effect.EXTRA_CUSTOMERS and entry.extra_customers < 1:
        raise LedgerError(_("Say how many extra pool customers are granted."))
    month = month_of(entry.occurred_on)
    _check_open(month)
    staff = Staff.objects.filter(user=entry.person).first()
    return LedgerEntry.objects.create(
        person=entry.person,
        department_id=staff.department_id if staff else None,
        rule=rule,
        amount=entry.amount,
        extra_customers=entry.extra_customers
        if rule.effect == PenaltyRule.Effect.EXTRA_CUSTOMERS
        else 0,
        reason=entry.reason.strip(),
        month=month,
        occurred_on=entry.occurred_on,
        customer=entry.customer,
        created_at=now,
        created_by=actor,
    )


def _decide(entry: LedgerEntry, *, actor, status: str, note: str, now: datetime) -> LedgerEntry:
    """Lock the entry, check it is still proposed and its month open, record the decision."""
    _check_length(note)
    locked = LedgerEntry.objects.select_for_update().select_related("rule").get(pk=entry.pk)
    if locked.status != LedgerEntry.Status.PROPOSED:
        raise LedgerError(
            _("This entry was already %(status)s.") % {"status": locked.get_status_display()}
        )
    _check_open(locked.month)
    locked.status = status
    locked.decided_by, locked.decided_at, locked.decision_note = actor, now, note.strip()
    locked.save()
    return locked


@transaction.atomic
def ledger_confirm(*, actor, entry: LedgerEntry, now: datetime, note: str = "") -> LedgerEntry:
    """Confirm a proposed entry; its effect (confiscation, strikes, extra customers) happens
    now, in the same transaction: if the effect is refused, nothing is confirmed."""
    if not may_decide(actor, entry):
        raise NotAllowed(_("You may not decide this entry."))
    entry = _decide(entry, actor=actor, status=LedgerEntry.Status.CONFIRMED, note=note, now=now)
    effect = entry.rule.effect
    if effect == PenaltyRule.Effect.CONFISCATE and entry.customer_id:
        _confiscate(entry, actor=actor, now=now)
    elif effect == PenaltyRule.Effect.STRIKES:
        _count_strikes(entry, actor=actor, now=now)
    elif effect == PenaltyRule.Effect.EXTRA_CUSTOMERS and entry.extra_customers:
        _grant_customers(entry, actor=actor, now=now)
    notify(
        recipient=entry.person,
        title=_("Ledger entry confirmed: %(rule)s") % {"rule": entry.rule.label},
        body=entry.reason,
        link=reverse("penalties:detail", args=[entry.pk]),
        now=now,
    )
    return entry


@transaction.atomic
def ledger_waive(*, actor, entry: LedgerEntry, reason: str, now: datetime) -> LedgerEntry:
    """Waive a proposed entry; a waiver always says why (SPEC §7)."""
    if not may_decide(actor, entry):
        raise NotAllowed(_("You may not decide this entry."))
    if not reason.strip():
        raise LedgerError(_("Say why the entry is waived."))
    return _decide(entry, actor=actor, status=LedgerEntry.Status.WAIVED, note=reason, now=now)


@transaction.atomic
def ledger_reverse(*, actor, entry: LedgerEntry, reason: str, now: datetime) -> LedgerEntry:
    """Correct a confirmed entry by a confirmed reversing entry in the current month; the
    original stays as it was (confirmed entries are never edited or deleted)."""
    if not may_decide(actor, entry):
        raise NotAllowed(_("You may not correct this entry."))
    if not reason.strip():
        raise LedgerError(_("Say why the entry is reversed."))
    _check_length(reason)
    original = LedgerEntry.objects.select_for_update().select_related("rule").get(pk=entry.pk)
    if original.status != LedgerEntry.Status.CONFIRMED:
        raise LedgerError(_("Only a confirmed entry is reversed; a proposal is waived instead."))
    if original.reversal_of_id:
        raise LedgerError(_("A reversing entry is not reversed again; record a new entry."))
    if LedgerEntry.objects.filter(reversal_of=original).exists():
        raise LedgerError(_("This entry has already been reversed."))
    today = timezone.localtime(now).date()
    month = month_of(today)
    _check_open(month)
    return LedgerEntry.objects.create(
        person_id=original.person_id,
        department_id=original.department_id,
        rule=original.rule,
        amount=-original.amount,
        points=-original.points,
        reason=reason.strip(),
        month=month,
        occurred_on=today,
        customer_id=original.customer_id,
        status=LedgerEntry.Status.CONFIRMED,
        created_at=now,
        created_by=actor,
        decided_at=now,
        decided_by=actor,
        decision_note=_("Reverses entry #%(id)s") % {"id": original.pk},
        reversal_of=original,
    )


@transaction.atomic
def month_close(*, actor, month: date, now: datetime) -> ClosedMonth:
    """The GM closes a payroll month: every entry in it must be decided first, and the month
    must be over. Afterwards the month takes nothing new (the trigger holds this too)."""
    if not may_close_month(actor):
        raise NotAllowed(_("Only the general manager closes a month."))
    month = month_of(month)
    if month >= month_of(timezone.localtime(now).date()):
        raise LedgerError(_("A month is closed only after it has ended."))
    if ClosedMonth.objects.filter(month=month).exists():
        raise LedgerError(_("%(month)s is already closed.") % {"month": month_label(month)})
    # Lock the month's undecided entries: a decision in flight finishes first.
    waiting = LedgerEntry.objects.select_for_update().filter(
        month=month, status=LedgerEntry.Status.PROPOSED
    )
    count = len(list(waiting.values_list("pk", flat=True)))
    if count:
        raise LedgerError(
            _("%(count)s entries of %(month)s still wait for a decision; confirm or waive them.")
            % {"count": count, "month": month_label(month)}
        )
    return ClosedMonth.objects.create(month=month, closed_at=now, closed_by=actor)


# --- effects of confirmation ---------------------------------------------------------------


def _confiscate(entry: LedgerEntry, *, actor, now: datetime) -> None:
    """PRIVATE_FOLLOWUP (000 §4.2③): the customer goes to the department pool."""
    customer = Customer.objects.get(pk=entry.customer_id)
    if customer.holder_id is None:
        return  # already in a pool: nothing to take away
    customer_confiscate(
        actor=actor,
        customer=customer,
        now=now,
        reason=_("Confiscated: %(reason)s") % {"reason": entry.reason},
    )


def _standing_strikes(person_id: int):
    """Confirmed CONTACT_REGISTERED entries of a person that no reversal cancelled."""
    return LedgerEntry.objects.filter(
        person_id=person_id,
        rule__code="CONTACT_REGISTERED",
        status=LedgerEntry.Status.CONFIRMED,
        reversal_of__isnull=True,
        reversed_by__isnull=True,
    )


def strikes_to_escalate(person_id: int, *, needed: int) -> list[LedgerEntry]:
    """The first `needed` standing strikes whose breach dates lie within 12 months of each
    other and that no dismissal review has used yet — or [] (SPEC §7, 000 §4.2③).

    Read from every confirmed strike each time, so the answer depends on the set of entries,
    not on the order they were entered or confirmed in: the third one escalates whichever it
    is, a late-entered old breach included."""
    unused = list(
        _standing_strikes(person_id)
        .filter(dismissal_reviews__isnull=True)
        .order_by("occurred_on", "pk")
    )
    for start in range(len(unused) - needed + 1):
        window = unused[start : start + needed]
        if window[-1].occurred_on < window[0].occurred_on + relativedelta(months=12):
            return window
    return []


def _count_strikes(entry: LedgerEntry, *, actor, now: datetime) -> None:
    """CONTACT_REGISTERED: three confirmed breaches within any 12 months (000 §4.2③) mark the
    person for dismissal review and reclaim all their customers to the department pool —
    once for those three, whatever the order of entry or confirmation. The person's row is
    locked first, so two confirmations at the same moment cannot both miss the third strike
    or both escalate."""
    User.objects.select_for_update().filter(pk=entry.person_id).first()
    strikes = strikes_to_escalate(entry.person_id, needed=max(1, config.CONTACT_STRIKES))
    if not strikes:
        return
    moved = customers_reclaim_all(
        actor=actor,
        person=entry.person,
        now=now,
        reason=_("Third verified complaint about contacting registered customers"),
    )
    review = DismissalReview.objects.create(
        person_id=entry.person_id, entry=entry, opened_at=now, customers_reclaimed=moved
    )
    review.strikes.set(strikes)
    link = reverse("penalties:detail", args=[entry.pk])
    title = _("%(person)s: dismissal review recommended") % {"person": entry.person}
    body = _("%(count)s confirmed complaints in 12 months; %(moved)s customers reclaimed.") % {
        "count": len(strikes),
        "moved": moved,
    }
    staff = Staff.objects.filter(user_id=entry.person_id).select_related("department").first()
    recipients = {actor}
    if staff and staff.department and staff.department.manager_id:
        recipients.add(staff.department.manager)
    recipients.update(general_managers())
    for recipient in recipients:
        notify(recipient=recipient, title=title, body=body, link=link, now=now)


def _grant_customers(entry: LedgerEntry, *, actor, now: datetime) -> None:
    """REWARD_RESOURCES (000 §4.2⑥, 004): extra customers from the department pool, handed
    out as an ordinary distribution so every distribution rule still holds."""
    staff = Staff.objects.filter(user_id=entry.person_id).select_related("department").first()
    department = staff.department if staff else None
    pool = Customer.objects.filter(
        holder__isnull=True, pool=Pool.DEPARTMENT, department=department
    ).order_by("holder_since", "pk")
    ids = list(pool.values_list("pk", flat=True)[: entry.extra_customers * 3])
    waiting = customers_on_notice(ids, now) if ids else set()
    chosen = [pk for pk in ids if pk not in waiting][: entry.extra_customers]
    if len(chosen) < entry.extra_customers:
        raise LedgerError(
            _("The department pool has only %(count)s customers free to hand out.")
            % {"count": len(chosen)}
        )
    distribution_create(
        actor=actor,
        source="department",
        department=department,
        assignments=[Assignment(customer_id=pk, recipient=entry.person) for pk in chosen],
        now=now,
        source_note=_("Reward: %(reason)s") % {"reason": entry.reason},
        exception_reason=_("Reward confirmed in the ledger"),
    )
