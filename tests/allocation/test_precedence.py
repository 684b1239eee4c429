"""Order-independent reclaim (SPEC §6 Precedence): when several rules are due for one customer
on one day, the outcome — one move, one event, one history row, by the rule whose target is the
company pool — is the same whatever order the jobs run in: scheduled, catch-up (reconcile) or a
rule run by hand first. Every permutation of the four rules is tried on the same facts."""

from datetime import date, datetime
from decimal import Decimal
from itertools import permutations
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from allocation.models import PublicNotice, ReclaimPolicy, UnsatisfiedVerification
from allocation.services.reclaim import reclaim_reconcile, reclaim_run
from customers.models import Customer, OwnershipEvent
from customers.services import deal_record, followup_log, ownership_transfer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户确认方案，约定下周签合同并交定金。"
AS_OF = date(2026, 7, 1)  # a 1st: the monthly and the daily rules all run that day
CODES = [c.value for c in ReclaimPolicy.Code]


def at(*args):
    return datetime(*args, tzinfo=SH)


def follow(actor, c, when, **extra):
    return followup_log(
        actor=actor,
        customer=c,
        now=when,
        data={"kind": "callback", "occurred_at": when, "content": GOOD, **extra},
    )


def unsatisfied(org, c, when):
    f = follow(org.sales_a, c, when, satisfaction="unsatisfied")
    UnsatisfiedVerification.objects.create(followup=f, verified_by=org.manager_a, verified_at=when)


@pytest.fixture
def facts(org):
    """Six customers of sales_a, each due under a different set of rules on AS_OF."""
    # due: no_deal_self (Jan 1 + 6 months) and no_followup → the company pool wins
    both_self = register(org.sales_a, now=at(2026, 1, 1, 10))
    # due: no_deal_issued (Apr 1 + 90 days = Jun 30) and no_followup → company pool
    issued = register(org.sales_a2, now=at(2026, 3, 1, 10))
    ownership_transfer(
        customer=issued, to_holder=org.sales_a, kind="distributed", actor=org.manager_a,
        now=at(2026, 4, 1, 10),
    )  # fmt: skip
    # due: no_followup (last May 20) and unsatisfied → department pool, by the no-follow-up rule
    two_department = register(org.sales_a, now=at(2026, 5, 10, 10))
    unsatisfied(org, two_department, at(2026, 5, 20, 10))
    # due: unsatisfied only (followed up on Jun 15)
    only_unsatisfied = register(org.sales_a, now=at(2026, 6, 10, 10))
    unsatisfied(org, only_unsatisfied, at(2026, 6, 15, 10))
    # due: no_deal_self only — a 0-yuan "deal" does not restart the clock, a follow-up keeps
    # it from the no-follow-up rule
    gift = register(org.sales_a, now=at(2026, 1, 1, 11))
    deal_record(
        actor=org.sales_a, customer=gift, now=at(2026, 3, 2, 9),
        data={"occurred_at": at(2026, 3, 1, 15), "product": "样品", "quantity": Decimal("1"),
              "amount": Decimal("0"), "gifts": "地板样品"},
    )  # fmt: skip
    follow(org.sales_a, gift, at(2026, 6, 25, 10))
    # due under nothing
    safe = register(org.sales_a, now=at(2026, 6, 1, 10))
    follow(org.sales_a, safe, at(2026, 6, 20, 10))
    return [both_self, issued, two_department, only_unsatisfied, gift, safe]


def snapshot(customers) -> list:
    state = []
    for c in customers:
        c = Customer.objects.get(pk=c.pk)
        events = list(
            OwnershipEvent.objects.filter(customer=c, kind="reclaim")
            .order_by("at", "pk")
            .values_list("kind", "from_holder_id", "to_pool", "department_id", "reason")
        )
        notices = list(
            PublicNotice.objects.filter(customer=c).values_list("policy", "pool", "department_id")
        )
        history = Customer.history.filter(id=c.pk, history_change_reason__startswith="reclaim")
        state.append(
            (c.name, c.holder_id, c.pool, c.department_id, events, notices, history.count())
        )
    return state


def run_by_hand(code):
    return reclaim_run(policy_code=code, as_of=AS_OF, now=at(2026, 7, 1, 0, 40))


