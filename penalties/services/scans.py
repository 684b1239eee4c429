"""The nightly scans (SPEC §7): they read the records and propose ledger entries, which a
manager then confirms or waives. Run daily at 01:00 Asia/Shanghai (beat) or by
`manage.py penalties_scan --as-of YYYY-MM-DD [--dry-run]`.

A scan "as of" a day D sees everything before 00:00 of D. It is idempotent: every proposal
carries a unique `scan_key` = rule, person, evidence and period, so a second run (or a re-run
after a crash) proposes nothing new. Daily rules look back LOOKBACK_DAYS, so a few missed
nights heal on the next run while a run stays bounded at a million customers; the monthly
rules (NEW_RESOURCE_QUOTA, QUOTA_SCORE, NO_OPPORTUNITY_ACTION) run when D is the 1st, for the
month just ended. The scheduler runs them through `penalties_monthly_reconcile` (hourly): each
rule and month once, recorded in `crm.models.JobPeriodRun`, so a missed 1st is caught up.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice

from constance import config
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from allocation.selectors.handovers import handovers_overdue
from crm.calendar import SHANGHAI, day_start
from crm.jobs import due_months, month_from_key, run_missed_periods
from crm.models import Department, Staff
from crm.notifications import notify
from crm.rights import general_managers
from customers.day import quotas
from customers.models import Customer, Deal, FollowUp
from customers.selectors import VALID
from sales.selectors.opportunities import opportunities_missing_action

from ..models import ClosedMonth, LedgerEntry, PenaltyRule
from .ledger import month_label, month_of

LOOKBACK_DAYS = 40
# A scan streams (issue 19: the first night at a million customers proposes half a million
# entries): records are read, proposals checked and entries written BATCH_SIZE at a time, so
# the memory of a run does not grow with its size. A dry run keeps KEEP entries to show.
BATCH_SIZE = 2000
KEEP = 1000


@dataclass
class Proposal:
    code: str
    person_id: int
    department_id: int | None
    reason: str
    occurred_on: date
    scan_key: str
    points: int = 0
    customer_id: int | None = None
    followup_id: int | None = None
    deal_id: int | None = None
    handover_id: int | None = None


@dataclass
class ScanResult:
    as_of: date
    proposed: Counter = field(default_factory=Counter)
    skipped_closed: int = 0
    entries: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.proposed.values())


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment, SHANGHAI).date()


def _departments(user_ids) -> dict[int, int | None]:
    return dict(
        Staff.objects.filter(user_id__in=set(user_ids)).values_list("user_id", "department_id")
    )


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


# --- the rules -----------------------------------------------------------------------------


def scan_late_entries(as_of: date) -> list[Proposal]:
    """LATE_ENTRY (000 §3.1.d–e, §4.2①b): a follow-up or purchase record entered after its
    deadline (10:00 on the next working day) costs its author 20 yuan per record.
    Amendments are not counted: the record they amend carries its own lateness."""
    return list(iter_late_entries(as_of))


def iter_late_entries(as_of: date, *, batch_size: int = BATCH_SIZE) -> Iterator[Proposal]:
    """`scan_late_entries`, streamed: the records are read `batch_size` at a time."""
    end = day_start(as_of)
    window = {
        "is_late": True,
        "entered_at__gte": end - timedelta(days=LOOKBACK_DAYS),
        "entered_at__lt": end,
    }
    # Records already proposed are left in the database: a night reads only what is new.
    followups = (
        FollowUp.objects.filter(amends__isnull=True, **window)
        .exclude(Exists(LedgerEntry.objects.filter(followup=OuterRef("pk"))))
        .values_list("pk", "author_id", "customer_id", "customer__name", "entered_at", "deadline")
    )
    deals = (
        Deal.objects.filter(**window)
        .exclude(Exists(LedgerEntry.objects.filter(deal=OuterRef("pk"))))
        .values_list("pk", "author_id", "customer_id", "customer__name", "entered_at", "deadline")
    )
    for kind, records in (("f", followups), ("d", deals)):
        what = _("Follow-up") if kind == "f" else _("Purchase record")
        for rows in _chunks(records.iterator(chunk_size=batch_size), batch_size):
            departments = _departments(row[1] for row in rows)
            for pk, author_id, customer_id, name, entered_at, deadline in rows:
                yield Proposal(
                    code="LATE_ENTRY",
                    person_id=author_id,
                    department_id=departments.get(author_id),
                    reason=_("%(what)s for %(customer)s entered %(entered)s, due by %(deadline)s.")
                    % {
                        "what": what,
                        "customer": name,
                        "entered": timezone.localtime(entered_at, SHANGHAI).strftime(
                            "%Y-%m-%d %H:%M"
                        ),
                        "deadline": timezone.localtime(deadline, SHANGHAI).strftime(
                            "%Y-%m-%d %H:%M"
                        ),
                    },
                    occurred_on=_local_date(entered_at),
                    scan_key=f"LATE_ENTRY:{kind}{pk}",
                    customer_id=customer_id,
                    followup_id=pk if kind == "f" else None,
                    deal_id=pk if kind == "d" else None,
                )


def scan_incomplete_after_deal(as_of: date) -> list[Proposal]:
    """INCOMPLETE_AFTER_DEAL (000 §3.1.f): a customer with a deal must have its ten basic
    fields complete within two months of the first deal; after that its holder owes 20 yuan
    (once per customer and deadline)."""
    return list(iter_incomplete_after_deal(as_of))


def iter_incomplete_after_deal(as_of: date, *, batch_size: int = BATCH_SIZE) -> Iterator[Proposal]:
    """`scan_incomplete_after_deal`, streamed: the customers are read `batch_size` at a time."""
    due = Customer.objects.filter(
        is_incomplete=True,
        first_deal_at__isnull=False,  # without a deal `completion_due` orders the worklist only
        completion_due__lt=as_of,
        completion_due__gte=as_of - timedelta(days=LOOKBACK_DAYS),
        holder__isnull=False,
    )
    proposed = LedgerEntry.objects.filter(
        customer=OuterRef("pk"),
        rule__code="INCOMPLETE_AFTER_DEAL",
        occurred_on=OuterRef("completion_due"),
    )
    due = due.exclude(Exists(proposed)).values_list(
        "pk", "name", "holder_id", "department_id", "completion_due"
    )
    for pk, name, holder_id, department_id, completion_due in due.iterator(chunk_size=batch_size):
        yield Proposal(
            code="INCOMPLETE_AFTER_DEAL",
            person_id=holder_id,
            department_id=department_id,
            reason=_("%(customer)s: basic information still incomplete after %(due)s.")
            % {"customer": name, "due": completion_due.isoformat()},
            occurred_on=completion_due,
            scan_key=f"INCOMPLETE_AFTER_DEAL:{pk}:{completion_due.isoformat()}",
            customer_id=pk,
        )


def scan_handovers_overdue(as_of: date) -> list[Proposal]:
    """HANDOVER_OVERDUE (000 §4.2⑤): a leaver's or transferee's customers not distributed
    within seven days cost the department manager 50 yuan."""
    end = day_start(as_of)
    overdue = handovers_overdue(end).filter(due_at__gte=end - timedelta(days=LOOKBACK_DAYS))
    proposals = []
    for handover in overdue:
        manager_id = handover.department.manager_id if handover.department_id else None
        if manager_id is None:
            continue
        proposals.append(
            Proposal(
                code="HANDOVER_OVERDUE",
                person_id=manager_id,
                department_id=handover.department_id,
                reason=_("Handover of %(person)s's customers was due %(due)s.")
                % {
                    "person": handover.person,
                    "due": timezone.localtime(handover.due_at, SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                },
                occurred_on=_local_date(handover.due_at),
                scan_key=f"HANDOVER_OVERDUE:{handover.pk}",
                handover_id=handover.pk,
            )
        )
    return proposals


def _salespeople_for_month(month_start: date, next_month: date):
    """Salespeople employed for the whole month: hired by its first day, not gone before
    its end."""
    gone = Q(status=Staff.Status.LEFT, status_effective_at__lt=day_start(next_month))
    return (
        Staff.objects.filter(role=Staff.Role.SALESPERSON, hire_date__lte=month_start)
        .exclude(gone)
        .values_list("user_id", "department_id")
    )


def scan_new_resource_quota(as_of: date) -> list[Proposal]:
    """NEW_RESOURCE_QUOTA (000 §4.2①a): each salesperson registers at least 40 new customers
    a month; fewer is recorded (0 yuan, a KPI line) on the 1st for the month just ended.
    A customer the manager has declared invalid (无效客户, 004) does not count: registering
    forty names nobody will ever buy from is not forty new customers."""
    if as_of.day != 1:
        return []
    month_start = as_of - relativedelta(months=1)
    quota = config.NEW_RESOURCE_QUOTA
    counts = dict(
        Customer.objects.filter(
            VALID, registered_at__gte=day_start(month_start), registered_at__lt=day_start(as_of)
        )
        .values("registered_by")
        .annotate(n=Count("pk"))
        .values_list("registered_by", "n")
    )
    proposals = []
    for user_id, department_id in _salespeople_for_month(month_start, as_of):
        registered = counts.get(user_id, 0)
        if registered >= quota:
            continue
        proposals.append(
            Proposal(
                code="NEW_RESOURCE_QUOTA",
                person_id=user_id,
                department_id=department_id,
                reason=_("%(count)s of %(quota)s new customers registered in %(month)s.")
                % {"count": registered, "quota": quota, "month": month_label(month_start)},
                occurred_on=as_of - timedelta(days=1),
                scan_key=f"NEW_RESOURCE_QUOTA:{user_id}:{month_label(month_start)}",
                points=registered - quota,
            )
        )
    return proposals


def quota_shortfall(
    month_start: date, next_month: date, *, holders: list[int] | None = None
) -> dict[int, int]:
    """Follow-ups missing per holder in a month: for every held customer with an intent grade,
    max(quota − follow-ups its holder logged that month, 0), summed per holder. One query.
    Invalid customers (无效客户, 004) owe nothing — the SQL spelling of `customers.selectors.VALID`;
    `customers.day.quota_progress` is the ORM twin and a test asserts they agree.

    Hand-written because the month's follow-ups are counted once, grouped by customer and
    author, and joined to the customers — a correlated count per customer (what the ORM
    writes) costs a million index probes at a million customers (measured: see
    docs/performance.md)."""
    grade_quota = quotas()
    customer, followup = Customer._meta.db_table, FollowUp._meta.db_table
    cases = " ".join("WHEN %s THEN %s" for _ in grade_quota)
    params: list = [p for g, q in grade_quota.items() for p in (g, q)]
    # Adapted as the ORM would: SQLite stores UTC text, and a raw aware datetime compares as
    # "…+08:00" text — off by eight hours at the month's edges (a test holds the twins equal).
    adapt = connection.ops.adapt_datetimefield_value
    params += [adapt(day_start(month_start)), adapt(day_start(next_month))]
    # A department's holders (the manager's dashboard): both sides start from them — the
    # follow-ups through (author_id, occurred_at) and the customers through holder_id — rather
    # than counting the whole company's month and keeping a department's rows (issue 19: 3 s →
    # 25 ms for a department at 20M follow-ups). The same answer: the join is on author = holder.
    authors = only = ""
    holder_params: list = []
    if holders is not None:
        if not holders:
            return {}
        holders = sorted(set(holders))
        marks = ", ".join("%s" for _ in holders)
        authors, only = f"AND author_id IN ({marks})", f"AND c.holder_id IN ({marks})"
        holder_params = holders
    params += holder_params  # the follow-ups' authors
    grades = ", ".join("%s" for _ in grade_quota)
    params += list(grade_quota)
    params.append(False)  # c.is_invalid
    params += holder_params  # the customers' holders
    sql = f"""
        SELECT holder_id, SUM(CASE WHEN quota > done THEN quota - done ELSE 0 END)
        FROM (
            SELECT c.holder_id AS holder_id,
                   CASE c.intent_grade {cases} ELSE 0 END AS quota,
                   COALESCE(f.n, 0) AS done
            FROM {customer} c
            LEFT JOIN (
                SELECT customer_id, author_id, COUNT(*) AS n FROM {followup}
                WHERE amends_id IS NULL AND occurred_at >= %s AND occurred_at < %s {authors}
                GROUP BY customer_id, author_id
            ) f ON f.customer_id = c.id AND f.author_id = c.holder_id
            WHERE c.holder_id IS NOT NULL AND c.intent_grade IN ({grades})
              AND c.is_invalid = %s {only}
        ) owed
        GROUP BY holder_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {holder_id: int(missing) for holder_id, missing in cursor.fetchall() if missing}


