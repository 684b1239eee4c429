"""The reclaim engine, time-travelled with explicit dates (SPEC §6)."""

import threading
import time as pytime
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction

from allocation.models import JobRun, PublicNotice, ReclaimPolicy, UnsatisfiedVerification
from allocation.services.reclaim import (
    due_date,
    latest_due_period,
    reclaim_reconcile,
    reclaim_run,
)
from customers.models import OwnershipEvent
from customers.services import (
    deal_record,
    followup_log,
    ownership_transfer,
    referral_record,
    referral_verify,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户确认方案，约定下周签合同并交定金。"


def at(*args):
    return datetime(*args, tzinfo=SH)


def run(code, day, **kw):
    return reclaim_run(
        policy_code=code,
        as_of=day,
        now=datetime.combine(day, datetime.min.time(), SH).replace(hour=0, minute=10),
        **kw,
    )


def held(customer):
    customer.refresh_from_db()
    return customer.holder_id is not None


def issued(org, when, person=None):
    """A customer the company gave `person` on `when` (distributed)."""
    c = register(org.sales_a2, now=when)
    ownership_transfer(
        customer=c,
        to_holder=person or org.sales_a,
        kind="distributed",
        actor=org.manager_a,
        now=when,
    )
    return c


def follow(actor, c, when, **extra):
    return followup_log(
        actor=actor,
        customer=c,
        now=when,
        data={"kind": "callback", "occurred_at": when, "content": GOOD, **extra},
    )


# --- dates ---------------------------------------------------------------------------------


def test_distributed_customer_without_a_deal_goes_on_day_90(org):
    c = issued(org, at(2026, 1, 15, 10))
    assert run("no_deal_issued", date(2026, 4, 14)).moved == 0 and held(c)
    assert run("no_deal_issued", date(2026, 4, 15)).moved == 1
    c.refresh_from_db()
    assert (c.holder, c.pool, c.department) == (None, "company", None)


def test_self_registered_customer_without_a_deal_goes_after_six_months(org):
    c = register(org.sales_a, now=at(2026, 1, 15, 10))
    assert run("no_deal_self", date(2026, 7, 14)).moved == 0 and held(c)
    assert run("no_deal_self", date(2026, 7, 15)).moved == 1 and not held(c)


def test_monthly_no_followup_rule_examples(org):
    early = register(org.sales_a, now=at(2026, 1, 10, 9))
    late = register(org.sales_a, now=at(2026, 1, 10, 9))
    follow(org.sales_a, early, at(2026, 2, 1, 10))
    follow(org.sales_a, late, at(2026, 2, 20, 10))
    assert run("no_followup", date(2026, 3, 1)).moved == 1
    assert not held(early) and held(late)
    late.refresh_from_db()
    assert late.pool == ""
    assert run("no_followup", date(2026, 4, 1)).moved == 1 and not held(late)
    early.refresh_from_db()
    assert (early.pool, early.department) == ("department", org.a)


@pytest.mark.parametrize("record", ["followup", "deal", "referral"])
def test_a_qualifying_record_restarts_the_clock(org, record):
    c = register(org.sales_a, now=at(2026, 1, 15, 10))
    when = at(2026, 3, 1, 10)
    if record == "deal":
        from decimal import Decimal

        deal_record(
            actor=org.sales_a,
            customer=c,
            now=when,
            data={
                "occurred_at": when,
                "product": "地板",
                "quantity": Decimal("1"),
                "amount": Decimal("100"),
            },
        )
        code, ran_out, restarted = "no_deal_self", date(2026, 7, 15), date(2026, 9, 1)
    elif record == "referral":
        referral = referral_record(
            actor=org.sales_a,
            customer=c,
            now=when,
            data={"occurred_at": when, "referred_name": "李先生", "what": "介绍邻居"},
        )
        # Unproven it keeps nothing (tests/allocation/test_clocks.py); verified, it counts.
        referral_verify(actor=org.manager_a, referral=referral, now=when)
        code, ran_out, restarted = "no_deal_self", date(2026, 7, 15), date(2026, 9, 1)
    else:
        follow(org.sales_a, c, when)
        code, ran_out, restarted = "no_followup", date(2026, 3, 1), date(2026, 4, 1)
    assert run(code, ran_out).moved == 0 and held(c)
    assert run(code, restarted).moved == 1 and not held(c)


def test_a_customer_that_changed_hands_runs_on_the_new_holders_clock(org):
    c = register(org.sales_a, now=at(2025, 10, 1, 10))
    ownership_transfer(
        customer=c,
        to_holder=org.sales_a2,
        kind="distributed",
        actor=org.manager_a,
        now=at(2026, 3, 1, 10),
    )
    assert run("no_deal_self", date(2026, 4, 1)).moved == 0, "no longer self-registered"
    assert run("no_deal_issued", date(2026, 5, 29)).moved == 0
    assert run("no_deal_issued", date(2026, 5, 30)).moved == 1  # Mar 1 + 90 days


def test_month_ends_clamp(org):
    policy = ReclaimPolicy.objects.get(code="no_followup")
    assert due_date(policy, date(2026, 1, 31)) == date(2026, 2, 28)
    c = register(org.sales_a, now=at(2026, 1, 5, 9))
    follow(org.sales_a, c, at(2026, 1, 31, 10))
    assert run("no_followup", date(2026, 3, 1)).moved == 1
    six = ReclaimPolicy.objects.get(code="no_deal_self")
    assert due_date(six, date(2025, 8, 31)) == date(2026, 2, 28)
    d = register(org.sales_b, now=at(2025, 8, 31, 10))
    assert run("no_deal_self", date(2026, 2, 27)).moved == 0 and held(d)
    assert run("no_deal_self", date(2026, 2, 28)).moved == 1 and not held(d)


def test_90_day_and_6_month_rules_on_the_same_day(org):
    issued_c = issued(org, at(2026, 1, 15, 10))
    self_c = register(org.sales_a, now=at(2026, 1, 15, 10))
    assert run("no_deal_issued", date(2026, 4, 15)).moved == 1
    assert run("no_deal_self", date(2026, 4, 15)).moved == 0
    assert not held(issued_c) and held(self_c)


def test_unsatisfied_rule_needs_a_standing_verification_not_lifted_by_later_followups(org):
    verified = register(org.sales_a, now=at(2026, 1, 5, 9))
    unverified = register(org.sales_a, now=at(2026, 1, 5, 9))
    recovered = register(org.sales_a, now=at(2026, 1, 5, 9))
    for c in (verified, unverified, recovered):
        f = follow(org.sales_a, c, at(2026, 2, 10, 10), satisfaction="unsatisfied")
        if c is not unverified:
            UnsatisfiedVerification.objects.create(
                followup=f, verified_by=org.manager_a, verified_at=at(2026, 2, 11, 9)
            )
    # A later "satisfied" follow-up does not lift a verified 不满意 (SPEC §6) …
    follow(org.sales_a, recovered, at(2026, 2, 20, 10), satisfaction="satisfied")
    assert run("unsatisfied", date(2026, 3, 1)).moved == 2
    assert not held(verified) and held(unverified) and not held(recovered)


# --- safety --------------------------------------------------------------------------------


def test_dry_run_writes_nothing(org):
    c = issued(org, at(2026, 1, 15, 10))
    result = run("no_deal_issued", date(2026, 4, 15), dry_run=True)
    assert result.would_move == [c.pk] and result.moved == 0
    assert held(c) and JobRun.objects.count() == 0 and PublicNotice.objects.count() == 0


def test_second_run_of_a_period_moves_nothing(org):
    c = issued(org, at(2026, 1, 15, 10))
    assert run("no_deal_issued", date(2026, 4, 15)).moved == 1
    ownership_transfer(
        customer=c,
        to_holder=org.sales_a,
        kind="distributed",
        actor=org.manager_a,
        now=at(2026, 1, 1, 0),
    )  # clock back in the past
    second = run("no_deal_issued", date(2026, 4, 15))
    assert second.already_done and second.moved == 0 and held(c)


def test_exactly_one_event_history_row_and_notice_per_moved_customer(org):
    customers = [issued(org, at(2026, 1, 15, 10)) for _ in range(7)]
    before_history = {c.pk: c.history.count() for c in customers}
    result = reclaim_run(
        policy_code="no_deal_issued",
        as_of=date(2026, 4, 15),
        now=at(2026, 4, 15, 0, 10),
        batch_size=3,
    )
    assert result.moved == 7
    for c in customers:
        assert OwnershipEvent.objects.filter(customer=c, kind="reclaim").count() == 1
        assert c.history.count() == before_history[c.pk] + 1
        latest = c.history.first()
        assert latest.holder is None and latest.history_date == at(2026, 4, 15, 0, 10)
        assert PublicNotice.objects.filter(customer=c).count() == 1
    event = OwnershipEvent.objects.filter(kind="reclaim").first()
    assert event.from_holder == org.sales_a and "时钟起点 2026-01-15" in event.reason


def test_public_notice_lasts_three_working_days(org):
    issued(org, at(2026, 1, 15, 10))
    run("no_deal_issued", date(2026, 4, 15))  # Wednesday → Thu, Fri, Mon
    assert PublicNotice.objects.get().ends_at == at(2026, 4, 21, 0, 0)


class SimulatedCrash(RuntimeError):
    """The worker dies between two batches."""


def test_crash_between_batches_then_rerun_ends_like_an_uninterrupted_run(org, monkeypatch):
    from allocation.services import reclaim as engine

    customers = [issued(org, at(2026, 1, 15, 10)) for _ in range(5)]
    batches = []
    move_batch = engine._move_batch

    def dies_before_the_second_batch(*args, **kwargs):
        batches.append(1)
        if len(batches) == 2:
            raise SimulatedCrash("stopped after 1 batch")
        return move_batch(*args, **kwargs)

    monkeypatch.setattr(engine, "_move_batch", dies_before_the_second_batch)
    with pytest.raises(SimulatedCrash):
        reclaim_run(
            policy_code="no_deal_issued",
            as_of=date(2026, 4, 15),
            now=at(2026, 4, 15, 0, 10),
            batch_size=2,
        )
    monkeypatch.setattr(engine, "_move_batch", move_batch)
    assert sum(not held(c) for c in customers) == 2
    job = JobRun.objects.get()
    assert job.finished_at is None and job.moved == 2
    rerun = reclaim_run(
        policy_code="no_deal_issued",
        as_of=date(2026, 4, 15),
        now=at(2026, 4, 15, 1, 10),
        batch_size=2,
    )
    assert rerun.moved == 3 and not any(held(c) for c in customers)
    assert JobRun.objects.get().moved == 5 and JobRun.objects.get().finished_at
    assert OwnershipEvent.objects.filter(kind="reclaim").count() == 5
    assert PublicNotice.objects.count() == 5


def test_reconcile_runs_the_latest_due_period_once(org):
    c = issued(org, at(2026, 1, 15, 10))
    policy = ReclaimPolicy.objects.get(code="no_deal_issued")
    assert latest_due_period(policy, at(2026, 4, 16, 0, 5)) == date(2026, 4, 15)
    assert latest_due_period(policy, at(2026, 4, 16, 0, 15)) == date(2026, 4, 16)
    monthly = ReclaimPolicy.objects.get(code="no_followup")
    assert latest_due_period(monthly, at(2026, 5, 1, 0, 20)) == date(2026, 4, 1)
    results = reclaim_reconcile(now=at(2026, 4, 16, 9))
    assert sum(r.moved for r in results) == 1 and not held(c)
    assert sum(r.moved for r in reclaim_reconcile(now=at(2026, 4, 16, 10))) == 0


@pytest.mark.django_db(transaction=True)
def test_followup_committed_during_the_sweep_keeps_its_customer():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent transactions")
    from tests.factories import DepartmentFactory, make_person

    department = DepartmentFactory()
    seller = make_person("seller", "salesperson", department)
    c = register(seller, now=at(2026, 1, 10, 9))
    started, proceed = threading.Event(), threading.Event()
    outcome = {}

    def log_followup():
        try:
            with transaction.atomic():
                follow(seller, c, at(2026, 2, 27, 10))  # locks the row, moves the clock
                started.set()
                proceed.wait(5)
                pytime.sleep(0.5)  # the sweep is now waiting on the row lock
        finally:
            connections.close_all()

    def sweep():
        try:
            started.wait(5)
            proceed.set()
            outcome["result"] = run("no_followup", date(2026, 3, 1))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=log_followup), threading.Thread(target=sweep)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome["result"].moved == 0
    assert held(c)


