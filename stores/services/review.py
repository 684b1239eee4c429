"""客户经理月度考核 (004 四; SPEC §12, §4): computed on the 1st for the month just ended, one
review per customer manager and month; the store manager scores internal service, the GM
(专题总监/总经理) adjusts and confirms; a confirmed review never changes.

Scores (each floored at 0):
- 信息管理 30: −1 per register line the customer manager recorded that month that is incomplete,
  −1 per line entered late (a line both incomplete and late costs 2).
- 追访频次 30: −1 per follow-up missing under the grade quotas (A4/B3/C2/D1) over the customers
  they hold (`penalties.services.scans.quota_shortfall`, the month-end scan's count).
- 考勤/外出登记 20: −1 per working day on which an active designer of the store has no
  attendance row (the store's customer managers share the duty, 004 二.7: each carries it),
  −1 per outing they recorded whose return was not recorded by the end of the day out.
- 内部服务满意率 20: entered by the store manager; counts 0 until scored.

`details` keeps each deduction ({"code", "points", "day", "names", "what"}); `deduction_text`
renders it in the reader's language."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation.models import JobRun
from crm.calendar import SHANGHAI, day_start, is_workday, overrides_between
from crm.errors import RuleError
from crm.models import Department, Staff, User
from customers.day import quota_progress
from penalties.services.scans import quota_shortfall

from ..models import Attendance, MonthlyReview, Outing, Visit
from ..rights import may_decide_review, may_score_review

INFO_MAX, FOLLOWUP_MAX, SERVICE_MAX, ATTENDANCE_MAX = 30, 30, 20, 20
ADJUST_LIMIT = 100
# The monthly run's record (allocation's JobRun: one row per rule and period, UNIQUE).
REVIEW_JOB = "store_review"
CATCH_UP_MONTHS = 3  # the run computes at most this many missed months


class ReviewError(RuleError):
    """The review cannot be computed, scored, adjusted or confirmed as asked."""


# --- the deductions ---------------------------------------------------------------------


def deduction_text(item: dict) -> str:
    """One deduction in the reader's language (the stored `what` for unknown codes)."""
    code = item.get("code", "")
    day = item.get("day", "")
    names = "、".join(n or _("Anonymous") for n in item.get("names", [])) or _("Anonymous")
    texts = {
        "incomplete": _("%(day)s %(names)s: register line incomplete"),
        "late": _("%(day)s %(names)s: register line entered late"),
        "incomplete_late": _("%(day)s %(names)s: register line incomplete and entered late"),
        "followup": _("%(names)s (grade %(grade)s): %(done)s of %(quota)s follow-ups"),
        "followup_more": _("Other customers: %(points)s follow-ups missing"),
        "attendance": _("%(day)s: no attendance for %(names)s"),
        "outing_open": _("%(day)s %(names)s: return from the outing not recorded"),
        "outing_late": _("%(day)s %(names)s: return recorded on a later day"),
    }
    text = texts.get(code)
    if text is None:
        return str(item.get("what", ""))
    return text % {
        "day": day,
        "names": names,
        "grade": item.get("grade", ""),
        "done": item.get("done", 0),
        "quota": item.get("quota", 0),
        "points": item.get("points", 0),
    }


def _item(code: str, points: int, **facts) -> dict:
    item = {"code": code, "points": points, **facts}
    item["what"] = deduction_text(item)
    return item


def _local_day(at: datetime) -> date:
    return timezone.localtime(at, SHANGHAI).date()


def _employed_on(staff: Staff, day: date) -> bool:
    """Hired by `day` and not gone before it began."""
    if staff.hire_date > day:
        return False
    gone = staff.status == Staff.Status.LEFT and staff.status_effective_at is not None
    return not (gone and staff.status_effective_at <= day_start(day))


def _active_in_month(store_ids, position: str, month_start: date, next_month: date):
    """Staff of those stores with the position, employed some day of the month."""
    gone = Q(status=Staff.Status.LEFT, status_effective_at__lte=day_start(month_start))
    return (
        Staff.objects.filter(department__in=store_ids, position=position, hire_date__lt=next_month)
        .exclude(gone)
        .select_related("user")
        .order_by("department_id", "user__username")
    )


def _info_items(cm: User, start: datetime, end: datetime) -> list[dict]:
    lines = (
        Visit.objects.filter(recorded_by=cm, occurred_at__gte=start, occurred_at__lt=end)
        .filter(Q(is_incomplete=True) | Q(is_late_entry=True))
        .order_by("occurred_at", "pk")
        .only("occurred_at", "visitor_name", "is_incomplete", "is_late_entry")
    )
    items = []
    for line in lines:
        both = line.is_incomplete and line.is_late_entry
        code = "incomplete_late" if both else ("incomplete" if line.is_incomplete else "late")
        items.append(
            _item(
                code,
                2 if both else 1,
                day=_local_day(line.occurred_at).isoformat(),
                names=[line.visitor_name],
            )
        )
    return items