def scan_quota_score(as_of: date) -> list[Proposal]:
    """QUOTA_SCORE (004): A-grade customers need 4 follow-ups a month, B 3, C 2, D 1; each one
    missing is −1 point, recorded on the 1st for the month just ended. Counted over the
    customers each salesperson holds when the scan runs."""
    if as_of.day != 1:
        return []
    month_start = as_of - relativedelta(months=1)
    missing = quota_shortfall(month_start, as_of)
    proposals = []
    for user_id, department_id in _salespeople_for_month(month_start, as_of):
        owed = missing.get(user_id, 0)
        if not owed:
            continue
        proposals.append(
            Proposal(
                code="QUOTA_SCORE",
                person_id=user_id,
                department_id=department_id,
                reason=_("%(count)s follow-ups missing against the grade quota in %(month)s.")
                % {"count": owed, "month": month_label(month_start)},
                occurred_on=as_of - timedelta(days=1),
                scan_key=f"QUOTA_SCORE:{user_id}:{month_label(month_start)}",
                points=-owed,
            )
        )
    return proposals


def scan_no_login(as_of: date) -> list[Proposal]:
    """NO_LOGIN (002 §3): staff who have not logged in for 14 days are reported to their
    manager (0 yuan; one entry per absence, keyed by the last login)."""
    end = day_start(as_of)
    limit = end - timedelta(days=config.NO_LOGIN_DAYS)
    gone = Q(status=Staff.Status.LEFT, status_effective_at__lt=end)
    staff = (
        Staff.objects.exclude(role=Staff.Role.GENERAL_MANAGER)
        .exclude(gone)
        .filter(user__is_active=True, hire_date__lt=limit.date())
        .filter(
            Q(user__last_login__lt=limit)
            | Q(user__last_login__isnull=True, user__date_joined__lt=limit)
        )
        .values_list("user_id", "department_id", "user__last_login")
    )
    proposals = []
    for user_id, department_id, last_login in staff:
        seen = _local_date(last_login).isoformat() if last_login else "never"
        proposals.append(
            Proposal(
                code="NO_LOGIN",
                person_id=user_id,
                department_id=department_id,
                reason=(
                    _("No login since %(date)s.") % {"date": seen}
                    if last_login
                    else _("Has never logged in.")
                ),
                occurred_on=as_of - timedelta(days=1),
                scan_key=f"NO_LOGIN:{user_id}:{seen}",
            )
        )
    return proposals