def test_command_dry_run_lists_and_writes_nothing_then_runs(org):
    from io import StringIO

    from django.core.management import call_command

    c = issued(org, at(2026, 1, 15, 10))
    out = StringIO()
    call_command(
        "reclaim", "--as-of", "2026-04-15", "--rule", "no_deal_issued", "--dry-run", stdout=out
    )
    assert "would move 1" in out.getvalue() and str(c.pk) in out.getvalue()
    assert held(c) and JobRun.objects.count() == 0
    out = StringIO()
    call_command("reclaim", "--as-of", "2026-04-15", stdout=out)
    assert "no_deal_issued 2026-04-15: moved 1" in out.getvalue() and not held(c)
    out = StringIO()
    call_command("reclaim", "--as-of", "2026-04-15", "--rule", "no_deal_issued", stdout=out)
    assert "already done" in out.getvalue()


def test_gm_edits_a_policy_window_in_the_admin(org, login):
    from django.urls import reverse

    policy = ReclaimPolicy.objects.get(code="no_deal_issued")
    client = login(org.gm)
    assert (
        client.get(reverse("admin:allocation_reclaimpolicy_change", args=[policy.pk])).status_code
        == 200
    )
    policy.window_value = 60
    policy.save()
    c = issued(org, at(2026, 1, 15, 10))
    assert run("no_deal_issued", date(2026, 3, 16)).moved == 1 and not held(c)


