"""Follow-ups, deals, referrals and inquiry calls (SPEC §2–4). Each write locks the customer,
checks who may write, computes the entry deadline and moves the customer's clocks in the same
transaction, so a reclaim sweep never reads a clock the record has already moved."""

import re
import unicodedata
from datetime import datetime
from decimal import Decimal

from constance import config
from django.db import transaction
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.calendar import entry_deadline
from crm.notifications import notify

from ..errors import CustomerError, NotAllowed
from ..models import Customer, CustomerKey, Deal, FollowUp, InquiryCall, Pool, Referral
from ..normalize import normalize_phone
from ..selectors import may_follow_up, may_record_deal
from .completeness import apply_completeness


class RecordError(CustomerError):
    """The record itself is unacceptable (future time, thin content, bad amounts)."""


_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)


def check_content(text: str) -> str:
    """Refuse perfunctory content (词不达意, 敷衍了事; 000 §4.2①c): shorter than the minimum,
    a placeholder such as 无 / 同上, or nothing but punctuation."""
    text = (text or "").strip()
    meaningful = _NOT_CONTENT.sub("", unicodedata.normalize("NFKC", text)).lower()
    placeholders = {
        _NOT_CONTENT.sub("", unicodedata.normalize("NFKC", p)).lower()
        for p in (config.FOLLOWUP_PLACEHOLDERS or "").split(",")
    }
    if not meaningful or meaningful in placeholders:
        raise RecordError(
            _(
                "Describe what happened: placeholder text such as “无” or “同上” is "
                "not a follow-up record."
            )
        )
    if len(text) < config.FOLLOWUP_MIN_LENGTH:
        raise RecordError(
            _(
                "The content is too short: write at least %(n)d characters about "
                "what was discussed and agreed."
            )
            % {"n": config.FOLLOWUP_MIN_LENGTH}
        )
    return text


def _check_time(occurred_at: datetime, now: datetime) -> None:
    if occurred_at > now:
        raise RecordError(_("The time it happened cannot be in the future."))


def _deadline(occurred_at: datetime, now: datetime) -> dict:
    deadline = entry_deadline(occurred_at)
    return {
        "occurred_at": occurred_at,
        "entered_at": now,
        "deadline": deadline,
        "is_late": now > deadline,
    }


def _lock(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk)


def _check_may_follow_up(actor, customer: Customer) -> None:
    """The holder and the managers of the customer's department (SPEC §1, §4). A pooled
    customer is followed only after distribution: doing it earlier is PRIVATE_FOLLOWUP."""
    if may_follow_up(actor, customer):
        return
    if customer.holder_id is None:
        raise NotAllowed(
            _(
                "This customer is in the public pool: it must be assigned to you "
                "before you follow it up."
            )
        )
    raise NotAllowed(_("Only the holder and the department's managers log follow-ups."))


def _move_clock(customer_id: int, field: str, at: datetime) -> None:
    # GREATEST in SQL, on the locked row: a back-dated record never winds a clock backwards.
    Customer.objects.filter(pk=customer_id).update(**{field: Greatest(Coalesce(field, at), at)})


@transaction.atomic
def followup_log(*, actor, customer: Customer, data: dict, now: datetime) -> FollowUp:
    """Log a follow-up. Late entries are accepted and marked (000 §3.1.d–e). Only the
    holder's own follow-ups move `last_followup_at`, the clock of the no-follow-up rule."""
    customer = _lock(customer)
    _check_may_follow_up(actor, customer)
    _check_time(data["occurred_at"], now)
    contact = data.get("contact")
    if contact is not None and contact.customer_id != customer.pk:
        raise RecordError(_("That contact belongs to another customer."))
    fields = {k: v for k, v in data.items() if k != "occurred_at"}
    fields["content"] = check_content(data.get("content", ""))
    by_holder = customer.holder_id == actor.pk
    followup = FollowUp.objects.create(
        customer=customer,
        author=actor,
        by_holder=by_holder,
        **fields,
        **_deadline(data["occurred_at"], now),
    )
    if by_holder:
        _move_clock(customer.pk, "last_followup_at", followup.occurred_at)
    return followup


@transaction.atomic
def followup_amend(*, actor, original: FollowUp, data: dict, now: datetime) -> FollowUp:
    """A correction is a new record pointing at the original, which never changes (002 §5.2:
    nobody edits what another person entered, and nobody edits a follow-up at all)."""
    if original.author_id != actor.pk:
        raise NotAllowed(_("Only the author may correct a follow-up."))
    if original.amends_id:
        original = original.amends
    content = check_content(data.get("content", ""))
    return FollowUp.objects.create(
        customer_id=original.customer_id,
        author=actor,
        kind=original.kind,
        contact=original.contact,
        content=content,
        result=data.get("result", ""),
        next_step=data.get("next_step", ""),
        next_date=data.get("next_date"),
        satisfaction=data.get("satisfaction", original.satisfaction),
        amends=original,
        by_holder=original.by_holder,
        occurred_at=original.occurred_at,
        entered_at=now,
        deadline=original.deadline,
        is_late=False,
    )


def _check_may_record_deal(actor, customer: Customer) -> None:
    if not may_record_deal(actor, customer):
        raise NotAllowed(
            _(
                "Only the holder, the department's managers and its accountants "
                "enter purchase records."
            )
        )