def scan_no_opportunity_action(as_of: date) -> list[Proposal]:
    """NO_OPPORTUNITY_ACTION (002 §3.2; SPEC §10): every opportunity open at the end of a month
    needs at least one logged action (一般行动) in it; one without is recorded on the 1st, for
    the month just ended, on the customer's holder at the month's end (0 yuan, −1 point, one
    entry per opportunity and month). Which opportunities count is
    `sales.selectors.opportunities.missing_action`; a customer in a pool at the month's end has
    nobody to record it on."""
    if as_of.day != 1:
        return []
    month_start = as_of - relativedelta(months=1)
    missing = [m for m in opportunities_missing_action(month=month_start) if m.holder_id]
    departments = _departments(m.holder_id for m in missing)
    month = month_label(month_start)
    return [
        Proposal(
            code="NO_OPPORTUNITY_ACTION",
            person_id=m.holder_id,
            department_id=departments.get(m.holder_id),
            reason=_("%(customer)s: opportunity “%(product)s” had no logged action in %(month)s.")
            % {"customer": m.customer_name, "product": m.product, "month": month},
            occurred_on=as_of - timedelta(days=1),
            scan_key=f"NO_OPPORTUNITY_ACTION:{m.opportunity_id}:{month}",
            points=-1,
            customer_id=m.customer_id,
        )
        for m in missing
    ]


