"""Follow-ups, deals, referrals and inquiry calls (SPEC §2–4). Each write locks the customer,
checks who may write, computes the entry deadline and moves the customer's clocks in the same
transaction, so a reclaim sweep never reads a clock the record has already moved."""

import re
import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal

from constance import config
from django.db import transaction
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.calendar import entry_deadline
from crm.errors import RuleError
from crm.notifications import notify
from crm.validators import happened_problem

from ..errors import NotAllowed
from ..models import (
    Customer,
    CustomerKey,
    Deal,
    FollowUp,
    InquiryCall,
    OwnershipEvent,
    Pool,
    Referral,
    VisitPhoto,
)
from ..normalize import normalize_phone
from ..rights import may_confirm_records, may_follow_up, may_record_deal
from .completeness import apply_completeness


class RecordError(RuleError):
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
    """Not in the future, not before 2000: the bounds every form shares (crm/validators.py)."""
    problem = happened_problem(occurred_at, now=now)
    if problem:
        raise RecordError(problem)


def _deadline(occurred_at: datetime, now: datetime) -> dict:
    deadline = entry_deadline(occurred_at)
    return {
        "occurred_at": occurred_at,
        "entered_at": now,
        "deadline": deadline,
        "is_late": now > deadline,
    }


def customer_lock(customer: Customer) -> Customer:
    """The customer's row, locked for the transaction: every service that writes a record about
    a customer takes it first (the same lock order everywhere), so a reclaim sweep, a sale and
    a follow-up on one customer never interleave and the holder read is the one written."""
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
    customer = customer_lock(customer)
    _check_may_follow_up(actor, customer)
    _check_time(data["occurred_at"], now)
    contact = data.get("contact")
    if contact is not None and contact.customer_id != customer.pk:
        raise RecordError(_("That contact belongs to another customer."))
    checkin, photos = data.get("checkin"), list(data.get("photos") or [])
    fields = {k: v for k, v in data.items() if k not in ("occurred_at", "checkin", "photos")}
    fields = {k: v for k, v in fields.items() if not k.startswith("checkin_")}
    fields["content"] = check_content(data.get("content", ""))
    if checkin or photos:
        fields.update(_checkin_fields(fields.get("kind"), checkin, photos, now=now))
    by_holder = customer.holder_id == actor.pk
    followup = FollowUp.objects.create(
        customer=customer,
        author=actor,
        by_holder=by_holder,
        **fields,
        **_deadline(data["occurred_at"], now),
    )
    visit_photos_store(followup=followup, files=photos, now=now)
    if by_holder:
        _move_clock(customer.pk, "last_followup_at", followup.occurred_at)
    return followup


# 外勤签到 (000 §4.2①c fines fake visit records): a home visit may carry the browser's position
# fix and photos. The fix must be fresh: taken at most CHECKIN_MAX_AGE before the entry, and not
# after it (beyond a little clock drift between phone and server).
CHECKIN_MAX_AGE = timedelta(hours=12)
CHECKIN_CLOCK_DRIFT = timedelta(minutes=5)
_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