@transaction.atomic
def deal_record(*, actor, customer: Customer, data: dict, now: datetime) -> Deal:
    """Enter a purchase. Sales credit goes to the holder at this moment (SPEC §3); the
    customer's `last_deal_at` and first-deal deadline move with it."""
    customer = _lock(customer)
    _check_may_record_deal(actor, customer)
    _check_time(data["occurred_at"], now)
    quantity, amount = data["quantity"], data["amount"]
    paid = data.get("paid") or Decimal("0")
    if not 0 < quantity <= config.MAX_DEAL_QUANTITY:
        raise RecordError(
            _("The quantity must be more than 0 and at most %(max)s.")
            % {"max": config.MAX_DEAL_QUANTITY}
        )
    if not 0 <= amount <= config.MAX_DEAL_AMOUNT:
        raise RecordError(
            _("The amount must be between 0 and %(max)s yuan.") % {"max": config.MAX_DEAL_AMOUNT}
        )
    if not 0 <= paid <= amount:
        raise RecordError(_("The amount paid must be between 0 and the deal amount."))
    fields = {k: v for k, v in data.items() if k not in ("occurred_at", "paid")}
    deal = Deal(
        customer=customer,
        author=actor,
        credited_to_id=customer.holder_id,
        paid=paid,
        outstanding=amount - paid,
        **fields,
        **_deadline(data["occurred_at"], now),
    )
    deal._history_user, deal._history_date = actor, now
    deal.save()
    first = customer.first_deal_at
    if first is None or deal.occurred_at < first:
        customer.first_deal_at = deal.occurred_at
        apply_completeness(customer)
        Customer.objects.filter(pk=customer.pk).update(
            first_deal_at=customer.first_deal_at,
            is_incomplete=customer.is_incomplete,
            completion_due=customer.completion_due,
        )
    _move_clock(customer.pk, "last_deal_at", deal.occurred_at)
    return deal


@transaction.atomic
def referral_record(*, actor, customer: Customer, data: dict, now: datetime) -> Referral:
    """A referral counts like a deal for the no-deal reclaim rules (SPEC §6)."""
    customer = _lock(customer)
    _check_may_follow_up(actor, customer)
    _check_time(data["occurred_at"], now)
    referral = Referral.objects.create(customer=customer, author=actor, entered_at=now, **data)
    _move_clock(customer.pk, "last_deal_at", referral.occurred_at)
    return referral


class InquiryOutcome:
    NEW = "new"  # nobody registered the number: the caller may register it
    MINE = "mine"
    TAKEN = "taken"  # held by someone else: attached, holder notified, nothing revealed
    POOL = "pool"  # in a pool: attached, the pool's keeper notified

    def __init__(self, status: str, inquiry: InquiryCall, phone: str):
        self.status, self.inquiry, self.phone = status, inquiry, phone


@transaction.atomic
def inquiry_log(
    *, actor, phone: str, caller_name: str, content: str, occurred_at: datetime, now: datetime
) -> InquiryOutcome:
    """Anybody who takes an inquiry call logs it (000 §3.1.b). A number that belongs to a
    customer attaches the log to that customer and tells its holder (or the pool's manager);
    the holder does not change and the logger learns nothing about the customer."""
    _check_time(occurred_at, now)
    number = normalize_phone(phone)
    if not (content or "").strip():
        raise RecordError(_("Write down what the caller asked."))
    key = (
        CustomerKey.objects.filter(kind="phone", value=number)
        .select_related("customer__department__manager")
        .first()
    )
    customer = key.customer if key else None
    inquiry = InquiryCall.objects.create(
        phone=number,
        caller_name=caller_name,
        content=content.strip(),
        customer=customer,
        author=actor,
        occurred_at=occurred_at,
        entered_at=now,
    )
    if customer is None:
        return InquiryOutcome(InquiryOutcome.NEW, inquiry, number)
    if customer.holder_id == actor.pk:
        return InquiryOutcome(InquiryOutcome.MINE, inquiry, number)
    # The holder hears of it; for a pooled customer, whoever keeps the department pool.
    if customer.holder_id:
        recipient, status = customer.holder, InquiryOutcome.TAKEN
        title = _("Inquiry call from your customer %(name)s")
    else:
        in_department_pool = customer.pool == Pool.DEPARTMENT and customer.department_id
        recipient = customer.department.manager if in_department_pool else None
        status, title = InquiryOutcome.POOL, _("Inquiry call from pool customer %(name)s")
    if recipient is not None:
        notify(
            recipient=recipient,
            now=now,
            link=reverse("customers:detail", args=[customer.pk]),
            title=title % {"name": customer.name},
            body=_("Taken by %(who)s: %(content)s")
            % {"who": actor.display_name, "content": inquiry.content},
        )
    return InquiryOutcome(status, inquiry, number)


def inquiries_attach(*, customer: Customer) -> int:
    """After a registration: unmatched calls from the customer's numbers now belong to it."""
    numbers = CustomerKey.objects.filter(customer=customer, kind="phone").values("value")
    return InquiryCall.objects.filter(customer__isnull=True, phone__in=numbers).update(
        customer=customer
    )