SCANS = [
    scan_late_entries,
    scan_incomplete_after_deal,
    scan_handovers_overdue,
    scan_new_resource_quota,
    scan_quota_score,
    scan_no_login,
    scan_no_opportunity_action,
]

# The monthly scans (run as of the 1st, for the month just ended): each one a period job of
# its own, caught up by `penalties_monthly_reconcile` (SPEC §9).
MONTHLY_SCANS = {
    "NEW_RESOURCE_QUOTA": scan_new_resource_quota,
    "QUOTA_SCORE": scan_quota_score,
    "NO_OPPORTUNITY_ACTION": scan_no_opportunity_action,
}
# The scans that read records by the hundred thousand stream (the others' lists are bounded
# by the staff or a month's opportunities).
STREAMS = {
    scan_late_entries: iter_late_entries,
    scan_incomplete_after_deal: iter_incomplete_after_deal,
}
MONTHLY_RUN_AT = time(1, 0)  # due on the 1st from 01:00 Asia/Shanghai, after the night's reclaims
CATCH_UP_MONTHS = 3  # a scheduler down longer than this leaves the older months to the command


def monthly_job(code: str) -> str:
    """The job name of a monthly scan in `crm.models.JobPeriodRun`."""
    return f"penalties-monthly:{code}"


# --- running them --------------------------------------------------------------------------


