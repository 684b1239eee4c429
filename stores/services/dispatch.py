"""派单 (004 五 派单制度; SPEC §12): the customer manager proposes a designer from the ranking
the system shows (kept with the dispatch), the store manager confirms — signing the 顾客咨询登记表
— or, while the store manager is away, the GM authorises it and the store manager countersigns
later (补签). The designer may refuse before any plan or deposit (stopped for a month); the
order then follows plan, deposit and signing. One live dispatch per customer (the database
decides)."""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.errors import RuleError
from crm.models import Department, Staff, User
from crm.notifications import notify
from crm.rights import is_general_manager
from customers.errors import NotAllowed
from customers.selectors import customers_visible_to
from customers.services.records import customer_lock

from ..models import Dispatch, ManagerAway, Visit
from ..models.people import DesignStyle, Occupation
from ..rights import (
    is_store_manager,
    may_propose_dispatch,
    may_record_manager_away,
    may_work_dispatch,
)
from ..selectors.dispatch import (
    LIVE,
    dispatch_ranking,
    gm_may_authorise,
    is_big_order,
    manager_away_at,
)

S = Dispatch.Status
STEPS = ("plan", "deposit", "signed", "closed")
AWAY_SPAN = timedelta(days=366)


class DispatchError(RuleError):
    """The dispatch cannot be proposed, decided or recorded as asked."""


def _link(dispatch: Dispatch) -> str:
    return reverse("stores:dispatch_detail", args=[dispatch.pk])


def _lock(dispatch: Dispatch) -> Dispatch:
    return Dispatch.objects.select_for_update().select_related("store").get(pk=dispatch.pk)


def _general_managers():
    return User.objects.filter(is_active=True, staff__role=Staff.Role.GENERAL_MANAGER).exclude(
        staff__status=Staff.Status.LEFT
    )


@transaction.atomic
def dispatch_propose(
    *,
    actor,
    store,
    customer,
    designer,
    reason: str,
    now: datetime,
    visit=None,
    style: str = "",
    occupation: str = "",
    budget=None,
    is_off_plan: bool | None = None,
) -> Dispatch:
    """The customer manager (or the store's manager) proposes `designer` for `customer`; the
    ranking at `now` is kept. Anyone but the first eligible designer needs a reason."""
    if getattr(store, "kind", None) != Department.Kind.STORE:
        raise DispatchError(_("Dispatches are made in a store."))
    if not may_propose_dispatch(actor, store):
        raise NotAllowed(
            _("Only the store's customer managers and its manager propose a dispatch.")
        )
    customer = customer_lock(customer)
    if not customers_visible_to(actor).filter(pk=customer.pk).exists():
        raise NotAllowed(_("You cannot see this customer."))
    if visit is not None:
        if visit.store_id != store.pk:
            raise DispatchError(_("This visit was registered in another store."))
        if visit.customer_id not in (None, customer.pk):
            raise DispatchError(_("This visit is of another customer."))
    if (
        customer.department_id != store.pk
        and not Visit.objects.filter(store=store, customer=customer).exists()
    ):
        raise DispatchError(_("This customer is neither the store's nor has visited it."))
    if visit is not None:
        if budget is None:
            budget = visit.budget
        if is_off_plan is None:
            is_off_plan = visit.is_off_plan
        style = style or visit.preferred_style
        occupation = occupation or visit.occupation
    if style and style not in DesignStyle.values:
        raise DispatchError(_("Unknown style."))
    if occupation and occupation not in Occupation.values:
        raise DispatchError(_("Unknown customer type."))
    if budget not in (None, ""):
        try:
            budget = Decimal(budget)
        except (InvalidOperation, TypeError, ValueError):
            raise DispatchError(_("Give the budget in yuan.")) from None
        if not budget.is_finite() or budget < 0:
            raise DispatchError(_("Give the budget in yuan."))
    big = is_big_order(budget)
    is_off_plan = bool(is_off_plan)
    if Dispatch.objects.filter(customer=customer, status__in=LIVE).exists():
        raise DispatchError(
            _(
                "This customer already has a dispatch waiting or confirmed; it must be closed, "
                "refused or not confirmed first."
            )
        )
    ranking = dispatch_ranking(
        store=store,
        as_of=now,
        is_big_order=big,
        is_off_plan=is_off_plan,
        style=style,
        occupation=occupation,
    )
    row = next((r for r in ranking if r.designer.pk == getattr(designer, "pk", None)), None)
    if row is None:
        raise DispatchError(_("Choose a designer of this store."))
    if row.place is None:
        raise DispatchError(
            _("%(name)s cannot be dispatched now: %(reasons)s.")
            % {"name": row.name, "reasons": "; ".join(r.label for r in row.reasons)}
        )
    reason = (reason or "").strip()
    if row.place != 1 and not reason:
        first = ranking[0]
        raise DispatchError(
            _("%(first)s comes first in the ranking: say why you propose %(name)s instead.")
            % {"first": first.name, "name": row.name}
        )
    try:
        with transaction.atomic():
            dispatch = Dispatch.objects.create(
                store=store,
                customer=customer,
                visit=visit,
                designer=designer,
                status=S.PROPOSED,
                is_big_order=big,
                is_off_plan=is_off_plan,
                ranking=[r.as_json() for r in ranking],
                reason=reason[:500],
                proposed_by=actor,
                proposed_at=now,
            )
    except IntegrityError:
        raise DispatchError(
            _("This customer already has a dispatch waiting or confirmed.")
        ) from None
    title = _("Dispatch to confirm: %(customer)s → %(designer)s") % {
        "customer": customer.name,
        "designer": row.name,
    }
    recipients = []
    if store.manager_id:
        recipients.append(store.manager)
    if gm_may_authorise(store, now):
        recipients.extend(_general_managers())
    for person in {p.pk: p for p in recipients}.values():
        notify(recipient=person, title=title, link=_link(dispatch), now=now)
    return dispatch