def test_department_chunks_then_a_final_pass_finish_the_period(org):
    a_customer = issued(org, at(2026, 1, 15, 10))
    b_customer = register(org.sales_b, now=at(2026, 1, 15, 10))
    ownership_transfer(
        customer=b_customer,
        to_holder=org.sales_b,
        kind="distributed",
        actor=org.manager_b,
        now=at(2026, 1, 15, 10),
    )
    first = run("no_deal_issued", date(2026, 4, 15), department_ids=[org.a.pk])
    assert first.moved == 1 and not held(a_customer) and held(b_customer)
    assert JobRun.objects.get().finished_at is None, "a chunk does not finish the period"
    final = run("no_deal_issued", date(2026, 4, 15))
    assert final.moved == 1 and not held(b_customer)
    assert JobRun.objects.get().finished_at is not None and JobRun.objects.get().moved == 2


def test_scaled_sweep_through_celery_tasks(org):
    from allocation.tasks import reclaim_scaled

    customers = [issued(org, at(2026, 1, 15, 10)) for _ in range(3)]
    reclaim_scaled("no_deal_issued", "2026-04-15", chunk_size=1)
    assert not any(held(c) for c in customers)
    assert JobRun.objects.get(policy="no_deal_issued").finished_at is not None


def test_a_customer_on_notice_cannot_be_distributed_until_it_ends(org):
    from allocation.services.distribution import AllocationError, Assignment, distribution_create

    c = register(org.sales_a, now=at(2026, 1, 10, 9))
    run("no_followup", date(2026, 3, 1))  # Sunday: notice runs Mon 2, Tue 3, Wed 4 March
    notice = PublicNotice.objects.get(customer=c)
    assert notice.ends_at == at(2026, 3, 5, 0, 0)

    def distribute(now):
        return distribution_create(
            actor=org.manager_a,
            source="department",
            department=org.a,
            now=now,
            assignments=[Assignment(c.pk, recipient=org.sales_a2)],
        )

    with pytest.raises(AllocationError):
        distribute(at(2026, 3, 4, 17))
    assert not held(c)
    distribute(at(2026, 3, 5, 9))
    c.refresh_from_db()
    assert c.holder == org.sales_a2