def _notify_no_login(entries: list[LedgerEntry], now: datetime) -> None:
    """The NO_LOGIN entry is a notice to the manager (002 §3)."""
    departments = {
        d.pk: d
        for d in Department.objects.filter(
            pk__in={e.department_id for e in entries}
        ).select_related("manager")
    }
    gms = list(general_managers())
    for entry in entries:
        department = departments.get(entry.department_id)
        manager = department.manager if department else None
        recipients = [manager] if manager and manager.pk != entry.person_id else gms
        for recipient in recipients:
            notify(
                recipient=recipient,
                title=_("%(person)s has not logged in for %(days)s days")
                % {"person": entry.person, "days": config.NO_LOGIN_DAYS},
                body=entry.reason,
                link=reverse("penalties:detail", args=[entry.pk]),
                now=now,
            )


def penalties_scan(
    *,
    as_of: date,
    now: datetime,
    dry_run: bool = False,
    monthly: bool = True,
    batch_size: int = BATCH_SIZE,
) -> ScanResult:
    """Run every scan as of `as_of` and propose what is new. Entries go into the month of the
    breach, or into the month of `as_of` when that month is already closed. `monthly=False`
    leaves out the monthly scans (the nightly task: `penalties_monthly_reconcile` runs them).
    Streamed `batch_size` proposals at a time (the result does not depend on it)."""
    scans = SCANS if monthly else [s for s in SCANS if s not in MONTHLY_SCANS.values()]

    def proposals() -> Iterator[Proposal]:
        for scan in scans:
            if scan in STREAMS:
                yield from STREAMS[scan](as_of, batch_size=batch_size)
            else:
                yield from scan(as_of)

    return propose_entries(
        proposals(), as_of=as_of, now=now, dry_run=dry_run, batch_size=batch_size
    )