def _followup_items(cm: User, month_start: date, missing: int) -> list[dict]:
    """Which customers the missing follow-ups are for (the first ten per grade), and the
    rest in one line, so the items add up to the count `quota_shortfall` gave."""
    if not missing:
        return []
    items = []
    for row in quota_progress(cm, today=month_start):
        for customer, done in row.behind:
            items.append(
                _item(
                    "followup",
                    row.quota - done,
                    names=[customer.name],
                    grade=row.grade,
                    done=done,
                    quota=row.quota,
                )
            )
    listed = sum(i["points"] for i in items)
    if listed > missing:  # the two counts disagree only if data changed in between
        return [_item("followup_more", missing)]
    if listed < missing:
        items.append(_item("followup_more", missing - listed))
    return items


def _attendance_gaps(store: Department, month_start: date, next_month: date) -> list[tuple]:
    """(day, designers without an attendance row) for each working day of the month."""
    designers = list(_active_in_month([store.pk], Staff.Position.DESIGNER, month_start, next_month))
    kept = set(
        Attendance.objects.filter(
            designer__in=[d.user_id for d in designers],
            day__gte=month_start,
            day__lt=next_month,
        ).values_list("designer_id", "day")
    )
    overrides = overrides_between(month_start, next_month - timedelta(days=1))
    gaps = []
    day = month_start
    while day < next_month:
        if is_workday(day, overrides=overrides):
            missing = [
                d.user.display_name
                for d in designers
                if _employed_on(d, day) and (d.user_id, day) not in kept
            ]
            if missing:
                gaps.append((day, missing))
        day += timedelta(days=1)
    return gaps


def _outing_items(cm: User, start: datetime, end: datetime) -> list[dict]:
    outings = (
        Outing.objects.filter(recorded_by=cm, out_at__gte=start, out_at__lt=end)
        .select_related("designer")
        .order_by("out_at", "pk")
    )
    items = []
    for outing in outings:
        out_day = _local_day(outing.out_at)
        if outing.back_recorded_at is None:
            code = "outing_open"
        elif _local_day(outing.back_recorded_at) > out_day:
            code = "outing_late"
        else:
            continue
        items.append(_item(code, 1, day=out_day.isoformat(), names=[outing.designer.display_name]))
    return items


def _score(maximum: int, items: list[dict]) -> int:
    return max(0, maximum - sum(i["points"] for i in items))


def month_of(day: date) -> date:
    return day.replace(day=1)


def review_compute(*, month_start: date, now: datetime, stores=None) -> list[MonthlyReview]:
    """One review per customer manager of every store (or of `stores`) for the month; a
    re-run recomputes the three computed parts of an unconfirmed review (the service score
    and the GM's adjustment stay), a confirmed one is left as it is. Only a month that has
    ended can be computed."""
    month_start = month_of(month_start)
    next_month = month_start + relativedelta(months=1)
    start, end = day_start(month_start), day_start(next_month)
    if end > now:
        raise ReviewError(_("A month is reviewed once it has ended."))
    store_qs = Department.objects.filter(kind=Department.Kind.STORE)
    if stores is not None:
        store_qs = store_qs.filter(pk__in=[getattr(s, "pk", s) for s in stores])
    store_list = list(store_qs.order_by("path"))
    cms = list(
        _active_in_month(
            [s.pk for s in store_list], Staff.Position.CUSTOMER_MANAGER, month_start, next_month
        )
    )
    if not cms:
        return []
    missing = quota_shortfall(month_start, next_month, holders=[s.user_id for s in cms])
    by_store = {s.pk: s for s in store_list}
    gaps = {s.pk: _attendance_gaps(s, month_start, next_month) for s in store_list}
    existing = {
        r.customer_manager_id: r
        for r in MonthlyReview.objects.filter(
            month=month_start, customer_manager__in=[s.user_id for s in cms]
        )
    }
    results = []
    with transaction.atomic():
        for staff in cms:
            review = existing.get(staff.user_id)
            if review is not None and review.confirmed_at is not None:
                results.append(review)  # confirmed reviews never change
                continue
            store = by_store[staff.department_id]
            cm = staff.user
            info = _info_items(cm, start, end)
            followup = _followup_items(cm, month_start, missing.get(cm.pk, 0))
            attendance = [
                _item("attendance", 1, day=day.isoformat(), names=names)
                for day, names in gaps[store.pk]
                if _employed_on(staff, day)
            ]
            attendance += _outing_items(cm, start, end)
            computed = {
                "store": store,
                "info_score": _score(INFO_MAX, info),
                "followup_score": max(0, FOLLOWUP_MAX - missing.get(cm.pk, 0)),
                "attendance_score": _score(ATTENDANCE_MAX, attendance),
                "details": {"info": info, "followup": followup, "attendance": attendance},
                "computed_at": now,
            }
            if review is None:
                review = MonthlyReview(customer_manager=cm, month=month_start, **computed)
            else:
                for name, value in computed.items():
                    setattr(review, name, value)
            review.save()
            results.append(review)
    return results