def in_rollback(steps, customers):
    """Run `steps` in a savepoint, read the end state, and roll everything back."""
    with transaction.atomic():
        for step in steps:
            step()
        state = snapshot(customers)
        transaction.set_rollback(True)
    return state


def test_every_order_of_the_rules_gives_the_same_end_state(facts):
    both_self, issued, two_department, only_unsatisfied, gift, safe = facts
    orders = list(permutations(CODES))
    assert len(orders) == 24
    states = {
        order: in_rollback([lambda c=c: run_by_hand(c) for c in order], facts) for order in orders
    }
    expected = states[orders[0]]
    for order, state in states.items():
        assert state == expected, f"order {order} differs"
    by_name = {row[0]: row for row in expected}
    # the company-pool rule won where it was due; exactly one move each
    for c, pool, policy in [
        (both_self, "company", "no_deal_self"),
        (issued, "company", "no_deal_issued"),
        (two_department, "department", "no_followup"),
        (only_unsatisfied, "department", "unsatisfied"),
        (gift, "company", "no_deal_self"),
    ]:
        name, holder, got_pool, _dept, events, notices, history = by_name[c.name]
        assert (holder, got_pool) == (None, pool)
        assert len(events) == 1 and history == 1
        assert [n[0] for n in notices] == [policy]
    assert by_name[safe.name][1] == safe.holder_id and by_name[safe.name][4] == []


def test_catch_up_and_rules_run_by_hand_first_agree_with_the_schedule(facts):
    scheduled = in_rollback(
        [lambda c=c: run_by_hand(c) for c in ["no_deal_issued", "no_deal_self"]]
        + [lambda c=c: run_by_hand(c) for c in ["no_followup", "unsatisfied"]],
        facts,
    )

    def reconcile():
        reclaim_reconcile(now=at(2026, 7, 1, 1, 0))

    assert in_rollback([reconcile], facts) == scheduled
    for first in CODES:
        steps = [lambda c=first: run_by_hand(c), reconcile, reconcile]
        assert in_rollback(steps, facts) == scheduled, f"{first} by hand, then catch-up"


def test_a_second_run_on_the_same_day_moves_nothing_twice(facts):
    def twice():
        for code in reversed(CODES):
            run_by_hand(code)
        for code in CODES:
            assert run_by_hand(code).moved == 0

    state = in_rollback([twice], facts)
    assert all(len(row[4]) <= 1 and row[6] <= 1 for row in state)


def test_dry_run_lists_only_what_the_rule_itself_would_move(facts):
    both_self, issued, two_department, only_unsatisfied, gift, _safe = facts
    would = reclaim_run(
        policy_code="no_followup", as_of=AS_OF, now=at(2026, 7, 1, 0, 40), dry_run=True
    ).would_move
    # the two customers the company-pool rules take are not the no-follow-up rule's to move
    assert set(would) == {two_department.pk}
    would = reclaim_run(
        policy_code="unsatisfied", as_of=AS_OF, now=at(2026, 7, 1, 0, 40), dry_run=True
    ).would_move
    assert set(would) == {only_unsatisfied.pk}


def test_a_retired_company_rule_no_longer_outranks(facts):
    both_self = facts[0]
    ReclaimPolicy.objects.filter(code="no_deal_self").update(is_active=False)
    run_by_hand("no_followup")
    both_self.refresh_from_db()
    assert (both_self.holder_id, both_self.pool) == (None, "department")


def test_an_invalid_customer_is_out_of_every_rule(org, facts):
    from customers.services import customer_declare_invalid

    both_self = facts[0]
    followup_log(
        actor=org.manager_a,
        customer=both_self,
        now=at(2026, 6, 29, 10),
        data={"kind": "home_visit", "occurred_at": at(2026, 6, 29, 10), "content": GOOD},
    )
    customer_declare_invalid(
        actor=org.manager_a, customer=both_self, reason="空号，查无此人", now=at(2026, 6, 30, 9)
    )
    for code in CODES:
        run_by_hand(code)
    both_self.refresh_from_db()
    assert both_self.holder == org.sales_a and both_self.pool == ""
