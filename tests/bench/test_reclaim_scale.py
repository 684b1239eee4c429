"""The reclaim sweep at scale (SPEC §6: one sweep over a million customers in seconds, not a
per-row Python loop).

    BENCH_RECLAIM_CUSTOMERS=1000000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench6 \\
      .venv/bin/python -m pytest -m bench tests/bench/test_reclaim_scale.py -s --reuse-db

The data (`generate_data`: N customers, N/100 staff, N/5000 departments, 20 follow-ups per
customer) is built once per test database; --reuse-db keeps it. It is a steady state as of
`TODAY`, so the benchmark moves the sweep date forward until about 15 % of all customers are
due under the rule (BENCH_RECLAIM_RULE, default the 6-month self-registered rule), and times:

  (a) the floor: one raw `UPDATE … RETURNING id` of the due rows (the ownership move only);
  (b) a naive per-row ORM loop (save + OwnershipEvent) on a 10,000-customer slice,
      extrapolated to the due count;
  (c) the engine, `reclaim_run` (events, history rows and public notices included).

Every measurement runs in a savepoint that is rolled back, so the data stays for the next one;
a second connection then vacuums the rolled-back row versions away and checkpoints, so each
measurement starts from the same table and WAL state. Foreign keys are checked at each
statement's end (as each committed batch of the real sweep checks them), not skipped by the
rollback. After one unmeasured run of each, (a) and (c) are interleaved five times and their
medians compared; only ratios measured in this run are asserted."""

import os
import statistics
import time
from datetime import date, datetime, timedelta
from datetime import time as clock

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q

from allocation.models import ReclaimPolicy
from allocation.services.reclaim import cutoff
from crm.calendar import SHANGHAI
from crm.models import User
from customers.models import Customer, OwnershipEvent

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

TODAY = date(2026, 11, 16)  # the generated data's "today" (fixed: reproducible data)
TARGET_SHARE = 0.15
SLICE = 10_000
RUNS = 5
ENGINE_VS_UPDATE = 1.5  # the engine may cost at most this many bare UPDATEs
LOOP_VS_ENGINE = 20  # and must be at least this many times faster than the ORM loop
ISSUED = "distributed,claimed,swap,handover,dispute_ruling"
POLICIES = [  # the data migration's defaults, for a database made with --nomigrations
    ("no_deal_issued", 90, "days", ISSUED, "company", "daily", clock(0, 10)),
    ("no_deal_self", 6, "months", "self_registered", "company", "daily", clock(0, 10)),
]
VACUUMED = [
    Customer._meta.db_table,
    Customer.history.model._meta.db_table,
    OwnershipEvent._meta.db_table,
    "allocation_publicnotice",
    "allocation_jobrun",
]