# --- the monthly run --------------------------------------------------------------------


@dataclass
class ReviewRun:
    months: list[date] = field(default_factory=list)  # computed by this run
    reviews: int = 0


def review_month_run(*, month_start: date, now: datetime, force: bool = False) -> int | None:
    """Compute one month once (recorded as a finished JobRun); `force` recomputes a month
    already run (the command's --month). None when it had been run already."""
    month_start = month_of(month_start)
    with transaction.atomic():
        job, _created = JobRun.objects.get_or_create(
            policy=REVIEW_JOB, period=month_start, defaults={"started_at": now}
        )
        # Locked: a second run of the same month waits here, then finds it finished.
        job = JobRun.objects.select_for_update().get(pk=job.pk)
        if job.finished_at is not None and not force:
            return None
        reviews = review_compute(month_start=month_start, now=now)
        job.finished_at = now
        job.moved = len(reviews)
        job.save(update_fields=["finished_at", "moved"])
    return len(reviews)


def review_monthly_run(*, now: datetime) -> ReviewRun:
    """The 1st of the month: compute the month just ended, and every month missed since the
    last run (at most CATCH_UP_MONTHS back), each exactly once."""
    run = ReviewRun()
    target = month_of(timezone.localtime(now, SHANGHAI).date()) - relativedelta(months=1)
    earliest = target - relativedelta(months=CATCH_UP_MONTHS - 1)
    last = (
        JobRun.objects.filter(policy=REVIEW_JOB, finished_at__isnull=False)
        .order_by("-period")
        .first()
    )
    month = target if last is None else max(earliest, last.period + relativedelta(months=1))
    while month <= target:
        done = review_month_run(month_start=month, now=now)
        if done is not None:
            run.months.append(month)
            run.reviews += done
        month += relativedelta(months=1)
    return run


# --- the people's part ------------------------------------------------------------------


def _locked(review: MonthlyReview) -> MonthlyReview:
    locked = MonthlyReview.objects.select_for_update().get(pk=review.pk)
    if locked.confirmed_at is not None:
        raise ReviewError(_("This review is confirmed and can no longer change."))
    return locked


def review_score_service(*, actor, review: MonthlyReview, score, now: datetime) -> MonthlyReview:
    """内部服务满意率 (0–20), by the store's manager or the GM; again until confirmed."""
    if not may_score_review(actor, review):
        raise ReviewError(_("Only the store manager or the general manager scores the service."))
    if score is None or isinstance(score, bool) or not isinstance(score, int):
        raise ReviewError(_("Give the service score as a whole number from 0 to 20."))
    if not 0 <= score <= SERVICE_MAX:
        raise ReviewError(_("Give the service score as a whole number from 0 to 20."))
    with transaction.atomic():
        locked = _locked(review)
        locked.service_score = score
        locked.service_scored_by = actor
        locked.save(update_fields=["service_score", "service_scored_by"])
    return locked


def review_adjust(
    *, actor, review: MonthlyReview, points, reason: str, now: datetime
) -> MonthlyReview:
    """The GM's adjustment (奖惩, 004 四 奖惩措施 1): replaces the previous one; a reason is
    required, and the total must stay within 0..100."""
    if not may_decide_review(actor):
        raise ReviewError(_("Only the general manager adjusts a review."))
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Give the reason for the adjustment."))
    if points is None or isinstance(points, bool) or not isinstance(points, int):
        raise ReviewError(_("Give the adjustment as a whole number from -100 to 100."))
    if not -ADJUST_LIMIT <= points <= ADJUST_LIMIT:
        raise ReviewError(_("Give the adjustment as a whole number from -100 to 100."))
    with transaction.atomic():
        locked = _locked(review)
        base = (
            locked.info_score
            + locked.followup_score
            + locked.attendance_score
            + (locked.service_score or 0)
        )
        if not 0 <= base + points <= 100:
            raise ReviewError(
                _("With this adjustment the total would be %(total)s; it must stay from 0 to 100.")
                % {"total": base + points}
            )
        locked.adjustment = points
        locked.adjustment_reason = reason[:500]
        locked.save(update_fields=["adjustment", "adjustment_reason"])
    return locked


def review_confirm(*, actor, review: MonthlyReview, now: datetime) -> MonthlyReview:
    """The GM confirms the review once the service is scored; it never changes after."""
    if not may_decide_review(actor):
        raise ReviewError(_("Only the general manager confirms a review."))
    with transaction.atomic():
        locked = _locked(review)
        if locked.service_score is None:
            raise ReviewError(_("The store manager has not scored the service yet."))
        locked.confirmed_by = actor
        locked.confirmed_at = now
        locked.save(update_fields=["confirmed_by", "confirmed_at"])
    return locked
