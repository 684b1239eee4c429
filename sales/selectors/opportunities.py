"""Reads of 销售机会 (SPEC §10): who sees which opportunities, and the monthly 一般行动 check.

The 一般行动 rule (002 §6: 所有录入系统的线索/销售机会需要保证一个月至少有一个跟进更新的"一般行动"),
counted per calendar month M in Asia/Shanghai time:

    an opportunity is checked for M when it was open at the end of M (not won or lost before
    00:00 of the 1st of M+1) and created before the last `action_grace_days()` days of M
    (default 7: one created on 03-25 or later is first checked in April); it lacks its action
    when no OpportunityAction of it happened in [00:00 of the 1st of M, 00:00 of the 1st of M+1).

An action at 03-31 23:59 counts for March; one at 04-01 00:00 counts for April. The same
function reads the month so far for the lists ("no action this month") and the month just
ended for the penalties scan, so the to-do list and the ledger never disagree.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from crm.calendar import day_start
from customers.models import OwnershipEvent

from ..defaults import action_grace_days
from ..models import Opportunity, OpportunityAction, StageChange
from .common import customer_condition, prefixed, scope_customer_ids, visible


def opportunities_visible_to(user) -> QuerySet[Opportunity]:
    """Opportunities of the customers `user` sees unmasked (`sales.selectors.common`): the
    holder's own, a department's for its managers and accountants, all for the GM. The owner
    is the customer's holder, so a transferred customer takes its opportunities along."""
    return visible(Opportunity.objects.all(), user)


NARROW_DEPARTMENTS = 3


def reads_few_customers(user) -> bool:
    """The viewer's scope is a salesperson's customers or a few departments' (a manager):
    their list is best read customers first and sorted (a walk of the whole list's order
    index probes ~20,000 customers to find a page of one department's: 270 → 70 ms at a
    million customers); wider scopes read the order index (issue 19)."""
    return few_departments(customer_condition(user))


def few_departments(condition: Q | None) -> bool:
    """`reads_few_customers` of a scope condition (on Customer, or prefixed `customer__`)."""
    if condition is None:
        return False
    departments = 0
    stack = [condition]
    while stack:
        q = stack.pop()
        for child in q.children:
            if isinstance(child, Q):
                stack.append(child)
            elif child[0].removeprefix("customer__") == "department__in":
                departments += len(child[1])
            elif child[0].removeprefix("customer__") == "department":
                departments += 1
    return departments <= NARROW_DEPARTMENTS


def opportunity_for(user, pk) -> Opportunity:
    """One opportunity of the user's scope, with its customer and holder; 404 outside it."""
    return get_object_or_404(
        opportunities_visible_to(user).select_related(
            "customer", "customer__holder", "customer__department", "created_by"
        ),
        pk=pk,
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def acted_in(month: date):
    """Exists(an action of the outer opportunity in the calendar month of `month`)."""
    start = month_start(month)
    return Exists(
        OpportunityAction.objects.filter(
            opportunity=OuterRef("pk"),
            occurred_at__gte=day_start(start),
            occurred_at__lt=day_start(start + relativedelta(months=1)),
        )
    )


def has_action_in(opportunity: Opportunity, *, month: date) -> bool:
    return Opportunity.objects.filter(pk=opportunity.pk).filter(acted_in(month)).exists()


def missing_action(qs: QuerySet[Opportunity], *, month: date) -> QuerySet[Opportunity]:
    """`qs` narrowed to the opportunities checked for the month of `month` that have no action
    in it (the rule in the module docstring). For the current month it reads "so far"."""
    start = month_start(month)
    end = day_start(start + relativedelta(months=1))
    cutoff = end - timedelta(days=action_grace_days())
    # exclude() on the nullable closed_at keeps the open ones (NULL) in.
    return qs.filter(created_at__lt=cutoff).exclude(closed_at__lt=end).exclude(acted_in(start))


@dataclass(frozen=True)
class MissingAction:
    opportunity_id: int
    product: str
    customer_id: int
    customer_name: str
    holder_id: int | None  # the customer's holder at the end of the month (None: in a pool)


def opportunities_missing_action(*, month: date) -> list[MissingAction]:
    """Every opportunity of the company lacking its 一般行动 in the month of `month`, with the
    customer's holder at the month's end (the last ownership event before 00:00 of the next
    month's 1st): the monthly scan's evidence (penalties NO_OPPORTUNITY_ACTION). One query."""
    end = day_start(month_start(month) + relativedelta(months=1))
    holder_then = (
        OwnershipEvent.objects.filter(customer=OuterRef("customer_id"), at__lt=end)
        .order_by("-at", "-pk")
        .values("to_holder")[:1]
    )
    rows = (
        missing_action(Opportunity.objects.all(), month=month)
        .annotate(holder_then=Subquery(holder_then))
        .values_list("pk", "product", "customer_id", "customer__name", "holder_then")
        .order_by("pk")
    )
    return [MissingAction(*row) for row in rows]


def missing_action_count(user, *, today: date) -> int:
    """Opportunities in the user's scope lacking this month's action so far (dashboards).
    A few departments' viewer counts from the scope's customer ids (`scope_customer_ids`)
    through `opportunity_customer_cover_idx`: index reads only, where the join read every
    customer row of the department (~40 ms at a million customers)."""
    condition = customer_condition(user, prefix="")
    if condition is None:
        qs = Opportunity.objects.all()
    elif few_departments(condition):
        qs = Opportunity.objects.filter(customer__in=scope_customer_ids(user, condition))
    else:  # the rule read once: `opportunities_visible_to` would resolve the departments again
        qs = Opportunity.objects.filter(prefixed(condition, "customer__"))
    return missing_action(qs, month=today).count()


def opportunity_holders(qs: QuerySet[Opportunity]):
    """The people holding the customers of `qs` (the list's holder filter), by name."""
    return (
        get_user_model()
        .objects.filter(pk__in=qs.order_by().values("customer__holder"))
        .order_by("first_name", "last_name", "username")
    )


def stage_history(opportunity: Opportunity) -> QuerySet[StageChange]:
    return opportunity.stage_changes.select_related("actor").order_by("at", "pk")


def opportunity_actions(opportunity: Opportunity) -> QuerySet[OpportunityAction]:
    """Its actions with their follow-ups (content is shown: whoever sees the opportunity sees
    the customer unmasked), newest first."""
    return opportunity.actions.select_related("followup", "followup__author").order_by(
        "-occurred_at", "-pk"
    )


def customer_opportunities(customer, *, user, limit: int = 20) -> list[Opportunity]:
    """The customer page's section: the customer's opportunities in the user's scope (none
    for whoever sees the customer masked), newest first."""
    qs = opportunities_visible_to(user).filter(customer=customer.pk)
    return list(qs.order_by("-pk")[:limit])
