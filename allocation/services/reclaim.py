"""The reclaim engine (回收, SPEC §6; rule book 000 §3.4.b, §4.2②④).

A customer's clock starts at the later of when the holder got it and the holder's last
qualifying record; it is reclaimed on `clock date + window` (the first day after the window).
Candidates are selected in one query on indexed denormalised columns; moves run in batches,
each its own transaction, and re-check the clock on the locked rows, so a follow-up or deal
committed during the sweep keeps its customer.
"""

import zlib
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from crm.calendar import SHANGHAI, next_workday
from customers.models import Customer, OwnershipEvent, OwnershipKind, Pool

from ..models import JobRun, PublicNotice, ReclaimPolicy, UnsatisfiedVerification
from .notices import reclaim_notify_holders

# Which clock column each rule reads besides holder_since (SPEC §6 table).
QUALIFYING = {
    ReclaimPolicy.Code.NO_FOLLOWUP: "last_followup_at",
    ReclaimPolicy.Code.NO_DEAL_ISSUED: "last_deal_at",
    ReclaimPolicy.Code.NO_DEAL_SELF: "last_deal_at",
}


def window(policy: ReclaimPolicy) -> relativedelta:
    if policy.window_unit == ReclaimPolicy.Unit.MONTHS:
        return relativedelta(months=policy.window_value)
    return relativedelta(days=policy.window_value)


def due_date(policy: ReclaimPolicy, clock_day: date) -> date:
    """The reclaim date of a clock that started on `clock_day` (month ends clamp:
    2026-01-31 + 1 month = 2026-02-28)."""
    return clock_day + window(policy)


def last_clock_day(policy: ReclaimPolicy, as_of: date) -> date:
    """The latest clock day whose reclaim date is on or before `as_of`. `due_date` never
    decreases with the clock day, so 'due' is exactly 'clock day ≤ this'."""
    day = as_of - window(policy)
    while due_date(policy, day + timedelta(days=1)) <= as_of:
        day += timedelta(days=1)
    while due_date(policy, day) > as_of:
        day -= timedelta(days=1)
    return day


def cutoff(policy: ReclaimPolicy, as_of: date) -> datetime:
    """Clocks strictly before this instant (Shanghai midnight after the last due clock day)
    have run out on `as_of`."""
    return datetime.combine(last_clock_day(policy, as_of) + timedelta(days=1), time(0), SHANGHAI)


def clock_before(policy: ReclaimPolicy, instant: datetime) -> Q:
    """The customer's clock started before `instant`: both the moment the holder got it and
    the holder's last qualifying record (if the rule has one) are earlier."""
    q = Q(holder_since__lt=instant)
    column = QUALIFYING.get(policy.code)
    if column:
        q &= Q(**{f"{column}__isnull": True}) | Q(**{f"{column}__lt": instant})
    return q


def rule_scope(policy: ReclaimPolicy) -> Q:
    """Held customers the rule applies to (acquisition kinds; the unsatisfied condition).
    无效客户 are out of the rules' circulation: they keep their holder and move no more."""
    q = Q(holder__isnull=False, is_invalid=False)
    if policy.kinds:
        q &= Q(acquired_via__in=policy.kinds)
    if policy.code == ReclaimPolicy.Code.UNSATISFIED:
        q &= unsatisfied_latest()
    return q


def unsatisfied_latest() -> Q:
    """A 不满意 follow-up made since the holder got the customer carries a manager's
    verification that has not been withdrawn (SPEC §6). Later follow-ups do not lift it — a
    salesperson could otherwise log a "满意" call to keep the customer; only the manager
    withdrawing the verification does."""
    return Q(
        Exists(
            UnsatisfiedVerification.objects.filter(
                followup__customer=OuterRef("pk"),
                followup__satisfaction="unsatisfied",
                followup__occurred_at__gte=OuterRef("holder_since"),
                withdrawn_at__isnull=True,
            )
        )
    )


def due_filter(policy: ReclaimPolicy, as_of: date) -> Q:
    """Everything that makes a customer due under `policy` on `as_of`."""
    if policy.code == ReclaimPolicy.Code.UNSATISFIED:
        return rule_scope(policy)
    return rule_scope(policy) & clock_before(policy, cutoff(policy, as_of))


# Among rules with the same target, a fixed order decides which one takes a customer due under
# several on one day (its event and notice name that rule).
_PRIORITY = [
    ReclaimPolicy.Code.NO_DEAL_ISSUED,
    ReclaimPolicy.Code.NO_DEAL_SELF,
    # The two department-pool rules lead to the same place; no-follow-up goes first so its
    # batches keep the one-statement path (it is outranked by clock rules only).
    ReclaimPolicy.Code.NO_FOLLOWUP,
    ReclaimPolicy.Code.UNSATISFIED,
]