def photo_content_type(upload) -> str:
    """The photo's real type from its first bytes (the browser's claim is not trusted); refuses
    anything but JPEG, PNG or WebP, empty files and files over VisitPhoto.MAX_BYTES."""
    if upload.size is None or upload.size == 0:
        raise RecordError(_("The photo %(name)s is empty.") % {"name": upload.name})
    if upload.size > VisitPhoto.MAX_BYTES:
        raise RecordError(
            _("The photo %(name)s is too large: at most %(mb)d MB per photo.")
            % {"name": upload.name, "mb": VisitPhoto.MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    raise RecordError(
        _("%(name)s is not a photo: only JPEG, PNG or WebP images are accepted.")
        % {"name": upload.name}
    )


def _checkin_fields(kind, checkin, photos, *, now: datetime) -> dict:
    """Check the position fix and the photos of a visit; the FollowUp fields of the fix."""
    if kind != FollowUp.Kind.HOME_VISIT:
        raise RecordError(_("Only a home visit can carry a check-in or photos."))
    if len(photos) > VisitPhoto.MAX_COUNT:
        raise RecordError(
            _("At most %(count)d photos per visit.") % {"count": VisitPhoto.MAX_COUNT}
        )
    for upload in photos:
        photo_content_type(upload)
    if not checkin:
        return {}
    if checkin["at"] > now + CHECKIN_CLOCK_DRIFT or checkin["at"] < now - CHECKIN_MAX_AGE:
        raise RecordError(
            _(
                "The check-in position was not taken just now. Press “Check in” again at "
                "the customer's site."
            )
        )
    return {
        "checkin_latitude": checkin["latitude"],
        "checkin_longitude": checkin["longitude"],
        "checkin_accuracy": checkin["accuracy"],
        "checkin_at": checkin["at"],
    }


def visit_photos_store(*, followup: FollowUp, files, now: datetime) -> list[VisitPhoto]:
    """Store checked photos under MEDIA_ROOT with unguessable names (`visit_photo_path`)."""
    stored = []
    for upload in files:
        photo = VisitPhoto(
            followup=followup,
            content_type=photo_content_type(upload),
            size=upload.size,
            uploaded_at=now,
        )
        photo.file.save(upload.name, upload, save=False)
        photo.save()
        stored.append(photo)
    # The files are written before the transaction commits: checked first, stored last, so
    # only a crash in the few statements after this could leave a file without its row.
    return stored


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


# Higher apps hear of every purchase record inside its transaction (sales writes the credit
# row every sales figure reads). Registered in their AppConfig.ready; customers names none.
_DEAL_HOOKS: list = []


def register_deal_hook(hook) -> None:
    """`hook(deal=Deal, now=datetime)`, called after the deal is saved, in its transaction."""
    if hook not in _DEAL_HOOKS:
        _DEAL_HOOKS.append(hook)


def _check_may_record_deal(actor, customer: Customer) -> None:
    if not may_record_deal(actor, customer):
        raise NotAllowed(
            _(
                "Only the holder, the department's managers and its accountants "
                "enter purchase records."
            )
        )


def holder_at(customer_id: int, at: datetime) -> int | None:
    """Who held the customer at `at`, read from the ownership events (SPEC §3): the latest
    event at or before that moment says where the customer went. None: a pool, or not yet
    registered."""
    event = (
        OwnershipEvent.objects.filter(customer_id=customer_id, at__lte=at)
        .order_by("-at", "-id")
        .values("to_holder_id")
        .first()
    )
    return event["to_holder_id"] if event else None


def deal_restarts_clock(deal: Deal) -> bool:
    """A deal restarts the no-deal clock only with a positive amount, or — a gift or points
    record — once a manager confirmed it (SPEC §6). A 0-yuan "deal" typed to keep a customer
    keeps nothing."""
    return deal.amount > 0 or deal.confirmed_at is not None


@transaction.atomic
def deal_record(
    *, actor, customer: Customer, data: dict, now: datetime, credit_to=None, checked=False
) -> Deal:
    """Enter a purchase. Sales credit goes to whoever held the customer when the deal happened
    (from the ownership events: a reclaim or swap before the next morning's entry does not move
    it); a deal made while the customer sat in a pool is credited to nobody and listed for the
    manager (SPEC §3). Only a qualifying deal moves `last_deal_at`.

    `credit_to` and `checked` are for a higher app's approved workflow only (a cross-sale,
    000 §3.2.e: the seller gets the sale although someone else held the customer then, and
    the approving manager's right was checked by that workflow); forms never pass them."""
    customer = customer_lock(customer)
    if not checked:
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
        credited_to_id=(
            credit_to.pk if credit_to is not None else holder_at(customer.pk, data["occurred_at"])
        ),
        paid=paid,
        outstanding=amount - paid,
        **fields,
        **_deadline(data["occurred_at"], now),
    )
    deal._history_user, deal._history_date = actor, now
    deal.save()
    _first_deal(customer, deal.occurred_at)
    if deal_restarts_clock(deal):
        _move_clock(customer.pk, "last_deal_at", deal.occurred_at)
    for hook in _DEAL_HOOKS:
        hook(deal=deal, now=now)
    return deal


def _first_deal(customer: Customer, at: datetime) -> None:
    """The first deal starts the two months for the ten basic fields (000 §3.1.f)."""
    first = customer.first_deal_at
    if first is None or at < first:
        customer.first_deal_at = at
        apply_completeness(customer)
        Customer.objects.filter(pk=customer.pk).update(
            first_deal_at=customer.first_deal_at,
            is_incomplete=customer.is_incomplete,
            completion_due=customer.completion_due,
        )


@transaction.atomic
def sale_clocks_move(*, customer: Customer, occurred_at: datetime) -> None:
    """A sale recorded by a higher app (a signed contract, SPEC §10) is a deal on its date: it
    restarts the no-deal clock (SPEC §6) and may be the first deal (000 §3.1.f). Locks the
    customer like every record here, so a reclaim sweep never reads a stale clock."""
    customer = customer_lock(customer)
    _first_deal(customer, occurred_at)
    _move_clock(customer.pk, "last_deal_at", occurred_at)


@transaction.atomic
def deal_confirm(*, actor, deal: Deal, now: datetime) -> Deal:
    """A manager confirms a gift or points record (a deal without a positive amount); from now
    on it counts for the no-deal rules like a sale on its date (SPEC §6)."""
    customer = customer_lock(deal.customer)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if not may_confirm_records(actor, customer):
        raise NotAllowed(_("Only the department's managers confirm gift or points records."))
    if deal.amount > 0:
        raise RecordError(_("A sale with an amount needs no confirmation."))
    if not (deal.gifts or deal.points):
        raise RecordError(_("Only a record of gifts or points is confirmed."))
    if deal.confirmed_at is not None:
        raise RecordError(_("This record was already confirmed."))
    deal.confirmed_by, deal.confirmed_at = actor, now
    deal._history_user, deal._history_date = actor, now
    deal.save()
    _move_clock(customer.pk, "last_deal_at", deal.occurred_at)
    return deal


def _referral_counts(referral: Referral) -> bool:
    """A referral counts once the referred customer is registered (no earlier than
    REFERRAL_REGISTRATION_DAYS before the referral — naming an old customer proves nothing)
    or a manager verified it (SPEC §6)."""
    if referral.verified_at is not None:
        return True
    referred = referral.referred
    if referred is None or referred.pk == referral.customer_id:
        return False
    earliest = referral.occurred_at - timedelta(days=config.REFERRAL_REGISTRATION_DAYS)
    return referred.registered_at >= earliest


@transaction.atomic
def referral_record(*, actor, customer: Customer, data: dict, now: datetime) -> Referral:
    """Record a referral. It keeps the customer for the no-deal rules only once it is proven:
    the referred customer's number is registered (now or later, see `referrals_link`) or a
    manager verified it (`referral_verify`)."""
    customer = customer_lock(customer)
    _check_may_follow_up(actor, customer)
    _check_time(data["occurred_at"], now)
    data = dict(data)
    raw_phone = data.pop("referred_phone", "") or ""
    phone = normalize_phone(raw_phone) if raw_phone.strip() else ""
    referred = None
    if phone:
        key = CustomerKey.objects.filter(kind="phone", value=phone).first()
        referred = key.customer if key else None
    if referred is not None and referred.pk == customer.pk:
        raise RecordError(_("A customer cannot refer itself."))
    referral = Referral.objects.create(
        customer=customer,
        author=actor,
        entered_at=now,
        referred=referred,
        referred_phone=phone,
        **data,
    )
    if _referral_counts(referral):
        _move_clock(customer.pk, "last_deal_at", referral.occurred_at)
    return referral


@transaction.atomic
def referral_verify(*, actor, referral: Referral, now: datetime) -> Referral:
    """A manager verifies a referral that no registration proves yet."""
    customer = customer_lock(referral.customer)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not may_confirm_records(actor, customer):
        raise NotAllowed(_("Only the department's managers verify referrals."))
    if referral.verified_at is not None:
        raise RecordError(_("This referral was already verified."))
    referral.verified_by, referral.verified_at = actor, now
    referral.save(update_fields=["verified_by", "verified_at"])
    _move_clock(customer.pk, "last_deal_at", referral.occurred_at)
    return referral


def referrals_link(*, customer: Customer) -> int:
    """After a registration: referrals that named one of the new customer's numbers now point
    at it, and each referrer's no-deal clock moves to its referral's date."""
    numbers = list(
        CustomerKey.objects.filter(customer=customer, kind="phone").values_list("value", flat=True)
    )
    if not numbers:
        return 0
    linked = 0
    waiting = Referral.objects.filter(referred__isnull=True, referred_phone__in=numbers).exclude(
        customer=customer
    )
    for referral in waiting.select_for_update():
        referral.referred = customer
        referral.save(update_fields=["referred"])
        if _referral_counts(referral):
            _move_clock(referral.customer_id, "last_deal_at", referral.occurred_at)
        linked += 1
    return linked


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
        .select_related("customer__department__manager", "customer__holder")
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