def _decider(actor, store, now) -> str:
    """How `actor` may decide a proposal now: as the store manager, or as the GM while the
    store manager is away (004 五 派单制度 2)."""
    if is_store_manager(actor, store):
        return Dispatch.ConfirmedAs.STORE_MANAGER
    if is_general_manager(actor):
        if gm_may_authorise(store, now):
            return Dispatch.ConfirmedAs.GM_AUTHORISED
        raise DispatchError(
            _(
                "The store manager is at work: they confirm this dispatch. The general manager "
                "authorises only while the store manager is away."
            )
        )
    raise NotAllowed(
        _("Only the store manager (or the general manager while they are away) decides a dispatch.")
    )


@transaction.atomic
def dispatch_confirm(*, actor, dispatch: Dispatch, note: str = "", now: datetime) -> Dispatch:
    dispatch = _lock(dispatch)
    role = _decider(actor, dispatch.store, now)
    if dispatch.status != S.PROPOSED:
        raise DispatchError(_("Only a proposed dispatch can be confirmed."))
    dispatch.status = S.CONFIRMED
    dispatch.decided_by, dispatch.decided_at = actor, now
    dispatch.confirmed_as = role
    dispatch.decision_note = (note or "").strip()[:500]
    if role == Dispatch.ConfirmedAs.STORE_MANAGER:
        dispatch.manager_signed_by, dispatch.manager_signed_at = actor, now
    dispatch.save()
    title = _("Dispatch confirmed: %(customer)s → %(designer)s") % {
        "customer": dispatch.customer.name,
        "designer": dispatch.designer.display_name,
    }
    recipients = {
        dispatch.designer_id: dispatch.designer,
        dispatch.proposed_by_id: dispatch.proposed_by,
    }
    for person in recipients.values():
        notify(recipient=person, title=title, link=_link(dispatch), now=now)
    return dispatch


@transaction.atomic
def dispatch_reject(*, actor, dispatch: Dispatch, note: str, now: datetime) -> Dispatch:
    dispatch = _lock(dispatch)
    _decider(actor, dispatch.store, now)
    if dispatch.status != S.PROPOSED:
        raise DispatchError(_("Only a proposed dispatch can be turned down."))
    note = (note or "").strip()
    if not note:
        raise DispatchError(_("Say why the dispatch is not confirmed."))
    dispatch.status = S.REJECTED
    dispatch.decided_by, dispatch.decided_at = actor, now
    dispatch.decision_note = note[:500]
    dispatch.save()
    notify(
        recipient=dispatch.proposed_by,
        title=_("Dispatch not confirmed: %(customer)s") % {"customer": dispatch.customer.name},
        body=note,
        link=_link(dispatch),
        now=now,
    )
    return dispatch


@transaction.atomic
def dispatch_countersign(*, actor, dispatch: Dispatch, now: datetime) -> Dispatch:
    """补签: the store manager signs the consultation form of a GM-authorised dispatch."""
    dispatch = _lock(dispatch)
    if not is_store_manager(actor, dispatch.store):
        raise NotAllowed(_("Only the store manager countersigns the consultation form."))
    if dispatch.manager_signed_at is not None:
        raise DispatchError(_("The consultation form is already signed."))
    if dispatch.confirmed_as != Dispatch.ConfirmedAs.GM_AUTHORISED or dispatch.status in (
        S.PROPOSED,
        S.REJECTED,
    ):
        raise DispatchError(
            _("Only a dispatch the general manager authorised is countersigned later.")
        )
    dispatch.manager_signed_by, dispatch.manager_signed_at = actor, now
    dispatch.is_countersigned_later = True
    dispatch.save()
    return dispatch