def precedence(policy: ReclaimPolicy) -> tuple[int, int]:
    """Smaller first: a rule whose target is the company pool wins over a department-pool
    rule (SPEC §6 Precedence), then the fixed order above."""
    rank = _PRIORITY.index(policy.code) if policy.code in _PRIORITY else len(_PRIORITY)
    return (0 if policy.target_pool == Pool.COMPANY else 1, rank)


def outranking(policy: ReclaimPolicy) -> list[ReclaimPolicy]:
    """Active rules that take precedence over `policy` when both are due on the same day."""
    mine = precedence(policy)
    return [
        other
        for other in ReclaimPolicy.objects.filter(is_active=True).exclude(code=policy.code)
        if precedence(other) < mine
    ]


def own_due_filter(policy: ReclaimPolicy, as_of: date) -> Q:
    """Due under `policy` on `as_of` and under no rule that outranks it: a customer due under
    several rules on one day moves once, by the winning rule, whatever order the jobs run in
    (scheduled, catch-up or by hand) — the others leave it to the winner."""
    q = due_filter(policy, as_of)
    for other in outranking(policy):
        q &= ~due_filter(other, as_of)
    return q


def due_on_filter(policy: ReclaimPolicy, day: date) -> Q:
    """Customers whose reclaim date is exactly `day` (for the warnings)."""
    return (
        rule_scope(policy)
        & clock_before(policy, cutoff(policy, day))
        & ~clock_before(policy, cutoff(policy, day - timedelta(days=1)))
    )


def candidates(policy: ReclaimPolicy, *, as_of: date, department_ids=None):
    qs = Customer.objects.filter(own_due_filter(policy, as_of))
    if department_ids is not None:
        qs = qs.filter(department__in=department_ids)
    return qs


@dataclass
class RunResult:
    policy: str
    period: date
    moved: int = 0
    would_move: list[int] = field(default_factory=list)
    already_done: bool = False
    busy: bool = False  # another full run of the rule held its lock: nothing was tried


def period_for(policy: ReclaimPolicy, as_of: date) -> date:
    return as_of.replace(day=1) if policy.schedule == ReclaimPolicy.Schedule.MONTHLY else as_of


def notice_end(policy: ReclaimPolicy, reclaimed_on: date) -> datetime:
    """公示 lasts N working days after the reclaim day; it ends at midnight after the last."""
    day = reclaimed_on
    for _ in range(policy.notice_working_days):
        day = next_workday(day)
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