@pytest.fixture(scope="session")
def reclaim_data(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("the scale benchmark runs on PostgreSQL (set DATABASE_URL)")
    count = int(os.environ.get("BENCH_RECLAIM_CUSTOMERS", "1000000"))
    with django_db_blocker.unblock():
        for code, value, unit, kinds, pool, schedule, run_time in POLICIES:
            ReclaimPolicy.objects.get_or_create(
                code=code,
                defaults={
                    "window_value": value,
                    "window_unit": unit,
                    "acquisition_kinds": kinds,
                    "target_pool": pool,
                    "schedule": schedule,
                    "run_time": run_time,
                },
            )
        if not User.objects.filter(username="gen.gm").exists():
            started = time.perf_counter()
            call_command(
                "generate_data",
                *("--customers", str(count), "--staff", str(max(50, count // 100))),
                *("--departments", str(max(5, count // 5000))),
                *("--followups", str(20 * count), "--seed", "42", "--today", str(TODAY)),
            )
            print(f"generate_data: {time.perf_counter() - started:.1f}s")
    return count


def due_sql(policy: ReclaimPolicy, as_of: date) -> tuple[str, list]:
    """The rule's due condition on the archive row (as the engine reads it)."""
    cut = cutoff(policy, as_of)
    where = (
        "holder_id IS NOT NULL AND acquired_via = ANY(%s) AND holder_since < %s "
        "AND (last_deal_at IS NULL OR last_deal_at < %s)"
    )
    return where, [policy.kinds, cut, cut]


def due_q(policy: ReclaimPolicy, as_of: date) -> Q:
    """The same condition for the ORM loop."""
    cut = cutoff(policy, as_of)
    return Q(holder__isnull=False, acquired_via__in=policy.kinds, holder_since__lt=cut) & (
        Q(last_deal_at__isnull=True) | Q(last_deal_at__lt=cut)
    )


def due_count(policy: ReclaimPolicy, as_of: date) -> int:
    where, params = due_sql(policy, as_of)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM customers_customer WHERE {where}", params)
        return cursor.fetchone()[0]


def first_date_with_share(policy: ReclaimPolicy, total: int) -> date:
    """The earliest sweep date on which at least TARGET_SHARE of all customers are due
    (the due count never shrinks as the date moves on)."""
    low, high = 0, 800
    while low < high:
        middle = (low + high) // 2
        if due_count(policy, TODAY + timedelta(days=middle)) >= TARGET_SHARE * total:
            high = middle
        else:
            low = middle + 1
    return TODAY + timedelta(days=low)


def vacuum():
    """Remove the rolled-back row versions (dead at once, even while this test's transaction
    is open) from a second connection, so every measurement starts from the same table, and
    end with a checkpoint, so every measurement starts from the same WAL state: each pays the
    full-page images of the pages it touches first, as the nightly sweep does (its pages have
    not been written since the last checkpoint). Without it, whether and where a checkpoint
    falls inside a measurement (every ~1 GB of WAL: during every other run) decides more of
    the ratio than the engine does."""
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("SET lock_timeout = '30s'")
            cursor.execute("VACUUM " + ", ".join(VACUUMED))
            cursor.execute("CHECKPOINT")
    finally:
        raw.close()


def rolled_back(work):
    """Run `work()` in a savepoint, time it, undo it; return (seconds, its result)."""
    with transaction.atomic():
        started = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    vacuum()
    return elapsed, result


def test_reclaim_sweep_at_scale(reclaim_data):
    from allocation.services.reclaim import reclaim_run  # the engine

    total = Customer.objects.count()
    code = os.environ.get("BENCH_RECLAIM_RULE", "no_deal_self")
    policy = ReclaimPolicy.objects.get(code=code)
    as_of = first_date_with_share(policy, total)
    now = datetime.combine(as_of, policy.run_time, SHANGHAI)
    due = due_count(policy, as_of)
    shares = {
        p.code: due_count(p, as_of) / total
        for p in ReclaimPolicy.objects.filter(code__in=[c[0] for c in POLICIES])
    }
    where, params = due_sql(policy, as_of)
    # The test's transaction is never committed, so the foreign keys' deferred checks (the
    # customer of each event and notice) would never run; run them at each statement's end,
    # as each committed batch of the real sweep runs them.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    vacuum()

    def bare_update():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE customers_customer SET holder_id = NULL, pool = 'company', "
                f"department_id = NULL, holder_since = %s WHERE {where} RETURNING id",
                [now, *params],
            )
            return len(cursor.fetchall())

    def engine():
        return reclaim_run(policy_code=code, as_of=as_of, now=now, dry_run=False).moved

    def orm_loop():
        moved = 0
        for customer in Customer.objects.filter(due_q(policy, as_of)).order_by("pk")[:SLICE]:
            old_holder, old_department = customer.holder_id, customer.department_id
            customer.holder = None
            customer.pool = "company"
            customer.department = None
            customer.holder_since = now
            customer.save()
            OwnershipEvent.objects.create(
                customer=customer,
                kind="reclaim",
                from_holder_id=old_holder,
                to_pool="company",
                department_id=old_department,
                reason=str(policy),
                approval_ref=f"{code}:{as_of}",
                at=now,
            )
            moved += 1
        return moved

    # One unmeasured run of each first: the first statements after a restore or a restart read
    # the table from disk into the caches, which would be charged to whichever ran first.
    rolled_back(bare_update)
    rolled_back(engine)
    updates, engines = [], []
    for _ in range(RUNS):
        seconds, moved = rolled_back(bare_update)
        assert moved == due
        updates.append(seconds)
        seconds, moved = rolled_back(engine)
        assert moved == due
        engines.append(seconds)
    loop_seconds, looped = rolled_back(orm_loop)
    assert looped == min(SLICE, due)

    update = statistics.median(updates)
    run = statistics.median(engines)
    loop = loop_seconds * due / looped
    print(f"\n{total:,} customers; rule {code}; sweep as of {as_of} (data's today {TODAY})")
    print(
        "due on that date: "
        + ", ".join(f"{c} {s:.1%}" for c, s in sorted(shares.items()))
        + f"; measured rule moves {due:,}"
    )
    print(f"{'measurement':52} {'seconds':>9}")
    print(f"{f'(a) one UPDATE … RETURNING id (median of {RUNS})':52} {update:9.2f}")
    print(f"{'    runs':52} " + " ".join(f"{s:.2f}" for s in updates))
    print(f"{f'(c) reclaim_run, events+history+notices (median of {RUNS})':52} {run:9.2f}")
    print(f"{'    runs':52} " + " ".join(f"{s:.2f}" for s in engines))
    print(f"{f'(b) ORM loop, {looped:,} rows measured':52} {loop_seconds:9.2f}")
    print(f"{f'    extrapolated to {due:,}':52} {loop:9.2f}")
    print(
        f"ratios: engine / UPDATE = {run / update:.2f} (must be ≤ {ENGINE_VS_UPDATE}); "
        f"ORM loop / engine = {loop / run:.1f} (must be ≥ {LOOP_VS_ENGINE})"
    )
    assert run <= ENGINE_VS_UPDATE * update
    assert loop >= LOOP_VS_ENGINE * run
