"""Reads of the public notice board (公示, SPEC §6) and the 不满意 verification."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, DateTimeField, Min, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.models import Department
from crm.rights import general_managers, may_manage_company
from crm.selectors import departments_managed_by
from customers.models import Pool

from ..inbox import InboxItem
from ..models import JobRun, PublicNotice, UnsatisfiedVerification
from ..rights import may_approve


def company_notice(notice: PublicNotice) -> bool:
    return notice.pool == Pool.COMPANY or notice.department_id is None


def notices_visible_to(user) -> QuerySet[PublicNotice]:
    """The notice board: company-pool notices for everyone; a department's notices for the
    people of that department (salespeople and accountants included) and its managers (the
    GM: all); and every notice naming `user` as the previous holder, wherever they work now."""
    if not user.is_authenticated or not user.is_active:
        return PublicNotice.objects.none()
    scope = (
        Q(pool=Pool.COMPANY)
        | Q(department__isnull=True)
        | Q(department__in=departments_managed_by(user))
        | Q(previous_holder=user.pk)
    )
    staff = getattr(user, "staff", None)
    if staff is not None and staff.department_id:
        scope |= Q(department=staff.department_id)
    return PublicNotice.objects.filter(scope)


class _OpenedSince(Subquery):
    """`(SELECT MIN(reclaimed_at) FROM (<some rows of a set>))`: at least that many rows of the
    set were reclaimed at or after it (see `newest_notices`)."""

    template = '(SELECT MIN("_w"."reclaimed_at") FROM (%(subquery)s) "_w")'
    output_field = DateTimeField()


def newest_notices(notices: QuerySet[PublicNotice], *, limit: int) -> QuerySet[PublicNotice]:
    """The newest `limit` of `notices` (reclaimed_at, then id, descending), read through the
    ends_at index instead of sorting the whole history; one query, to be filtered on by pk.

    Every notice ends after it was opened (`notice_end`: midnight after the last working day
    after the reclaim day). Take any `limit` rows of the set — the latest-ending, which the
    ends_at index hands over first — and let B be the earliest reclaim among them: at least
    `limit` rows were reclaimed at or after B, so each of the newest `limit` was too, and ends
    at or after B. Filtering on `ends_at >= B` therefore keeps all of them while reading only the
    notices that end after B (with fewer than `limit` rows B bounds the whole set). The scope is
    an OR across columns no index serves; this walk stops after `limit` rows of the scope (the
    company and department-less notices every viewer sees keep it short) and never sorts two
    years of history (1.6 s for the GM on 150,000 notices)."""
    bound = _OpenedSince(notices.order_by("-ends_at").values("reclaimed_at")[:limit])
    return notices.filter(ends_at__gte=bound).order_by("-reclaimed_at", "-pk")[:limit]


def run_notices(job: JobRun, *, upto: datetime | None = None) -> QuerySet[PublicNotice]:
    """The notices one reclaim run (rule × period, resumed runs included) opened: its rule,
    reclaimed from the run's start on. `ends_at > started_at` lets the ends_at index drive the
    scan (every notice ends after it was opened), so old notices are never read."""
    upto = upto or job.finished_at
    qs = PublicNotice.objects.filter(
        policy=job.policy, ends_at__gt=job.started_at, reclaimed_at__gte=job.started_at
    )
    return qs.filter(reclaimed_at__lte=upto) if upto else qs


def run_holder_counts(job: JobRun, *, upto: datetime) -> list[dict]:
    """Per former holder of one run: how many customers it took and the earliest notice end
    (the appeal deadline). One GROUP BY query."""
    return list(
        run_notices(job, upto=upto)
        .values("previous_holder")
        .annotate(n=Count("pk"), ends_at=Min("ends_at"))
        .order_by("previous_holder")
    )


def reclaimed_from(user, *, now: datetime, limit: int = 10) -> list[PublicNotice]:
    """Notices naming `user` as the previous holder that still run or wait on a decision,
    soonest deadline first — the dashboard's 被回收 list with its appeal buttons."""
    return list(
        PublicNotice.objects.filter(previous_holder=user.pk)
        .filter(Q(ends_at__gt=now) | Q(appealed_at__isnull=False, decision=""))
        .select_related("customer")
        .order_by("ends_at", "pk")[:limit]
    )