@transaction.atomic
def dispatch_refuse(*, actor, dispatch: Dispatch, reason: str, now: datetime) -> Dispatch:
    """拒单: the designer refuses (or a customer manager/manager records it for them) before
    any plan or deposit; the designer gets no dispatch for DISPATCH_REFUSAL_STOP_MONTHS."""
    dispatch = _lock(dispatch)
    store = dispatch.store
    if not may_work_dispatch(actor, dispatch):
        raise NotAllowed(
            _("Only the designer, the store's customer managers and its manager record a refusal.")
        )
    if dispatch.status not in LIVE:
        raise DispatchError(_("Only a proposed or confirmed dispatch can be refused."))
    if dispatch.plan_at is not None or dispatch.deposit_at is not None:
        raise DispatchError(
            _("A plan or a deposit is already recorded: it can no longer be refused.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise DispatchError(_("Say why the designer refuses."))
    dispatch.status = S.REFUSED
    dispatch.refused_at = now
    dispatch.refusal_reason = reason[:500]
    dispatch.save()
    title = _("Dispatch refused: %(customer)s by %(designer)s") % {
        "customer": dispatch.customer.name,
        "designer": dispatch.designer.display_name,
    }
    recipients = {dispatch.proposed_by_id: dispatch.proposed_by}
    if store.manager_id:
        recipients[store.manager_id] = store.manager
    recipients.pop(actor.pk, None)
    for person in recipients.values():
        notify(recipient=person, title=title, body=reason, link=_link(dispatch), now=now)
    return dispatch


@transaction.atomic
def dispatch_progress(
    *, actor, dispatch: Dispatch, step: str, at: datetime, amount=None, now: datetime
) -> Dispatch:
    """The order's progress: plan presented, deposit received, signed (with the amount) — each
    once — or closed (the end of the dispatch)."""
    dispatch = _lock(dispatch)
    if not may_work_dispatch(actor, dispatch):
        raise NotAllowed(
            _(
                "Only the designer, the store's customer managers and its manager "
                "record the order's progress."
            )
        )
    if dispatch.status != S.CONFIRMED:
        raise DispatchError(_("Progress is recorded on a confirmed dispatch only."))
    if step not in STEPS:
        raise DispatchError(_("Unknown step."))
    if at is None:
        raise DispatchError(_("Give the time."))
    if at > now:
        raise DispatchError(_("The time cannot be in the future."))
    if at < dispatch.proposed_at:
        raise DispatchError(_("The time cannot be before the dispatch."))
    if step == "closed":
        dispatch.status = S.CLOSED
        dispatch.closed_at = at
    else:
        field = f"{step}_at"
        if getattr(dispatch, field) is not None:
            raise DispatchError(_("This step is already recorded."))
        if step == "signed":
            try:
                amount = Decimal(amount) if amount not in (None, "") else None
            except (InvalidOperation, TypeError, ValueError):
                amount = None
            if amount is None or not amount.is_finite() or amount <= 0:
                raise DispatchError(_("Give the signed amount (more than zero)."))
            if amount >= Decimal("1e12"):
                raise DispatchError(_("The signed amount is too large."))
            dispatch.signed_amount = amount.quantize(Decimal("0.01"))
        setattr(dispatch, field, at)
    dispatch.save()
    return dispatch


@transaction.atomic
def manager_away_record(
    *, actor, store, starts_at: datetime, ends_at: datetime, reason: str, now: datetime
) -> ManagerAway:
    """店经理休假、外出开会: while it covers the moment, the GM authorises dispatches."""
    if not may_record_manager_away(actor, store):
        raise NotAllowed(_("Only the store manager and the general manager record an absence."))
    if starts_at is None or ends_at is None:
        raise DispatchError(_("Give the start and the end."))
    if ends_at <= starts_at:
        raise DispatchError(_("The absence must end after it starts."))
    if abs(starts_at - now) > AWAY_SPAN or abs(ends_at - now) > AWAY_SPAN:
        raise DispatchError(_("An absence is recorded within a year of today."))
    reason = (reason or "").strip()
    if not reason:
        raise DispatchError(_("Say why the store manager is away."))
    return ManagerAway.objects.create(
        store=store,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason[:200],
        recorded_by=actor,
        recorded_at=now,
    )


__all__ = [
    "DispatchError",
    "dispatch_confirm",
    "dispatch_countersign",
    "dispatch_progress",
    "dispatch_propose",
    "dispatch_refuse",
    "dispatch_reject",
    "manager_away_at",
    "manager_away_record",
]