def penalties_monthly_reconcile(*, now: datetime) -> dict[str, list[str]]:
    """Run each monthly scan for every month it owes and has not run yet (SPEC §9: a missed
    1st of the month is caught up, exactly once, when the scheduler returns; at most
    CATCH_UP_MONTHS back, oldest first). A month M's scan runs as of the 1st of M+1, so it
    sees the month exactly as the 1st's run would have. Returns the months run per rule."""
    periods = due_months(now=now, run_at=MONTHLY_RUN_AT, back=CATCH_UP_MONTHS)
    ran = {}
    for code, scan in MONTHLY_SCANS.items():

        def run(period: str, scan=scan) -> int:
            as_of = month_from_key(period) + relativedelta(months=1)
            return propose_entries(scan(as_of), as_of=as_of, now=now).total

        results = run_missed_periods(job=monthly_job(code), periods=periods, fn=run, now=now)
        ran[code] = [r.period for r in results if r.ran]
    return ran


def propose_entries(
    proposals: Iterable[Proposal],
    *,
    as_of: date,
    now: datetime,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ScanResult:
    """Propose the ledger entries of `proposals` that are new (by `scan_key`), for the scans
    here and for the higher apps' own (e.g. service's yearly evaluation): same rules, same
    months, same idempotency. `proposals` may be a stream: it is checked and written
    `batch_size` at a time, in one transaction (a failed run writes nothing); the result keeps
    the first KEEP entries (what a dry run shows), its counts cover them all."""
    result = ScanResult(as_of=as_of)
    rules = {r.code: r for r in PenaltyRule.objects.filter(is_active=True)}
    closed = set(ClosedMonth.objects.values_list("month", flat=True))
    fallback = month_of(as_of)
    no_login: list[str] = []
    # A dry run writes nothing: no transaction to hold open while it reads.
    with nullcontext() if dry_run else transaction.atomic():
        for batch in _chunks(proposals, batch_size):
            existing = set(
                LedgerEntry.objects.filter(scan_key__in=[p.scan_key for p in batch]).values_list(
                    "scan_key", flat=True
                )
            )
            entries = []
            for p in batch:
                if p.scan_key in existing:
                    continue
                rule = rules.get(p.code)
                if rule is None:
                    continue
                month = month_of(p.occurred_on)
                if month in closed:
                    month = fallback
                if month in closed:
                    result.skipped_closed += 1
                    continue
                entries.append(
                    LedgerEntry(
                        person_id=p.person_id,
                        department_id=p.department_id,
                        rule=rule,
                        amount=rule.default_amount,
                        points=p.points,
                        reason=p.reason,
                        month=month,
                        occurred_on=p.occurred_on,
                        customer_id=p.customer_id,
                        followup_id=p.followup_id,
                        deal_id=p.deal_id,
                        handover_id=p.handover_id,
                        created_at=now,
                        scan_key=p.scan_key,
                    )
                )
                result.proposed[p.code] += 1
            result.entries += entries[: max(KEEP - len(result.entries), 0)]
            if dry_run or not entries:
                continue
            created = bulk_create_with_history(
                entries, LedgerEntry, batch_size=batch_size, default_date=now
            )
            no_login += [e.scan_key for e in created if e.rule.code == "NO_LOGIN"]
        if no_login:
            saved = list(LedgerEntry.objects.filter(scan_key__in=no_login).select_related("person"))
            _notify_no_login(saved, now)
    return result