@contextmanager
def run_lock(policy_code: str):
    """One full run per rule at a time: a PostgreSQL advisory lock (session level, so it
    spans the batch transactions). SQLite serialises writers itself."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(f"reclaim:{policy_code}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _clock(row: dict, column: str | None) -> datetime:
    since = row["holder_since"]
    last = row.get(column) if column else None
    return max(since, last) if last else since


_HISTORY_META = (
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
)


def _move_batch_postgresql(policy, ids, *, as_of, now, ref) -> int:
    """The same move as `_move_batch`, as one statement: lock and re-check the rows, update
    them, and INSERT … SELECT their events, history rows and notices from the UPDATE's
    RETURNING — the database does the per-customer work, not Python (SPEC §6: seconds, not a
    per-row loop). Column lists come from the models, so a new Customer field is copied too."""
    column = QUALIFYING.get(policy.code)
    clock_cols = ["holder_since"] + ([column] if column else [])
    higher = outranking(policy)
    if column and all(QUALIFYING.get(other.code) for other in higher):
        # The clock rules' condition, written out so the batch is one array parameter instead
        # of thousands of IN-list placeholders (planning those cost ~5 % of a large sweep). The
        # array goes as one text literal: psycopg2 sends a list as ARRAY[1, 2, …], whose 10,000
        # elements the server parses one by one (~10 ms a batch); '{1,2,…}' is one constant.
        instant = cutoff(policy, as_of)
        kinds = "AND acquired_via = ANY(%s)" if policy.kinds else ""
        id_array = "{" + ",".join(map(str, ids)) + "}"
        # Customers a higher-precedence clock rule takes on the same day are left to it.
        excluded, excluded_params = "", []
        for other in higher:
            other_column, other_instant = QUALIFYING[other.code], cutoff(other, as_of)
            other_kinds = "acquired_via = ANY(%s) AND " if other.kinds else ""
            excluded += f"""
               AND NOT ({other_kinds}holder_since < %s
                        AND ({other_column} IS NULL OR {other_column} < %s))"""
            excluded_params += [*([other.kinds] if other.kinds else []), other_instant] + [
                other_instant
            ]
        locked_sql = f"""
            SELECT id, holder_id, department_id, holder_since, {column}
              FROM customers_customer
             WHERE id = ANY(%s::bigint[]) AND holder_id IS NOT NULL AND NOT is_invalid {kinds}
               AND holder_since < %s AND ({column} IS NULL OR {column} < %s){excluded}
               FOR UPDATE"""
        locked_params = [
            id_array,
            *([policy.kinds] if policy.kinds else []),
            instant,
            instant,
            *excluded_params,
        ]
    else:
        # A rule with a condition on other tables (the unsatisfied rule's verification): lock
        # the rows first, then re-check in a second statement. Under READ COMMITTED that one
        # reads a fresh snapshot, so whatever committed while we waited for a lock — a manager
        # withdrawing the verification locks the customer row too — is seen; a re-check inside
        # the locking statement would read its subqueries from before the wait.
        candidates_locked = list(
            Customer.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .filter(own_due_filter(policy, as_of))
            .values_list("pk", flat=True)
        )
        locked_sql, locked_params = (
            Customer.objects.filter(pk__in=candidates_locked or [0])
            .filter(own_due_filter(policy, as_of))
            .values("id", "holder_id", "department_id", *clock_cols)
            .query.sql_with_params()
        )
    to_company = policy.target_pool == Pool.COMPANY
    history = Customer.history.model
    copied = [f.column for f in history._meta.concrete_fields if f.name not in _HISTORY_META]
    clock = f"GREATEST(locked.holder_since, locked.{column})" if column else "locked.holder_since"
    label = str(policy.get_code_display())
    sql = f"""
        WITH locked AS ({locked_sql}),
        moved AS (
            UPDATE customers_customer c
               SET holder_id = NULL, pool = %s, holder_since = %s
                   {", department_id = NULL" if to_company else ""}
              FROM locked WHERE c.id = locked.id
            RETURNING c.*, locked.holder_id AS old_holder,
                      locked.department_id AS old_department, {clock} AS clock
        ),
        events AS (
            INSERT INTO {OwnershipEvent._meta.db_table}
                (customer_id, kind, from_holder_id, from_pool, to_holder_id, to_pool,
                 department_id, reason, actor_id, approval_ref, at)
            SELECT id, %s, old_holder, '', NULL, %s, old_department,
                   %s || to_char(clock AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),
                   NULL, %s, %s
              FROM moved
        ),
        history AS (
            INSERT INTO {history._meta.db_table}
                ({", ".join(copied)}, history_date, history_change_reason, history_type,
                 history_user_id)
            SELECT {", ".join(copied)}, %s, %s, '~', NULL FROM moved
        ),
        notices AS (
            INSERT INTO {PublicNotice._meta.db_table}
                (customer_id, previous_holder_id, department_id, policy, pool, reclaimed_at,
                 ends_at, appeal_reason, decision, decision_reason)
            SELECT id, old_holder, {"NULL" if to_company else "old_department"}, %s, %s, %s,
                   %s, '', '', ''
              FROM moved
        )
        SELECT count(*) FROM moved
    """
    params = [
        *locked_params,
        policy.target_pool,
        now,
        OwnershipKind.RECLAIM.value,
        policy.target_pool,
        f"{label}：时钟起点 ",
        ref,
        now,
        now,
        f"{OwnershipKind.RECLAIM.value}: {label}",
        policy.code,
        policy.target_pool,
        now,
        notice_end(policy, timezone.localdate(now)),
    ]
    with connection.cursor() as cursor:
        # The UPDATE's RETURNING (whole customer rows, ~7 MB for 10,000) is read three times;
        # with the default 4 MB it goes through a temporary file. For this transaction only.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _move_batch(
    policy: ReclaimPolicy, ids: list[int], *, as_of: date, now: datetime, ref: str
) -> int:
    """Move one batch in one transaction. The rows are locked and the rule re-checked on
    them (PostgreSQL re-evaluates the WHERE on the latest row version), so a record committed
    meanwhile keeps its customer. One event, one history row and one notice per customer."""
    column = QUALIFYING.get(policy.code)
    fields = ["pk", "holder_id", "department_id", "holder_since"] + ([column] if column else [])
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _move_batch_postgresql(policy, ids, as_of=as_of, now=now, ref=ref)
        rows = list(
            Customer.objects.select_for_update()
            .filter(pk__in=ids)
            .filter(own_due_filter(policy, as_of))
            .values(*fields)
        )
        if not rows:
            return 0
        moved_ids = [row["pk"] for row in rows]
        to_company = policy.target_pool == Pool.COMPANY
        changes = {"holder": None, "pool": policy.target_pool, "holder_since": now}
        if to_company:
            changes["department"] = None
        Customer.objects.filter(pk__in=moved_ids).update(**changes)
        label = policy.get_code_display()
        OwnershipEvent.objects.bulk_create(
            OwnershipEvent(
                customer_id=row["pk"],
                kind=OwnershipKind.RECLAIM,
                from_holder_id=row["holder_id"],
                to_pool=policy.target_pool,
                department_id=row["department_id"],
                actor=None,
                approval_ref=ref,
                at=now,
                reason=f"{label}：时钟起点 {timezone.localtime(_clock(row, column)):%Y-%m-%d}",
            )
            for row in rows
        )
        # QuerySet.update() writes no history: write one row per customer here, in bulk.
        Customer.history.bulk_history_create(
            list(Customer.objects.filter(pk__in=moved_ids)),
            update=True,
            default_change_reason=f"{OwnershipKind.RECLAIM}: {label}",
            default_date=now,
        )
        ends_at = notice_end(policy, timezone.localdate(now))
        PublicNotice.objects.bulk_create(
            PublicNotice(
                customer_id=row["pk"],
                previous_holder_id=row["holder_id"],
                department_id=None if to_company else row["department_id"],
                policy=policy.code,
                pool=policy.target_pool,
                reclaimed_at=now,
                ends_at=ends_at,
            )
            for row in rows
        )
        return len(rows)


def reclaim_run(
    *,
    policy_code: str,
    as_of: date,
    now: datetime,
    dry_run: bool = False,
    batch_size: int = 10000,
    department_ids: list[int] | None = None,
) -> RunResult:
    """Run one rule for `as_of` (SPEC §6). Idempotent per (rule, period): a finished period
    moves nothing; an unfinished one (a crash) is resumed. `department_ids` runs one chunk of
    a scaled-out sweep (the final full run marks the period finished)."""
    policy = ReclaimPolicy.objects.get(code=policy_code)
    period = period_for(policy, as_of)
    result = RunResult(policy=policy_code, period=period)
    if not policy.is_active:
        return result
    if dry_run:
        result.would_move = list(
            candidates(policy, as_of=as_of, department_ids=department_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return result
    # Chunks of a scaled-out sweep cover disjoint departments and run side by side (their rows
    # are locked per batch); only a full run takes the rule's exclusive lock.
    lock = run_lock(policy_code) if department_ids is None else nullcontext(True)
    with lock as acquired:
        if not acquired:
            result.busy = True  # another full run of this rule is under way
            return result
        job, _ = JobRun.objects.get_or_create(
            policy=policy_code, period=period, defaults={"started_at": now}
        )
        if job.finished_at:
            result.already_done = True
            return result
        ids = list(
            candidates(policy, as_of=as_of, department_ids=department_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ref = f"{policy_code}:{period:%Y-%m-%d}"
        for start in range(0, len(ids), batch_size):
            moved = _move_batch(
                policy, ids[start : start + batch_size], as_of=as_of, now=now, ref=ref
            )
            JobRun.objects.filter(pk=job.pk).update(moved=F("moved") + moved)
            result.moved += moved
        if department_ids is None:
            # The former holders are told once per run, with what a chunked or resumed run
            # moved before too; in the transaction that finishes the period, so a crash in
            # between leaves both to the rerun (which tells nobody twice).
            with transaction.atomic():
                reclaim_notify_holders(job=job, now=now)
                JobRun.objects.filter(pk=job.pk).update(finished_at=now)
    return result


def latest_due_period(policy: ReclaimPolicy, now: datetime) -> date:
    """The most recent period whose run time has passed (Asia/Shanghai)."""
    local = timezone.localtime(now, SHANGHAI)
    today = local.date()
    if policy.schedule == ReclaimPolicy.Schedule.MONTHLY:
        first = today.replace(day=1)
        if today == first and local.time() < policy.run_time:
            return (first - timedelta(days=1)).replace(day=1)
        return first
    return today if local.time() >= policy.run_time else today - timedelta(days=1)


def reclaim_reconcile(*, now: datetime) -> list[RunResult]:
    """Run every rule's latest due period not finished yet — a missed night or 1st of the
    month heals within an hour of the scheduler coming back. Clocks only grow, so running the
    latest period also takes whatever an earlier missed period would have taken."""
    results = []
    for policy in ReclaimPolicy.objects.filter(is_active=True):
        period = latest_due_period(policy, now)
        if not JobRun.objects.filter(
            policy=policy.code, period=period, finished_at__isnull=False
        ).exists():
            results.append(reclaim_run(policy_code=policy.code, as_of=period, now=now))
    return results
