"""Revisit plans (回访计划, SPEC §11; 002 第二章 1.1, 004 追访流程).

Generated from events: a purchase record or a signed contract → 售后 revisits 6 and 12 months
after the sale; a project stage (deposit, material/concealed-works acceptance, mid and final
inspection) → a stage revisit REVISIT_AFTER_STAGE_DAYS later; a manager's 年度 campaign → one
yearly revisit per held customer; 定期/实时 by hand. 首谈三次回访: an unreachable first inquiry
call makes the next attempt due, until three attempts were made within 2 days of the first.

Doing a plan logs a follow-up (customers.services.records.followup_log) and links it."""

from datetime import date, datetime, timedelta

from constance import config
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import RuleError
from customers.errors import NotAllowed
from customers.models import Customer, FollowUp
from customers.selectors import VALID
from customers.services.records import customer_lock, followup_log

from ..models.revisits import STAGE_KINDS, ProjectStageEvent, RevisitPlan
from ..rights import may_generate_yearly_revisits, may_work_revisit

AFTER_SALE_MONTHS = (6, 12)  # 售后跟踪回访(每六个月一次): the first year's two
MIN_ATTEMPTS = 3  # 首谈三次回访
ATTEMPT_WINDOW = timedelta(days=2)  # all three within 2 days of the first
ATTEMPT_GAP = timedelta(days=1)  # each next one due at most a day after the previous
MANUAL_KINDS = (RevisitPlan.Kind.REGULAR, RevisitPlan.Kind.REALTIME)


class RevisitError(RuleError):
    """The revisit cannot be planned or recorded as asked."""


def _local_date(at: datetime) -> date:
    return timezone.localtime(at).date()


def _check_may_work(actor, customer) -> None:
    if not may_work_revisit(actor, customer):
        raise NotAllowed(_("Only the holder and the department's managers plan revisits."))


def after_sale_plans(*, customer_id: int, sold_on: date, now: datetime, deal=None, contract=None):
    """售后 revisits 6 and 12 months after a sale (31 August + 6 months is the last day of
    February). A deal and a contract of the same sale on the same day make one set."""
    plans = [
        RevisitPlan(
            customer_id=customer_id,
            kind=RevisitPlan.Kind.AFTER_SALE,
            due_on=sold_on + relativedelta(months=months),
            deal=deal,
            contract=contract,
            created_at=now,
        )
        for months in AFTER_SALE_MONTHS
    ]
    RevisitPlan.objects.bulk_create(plans, ignore_conflicts=True)


def on_deal(*, deal, now: datetime) -> None:
    """Deal hook (customers.services.records.register_deal_hook): a purchase with an amount."""
    if deal.amount > 0:
        after_sale_plans(
            customer_id=deal.customer_id, sold_on=_local_date(deal.occurred_at), now=now, deal=deal
        )


def on_contract_signed(*, contract, now: datetime) -> None:
    """Signing hook (sales.services.contracts.register_contract_signed_hook): a positive total
    is a sale (a reduction amendment is not)."""
    if contract.total > 0:
        after_sale_plans(
            customer_id=contract.customer_id,
            sold_on=_local_date(contract.signed_at),
            now=now,
            contract=contract,
        )