def customers_on_notice(customer_ids: Iterable[int], now: datetime) -> set[int]:
    """Which of `customer_ids` may not be distributed or claimed yet: on a running public
    notice (`ends_at > now`) that a restore did not settle, or with an appeal made in time
    that nobody has decided (so a late decision can still restore it). One query."""
    running = Q(ends_at__gt=now) & ~Q(decision=PublicNotice.Decision.RESTORED)
    appeal_pending = Q(appealed_at__isnull=False, decision="")
    return set(
        PublicNotice.objects.filter(running | appeal_pending, customer_id__in=customer_ids)
        .values_list("customer_id", flat=True)
        .distinct()
    )


def general_manager_ids(*, besides: int) -> list[int]:
    return list(general_managers().exclude(pk=besides).values_list("pk", flat=True))


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def designated_deciders(notice: PublicNotice, managers: dict[int, int | None], gm_ids) -> list[int]:
    """Who an appeal goes to: the nearest manager up the department tree who is not the
    appellant; the GM(s) when there is none, and always for the company pool."""
    if not company_notice(notice):
        for department_id in reversed(_path_ids(notice.department.path)):
            manager_id = managers.get(department_id)
            if manager_id and manager_id != notice.previous_holder_id:
                return [manager_id]
    return [pk for pk in gm_ids if pk != notice.previous_holder_id]


def managers_by_department(notices: list[PublicNotice]) -> dict[int, int | None]:
    ids = {pk for n in notices if not company_notice(n) for pk in _path_ids(n.department.path)}
    if not ids:
        return {}
    return dict(
        Department.objects.filter(pk__in=ids, manager__is_active=True).values_list(
            "pk", "manager_id"
        )
    )


def inbox_items(user, *, now: datetime, managed_ids: list[int] | None = None) -> list[InboxItem]:
    """Appealed, undecided notices waiting on `user` — the inbox's 申诉 rows, oldest appeal
    first. Shown to whom the appeal was sent (see `designated_deciders`); others in scope may still
    decide from the notice page."""
    if not user.is_authenticated or not may_approve(user):
        return []
    gm = may_manage_company(user)
    managed = departments_managed_by(user) if managed_ids is None else managed_ids
    scope = Q(department__in=managed, pool=Pool.DEPARTMENT)
    if gm:
        scope |= Q(pool=Pool.COMPANY) | Q(department__isnull=True)
    # The pending appeals' ids first, then their rows: PostgreSQL cannot tell that of the
    # appealed notices (1%) hardly any is undecided, estimated some 1,500 rows for the joined
    # read and started a parallel worker for it (10 ms for the 3 rows it found, issue 19). The
    # ids come from notice_appeal_pending_idx alone; with none, this is the only query.
    pending = list(
        PublicNotice.objects.filter(scope, appealed_at__isnull=False, decision="")
        .exclude(previous_holder=user.pk)
        .values_list("pk", flat=True)
    )
    if not pending:
        return []
    notices = list(
        PublicNotice.objects.filter(pk__in=pending)
        .select_related("customer", "previous_holder", "department")
        .order_by("appealed_at", "pk")
    )
    managers = managers_by_department(notices)
    gm_ids = [user.pk] if gm else []
    items = []
    for notice in notices:
        if user.pk not in designated_deciders(notice, managers, gm_ids):
            continue
        items.append(
            InboxItem(
                kind=_("Appeal"),
                title=_("%(person)s appeals against the reclaim of %(customer)s")
                % {
                    "person": notice.previous_holder.display_name,
                    "customer": notice.customer.name,
                },
                created_at=notice.appealed_at,
                url=reverse("allocation:notice_detail", args=[notice.pk]),
                due_at=notice.ends_at,
                decide_url=reverse("allocation:notice_decide", args=[notice.pk]),
            )
        )
    return items


@dataclass
class VerificationState:
    standing: set[int]  # verified, in force
    withdrawn: set[int]  # verified, then withdrawn by the manager


def verified_followup_ids(followup_ids: Iterable[int]) -> VerificationState:
    """The verification state of the 不满意 follow-ups among `followup_ids` (one query)."""
    ids = list(followup_ids)
    state = VerificationState(standing=set(), withdrawn=set())
    if not ids:
        return state
    rows = UnsatisfiedVerification.objects.filter(followup__in=ids).values_list(
        "followup_id", "withdrawn_at"
    )
    for followup_id, withdrawn_at in rows:
        (state.standing if withdrawn_at is None else state.withdrawn).add(followup_id)
    return state
