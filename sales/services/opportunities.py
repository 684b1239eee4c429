"""Writes of 销售机会 (SPEC §10; 002 §6): open an opportunity on a customer, move it through
its stages (初步接洽 → 需求确认 → 方案报价 → 商务谈判 → 赢单 / 输单), log its 一般行动.

- The owner is the customer's holder, read through the customer: nothing to move when the
  customer moves. An opportunity is opened only on a held customer.
- Every move, the opening included, writes a `StageChange` row in the same transaction.
- 赢单 and 输单 close the opportunity (`closed_at`); 输单 needs a reason. A closed opportunity
  never moves again, nor takes actions: a deal that comes back is a new opportunity, so the
  funnel counts each win or loss once and the history is never rewritten.
- Open stages may move forwards or back (a proposal sent back to needs is a real event).
- An action is a follow-up (customers' `followup_log`: same rights, content and deadline
  rules) linked to the opportunity; it happened on or after the day the opportunity was opened.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.calendar import SHANGHAI, day_start
from crm.errors import RuleError
from customers.models import Customer
from customers.services import followup_log
from customers.services.records import customer_lock

from ..models import CLOSED_STAGES, Opportunity, OpportunityAction, Stage, StageChange
from ..rights import may_work_opportunity
from ..selectors.summaries import funnel_month
from .summaries import funnel_add

MAX_AMOUNT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


class OpportunityError(RuleError):
    """An opportunity write the rules refuse."""


def _check_may_work(actor, customer: Customer) -> None:
    if not may_work_opportunity(actor, customer):
        raise OpportunityError(
            _("Only the customer's holder and the department's managers work its opportunities.")
        )


def _clean_data(data: dict, *, now: datetime) -> dict:
    product = (data.get("product") or "").strip()
    if not product:
        raise OpportunityError(_("Name the product or service."))
    if len(product) > 200:
        raise OpportunityError(_("The product or service is too long: at most 200 characters."))
    try:
        amount = Decimal(str(data.get("expected_amount"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise OpportunityError(_("Give the expected amount in yuan.")) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise OpportunityError(_("The expected amount must be between 0 and 999,999,999,999.99."))
    close = data.get("expected_close")
    if close is None:
        raise OpportunityError(_("Give the expected close date."))
    if close < timezone.localtime(now, SHANGHAI).date():
        raise OpportunityError(_("The expected close date is in the past."))
    return {"product": product, "expected_amount": amount, "expected_close": close}


@transaction.atomic
def opportunity_create(*, actor, customer: Customer, data: dict, now: datetime) -> Opportunity:
    """Open an opportunity at 初步接洽 on a held customer (the holder or a department manager)."""
    # Locked so the holder read here is the holder when the row is written.
    customer = customer_lock(customer)
    _check_may_work(actor, customer)
    if customer.holder_id is None:
        raise OpportunityError(
            _("This customer is in a pool: an opportunity needs a holder to own it.")
        )
    fields = _clean_data(data, now=now)
    opportunity = Opportunity.objects.create(
        customer=customer,
        stage=Stage.CONTACT,
        created_by=actor,
        created_at=now,
        stage_changed_at=now,
        **fields,
    )
    StageChange.objects.create(
        opportunity=opportunity, from_stage="", to_stage=Stage.CONTACT, actor=actor, at=now
    )
    # The funnel's summary follows, in this transaction (sales/models/summaries.py).
    funnel_add(customer.pk, [(Stage.CONTACT, _month(opportunity), 1, opportunity.expected_amount)])
    return opportunity


def _month(opportunity: Opportunity):
    return funnel_month(expected_close=opportunity.expected_close, closed_at=opportunity.closed_at)


def _lock(opportunity: Opportunity) -> Opportunity:
    return Opportunity.objects.select_for_update().select_related("customer").get(pk=opportunity.pk)


def _check_open(opportunity: Opportunity) -> None:
    if not opportunity.is_open:
        raise OpportunityError(
            _("This opportunity is closed (won or lost): open a new one if the deal comes back.")
        )


@transaction.atomic
def opportunity_move(
    *, actor, opportunity: Opportunity, stage: str, reason: str = "", now: datetime
) -> Opportunity:
    """Move an open opportunity to `stage`; won or lost close it, lost with a reason."""
    opportunity = _lock(opportunity)
    _check_may_work(actor, opportunity.customer)
    _check_open(opportunity)
    if stage not in Stage.values:
        raise OpportunityError(_("Choose a stage."))
    if stage == opportunity.stage:
        raise OpportunityError(_("The opportunity is already at this stage."))
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise OpportunityError(_("The reason is too long: at most 300 characters."))
    if stage == Stage.LOST and not reason:
        raise OpportunityError(_("Say why the opportunity was lost."))
    previous, counted = opportunity.stage, _month(opportunity)
    opportunity.stage = stage
    opportunity.stage_changed_at = now
    if stage in CLOSED_STAGES:
        opportunity.closed_at = now
    if stage == Stage.LOST:
        opportunity.lost_reason = reason
    opportunity.save(update_fields=["stage", "stage_changed_at", "closed_at", "lost_reason"])
    StageChange.objects.create(
        opportunity=opportunity,
        from_stage=previous,
        to_stage=stage,
        reason=reason,
        actor=actor,
        at=now,
    )
    amount = opportunity.expected_amount
    funnel_add(
        opportunity.customer_id,
        [(previous, counted, -1, -amount), (stage, _month(opportunity), 1, amount)],
    )
    return opportunity


@transaction.atomic
def opportunity_action_log(
    *, actor, opportunity: Opportunity, data: dict, now: datetime
) -> OpportunityAction:
    """Log a 一般行动: a follow-up of the customer (customers' rules) linked to this open
    opportunity."""
    opportunity = _lock(opportunity)
    _check_may_work(actor, opportunity.customer)
    _check_open(opportunity)
    occurred_at = data.get("occurred_at")
    opened_on = timezone.localtime(opportunity.created_at, SHANGHAI).date()
    if occurred_at is not None and occurred_at < day_start(opened_on):
        raise OpportunityError(
            _("The action happened before the opportunity was opened (%(date)s).")
            % {"date": opened_on.isoformat()}
        )
    followup = followup_log(actor=actor, customer=opportunity.customer, data=data, now=now)
    return OpportunityAction.objects.create(
        opportunity=opportunity, followup=followup, occurred_at=followup.occurred_at
    )