@transaction.atomic
def stage_event_record(
    *, actor, customer: Customer, stage: str, occurred_on: date, now: datetime
) -> ProjectStageEvent:
    """A project stage reached; its revisit is due REVISIT_AFTER_STAGE_DAYS after it."""
    customer = customer_lock(customer)
    _check_may_work(actor, customer)
    if stage not in STAGE_KINDS:
        raise RevisitError(_("Unknown project stage."))
    if occurred_on > _local_date(now):
        raise RevisitError(_("A project stage cannot be reached in the future."))
    event = ProjectStageEvent.objects.create(
        customer=customer, stage=stage, occurred_on=occurred_on, by=actor, created_at=now
    )
    RevisitPlan.objects.bulk_create(
        [
            RevisitPlan(
                customer=customer,
                kind=STAGE_KINDS[stage],
                due_on=occurred_on + timedelta(days=config.REVISIT_AFTER_STAGE_DAYS),
                stage_event=event,
                created_by=actor,
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    return event


@transaction.atomic
def revisit_plan_create(
    *, actor, customer: Customer, kind: str, due_on: date, note: str, now: datetime
) -> RevisitPlan:
    """定期 or 实时 revisit planned by hand (today or later)."""
    customer = customer_lock(customer)
    _check_may_work(actor, customer)
    if kind not in MANUAL_KINDS:
        raise RevisitError(_("Only regular and real-time revisits are planned by hand."))
    if due_on < _local_date(now):
        raise RevisitError(_("A revisit cannot be planned in the past."))
    if (
        kind != RevisitPlan.Kind.REALTIME
        and RevisitPlan.objects.filter(customer=customer, kind=kind, due_on=due_on).exists()
    ):
        raise RevisitError(_("This customer already has such a revisit that day."))
    return RevisitPlan.objects.create(
        customer=customer, kind=kind, due_on=due_on, note=note, created_by=actor, created_at=now
    )


def yearly_revisits_generate(*, actor, department_ids, due_on: date, now: datetime) -> int:
    """年度回访: one yearly revisit in `due_on`'s year for every valid held customer of the
    given departments (those the actor manages) that has none that year. Returns how many."""
    if not may_generate_yearly_revisits(actor):
        raise NotAllowed(_("Yearly revisits are generated by the department's managers."))
    if due_on < _local_date(now):
        raise RevisitError(_("A revisit cannot be planned in the past."))
    customer_ids = (
        Customer.objects.filter(VALID, department_id__in=department_ids, holder__isnull=False)
        .exclude(
            pk__in=RevisitPlan.objects.filter(
                kind=RevisitPlan.Kind.YEARLY, due_on__year=due_on.year
            ).values("customer_id")
        )
        .values_list("pk", flat=True)
    )
    created = 0
    batch: list[RevisitPlan] = []
    for customer_id in customer_ids.iterator(chunk_size=2000):
        batch.append(
            RevisitPlan(
                customer_id=customer_id,
                kind=RevisitPlan.Kind.YEARLY,
                due_on=due_on,
                created_by=actor,
                created_at=now,
            )
        )
        if len(batch) == 2000:
            created += len(RevisitPlan.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        created += len(RevisitPlan.objects.bulk_create(batch, ignore_conflicts=True))
    return created


def _next_attempt_due(*, first_at: datetime, previous_at: datetime) -> datetime:
    """The next call after an unreachable one is due a day later at the latest, and never
    after the 2-day window of the first call (so three calls fit in it); a late call makes the
    next one due at once."""
    return max(previous_at, min(previous_at + ATTEMPT_GAP, first_at + ATTEMPT_WINDOW))


def _next_attempt(*, actor, customer, previous, followup: FollowUp, first_at, attempt, now):
    due_at = _next_attempt_due(first_at=first_at, previous_at=followup.occurred_at)
    return RevisitPlan.objects.create(
        customer=customer,
        kind=RevisitPlan.Kind.FIRST_INQUIRY_RETRY,
        due_on=_local_date(due_at),
        due_at=due_at,
        attempt=attempt,
        previous=previous,
        origin_followup=followup if previous is None else previous.origin_followup,
        first_attempt_at=first_at,
        created_by=actor,
        created_at=now,
    )


@transaction.atomic
def first_inquiry_unreachable(
    *, actor, customer: Customer, data: dict, now: datetime
) -> tuple[FollowUp, RevisitPlan]:
    """首谈回访, first call not answered (未接通): log the call and plan the second attempt."""
    _check_may_work(actor, customer)
    followup = followup_log(actor=actor, customer=customer, data=data, now=now)
    plan = _next_attempt(
        actor=actor,
        customer=customer,
        previous=None,
        followup=followup,
        first_at=followup.occurred_at,
        attempt=2,
        now=now,
    )
    return followup, plan


@transaction.atomic
def revisit_complete(
    *, actor, plan: RevisitPlan, outcome: str, data: dict, now: datetime
) -> RevisitPlan:
    """Do a revisit: log its follow-up and link it. An unreachable first-inquiry attempt makes
    the next one due until MIN_ATTEMPTS calls were made."""
    plan = RevisitPlan.objects.select_for_update().select_related("customer").get(pk=plan.pk)
    customer = plan.customer
    _check_may_work(actor, customer)
    if plan.done_at is not None:
        raise RevisitError(_("This revisit has already been recorded."))
    if outcome not in RevisitPlan.Outcome.values:
        raise RevisitError(_("Say whether the customer was reached."))
    followup = followup_log(actor=actor, customer=customer, data=data, now=now)
    plan.done_at, plan.done_by, plan.followup, plan.outcome = now, actor, followup, outcome
    plan.save(update_fields=["done_at", "done_by", "followup", "outcome"])
    if (
        plan.kind == RevisitPlan.Kind.FIRST_INQUIRY_RETRY
        and outcome == RevisitPlan.Outcome.UNREACHABLE
        and plan.attempt < MIN_ATTEMPTS
    ):
        _next_attempt(
            actor=actor,
            customer=customer,
            previous=plan,
            followup=followup,
            first_at=plan.first_attempt_at,
            attempt=plan.attempt + 1,
            now=now,
        )
    return plan
