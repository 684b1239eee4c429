"""The yearly evaluation (001 四.4; SPEC §11): the holder submits, the department manager
(业务经理) and the next manager up (主管经理) add theirs; a daily run sends the reminders from
12-01, tells the managers of what is overdue from the day after the due date, and proposes a KPI
line (YEARLY_EVALUATION_MISSING, 0 yuan by default) per missing evaluation through penalties."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.errors import RuleError
from crm.models import Department, Staff, User
from crm.notifications import notify_many
from crm.rights import general_managers
from customers.models import Customer
from customers.services.records import customer_lock
from penalties.services.scans import Proposal, propose_entries

from ..models import YearlyEvaluation, YearlyEvaluationNotice
from ..rights import (
    may_add_director_evaluation,
    may_add_manager_evaluation,
    may_submit_yearly_evaluation,
)
from ..selectors.yearly import (
    due_customers,
    due_date,
    missing_evaluations,
    overdue_year,
    reminders_from,
)

NOTE_MAX = 1000
FIELDS = (
    "transaction_grade",
    "transaction_note",
    "credit_grade",
    "credit_note",
    "contact_grade",
    "contact_note",
)


class YearlyEvaluationError(RuleError):
    pass


def yearly_evaluation_submit(
    *, actor, customer: Customer, year: int, data: dict, now: datetime
) -> YearlyEvaluation:
    """The holder's three evaluations, once per customer and year; late submissions are taken
    (marked late) but the KPI line stands."""
    with transaction.atomic():
        customer = customer_lock(customer)
        if not may_submit_yearly_evaluation(actor, customer):
            raise YearlyEvaluationError(_("Only the customer's holder submits its evaluation."))
        if not due_customers(year).filter(pk=customer.pk).exists():
            raise YearlyEvaluationError(
                _("This customer had no deals in %(year)s.") % {"year": year}
            )
        if YearlyEvaluation.objects.filter(customer=customer, year=year).exists():
            raise YearlyEvaluationError(_("This year's evaluation was already submitted."))
        try:
            return YearlyEvaluation.objects.create(
                customer=customer,
                year=year,
                department_id=customer.department_id,
                submitted_by=actor,
                submitted_at=now,
                is_late=now.date() > due_date(year),
                **{name: data.get(name, "") for name in FIELDS},
            )
        except IntegrityError as error:  # a concurrent submission won
            raise YearlyEvaluationError(
                _("This year's evaluation was already submitted.")
            ) from error


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise YearlyEvaluationError(_("Write the evaluation."))
    if len(note) > NOTE_MAX:
        raise YearlyEvaluationError(_("The evaluation is too long."))
    return note


def yearly_evaluation_add_manager(
    *, actor, evaluation: YearlyEvaluation, note: str, now: datetime
) -> YearlyEvaluation:
    """业务经理评价: the customer's department manager (the GM when it has none), once."""
    note = _check_note(note)
    with transaction.atomic():
        evaluation = YearlyEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if not may_add_manager_evaluation(actor, evaluation):
            raise YearlyEvaluationError(_("Only the department's manager adds this evaluation."))
        if evaluation.manager_at:
            raise YearlyEvaluationError(_("The business manager's evaluation is already in."))
        evaluation.manager_note, evaluation.manager_by, evaluation.manager_at = note, actor, now
        evaluation.save(update_fields=["manager_note", "manager_by", "manager_at"])
        return evaluation


def yearly_evaluation_add_director(
    *, actor, evaluation: YearlyEvaluation, note: str, now: datetime
) -> YearlyEvaluation:
    """主管经理评价: the parent department's manager (the GM when none), after the business
    manager's, once."""
    note = _check_note(note)
    with transaction.atomic():
        evaluation = YearlyEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if not may_add_director_evaluation(actor, evaluation):
            raise YearlyEvaluationError(_("Only the supervising manager adds this evaluation."))
        if not evaluation.manager_at:
            raise YearlyEvaluationError(_("The business manager's evaluation comes first."))
        if evaluation.director_at:
            raise YearlyEvaluationError(_("The supervising manager's evaluation is already in."))
        evaluation.director_note, evaluation.director_by, evaluation.director_at = note, actor, now
        evaluation.save(update_fields=["director_note", "director_by", "director_at"])
        return evaluation


# --- the daily run -------------------------------------------------------------------------


@dataclass
class YearlyRun:
    as_of: date
    reminded: int = 0
    overdue_notified: int = 0
    proposed: int = 0
    details: list = field(default_factory=list)


def _new_notices(kind: str, year: int, user_ids, as_of: date) -> set[int]:
    """Reminders go once a day; the overdue notice once a year (the list stays open)."""
    when = {"sent_on": as_of} if kind == YearlyEvaluationNotice.Kind.REMINDER else {"year": year}
    sent = set(
        YearlyEvaluationNotice.objects.filter(
            kind=kind, user_id__in=list(user_ids), **when
        ).values_list("user_id", flat=True)
    )
    return set(user_ids) - sent


def _record_notices(kind: str, year: int, user_ids, as_of: date) -> None:
    YearlyEvaluationNotice.objects.bulk_create(
        [YearlyEvaluationNotice(user_id=u, kind=kind, year=year, sent_on=as_of) for u in user_ids],
        ignore_conflicts=True,
    )


def _remind(run: YearlyRun, *, year: int, now: datetime, dry_run: bool) -> None:
    counts: dict[int, int] = {}
    for holder_id in missing_evaluations(year).values_list("holder_id", flat=True):
        counts[holder_id] = counts.get(holder_id, 0) + 1
    fresh = _new_notices(YearlyEvaluationNotice.Kind.REMINDER, year, counts, run.as_of)
    run.reminded = len(fresh)
    if dry_run or not fresh:
        return
    users = User.objects.in_bulk(fresh)
    link = reverse("service:yearly_list") + f"?year={year}&status=missing"
    deadline = due_date(year).isoformat()
    messages = [
        (
            users[user_id],
            ngettext(
                "%(count)s yearly evaluation to submit by %(date)s",
                "%(count)s yearly evaluations to submit by %(date)s",
                counts[user_id],
            )
            % {"count": counts[user_id], "date": deadline},
            _("The transaction, credit and contact evaluations of %(year)s's customers.")
            % {"year": year},
            link,
        )
        for user_id in sorted(fresh)
    ]
    with transaction.atomic():
        _record_notices(YearlyEvaluationNotice.Kind.REMINDER, year, fresh, run.as_of)
        notify_many(messages=messages, now=now)


def _managers_of(department_ids) -> dict[int, list]:
    """Each department's manager and those above it (parent's manager), else the GMs."""
    departments = {
        d.pk: d
        for d in Department.objects.filter(pk__in=set(department_ids)).select_related(
            "manager", "parent__manager"
        )
    }
    gms = list(general_managers())
    result = {}
    for pk in department_ids:
        d = departments.get(pk)
        people = [
            p for p in (d.manager if d else None, d.parent.manager if d and d.parent else None) if p
        ]
        result[pk] = people or gms
    return result


def _overdue(run: YearlyRun, *, year: int, now: datetime, dry_run: bool) -> None:
    missing = list(
        missing_evaluations(year).values_list("pk", "name", "holder_id", "department_id")
    )
    if not missing:
        return
    departments = dict(
        Staff.objects.filter(user_id__in={m[2] for m in missing}).values_list(
            "user_id", "department_id"
        )
    )
    due = due_date(year)
    proposals = [
        Proposal(
            code="YEARLY_EVALUATION_MISSING",
            person_id=holder_id,
            department_id=departments.get(holder_id),
            reason=_("%(customer)s: the %(year)s yearly evaluation was not submitted by %(date)s.")
            % {"customer": name, "year": year, "date": due.isoformat()},
            occurred_on=due,
            scan_key=f"YEARLY_EVALUATION_MISSING:{pk}:{year}",
            customer_id=pk,
        )
        for pk, name, holder_id, _department in missing
    ]
    result = propose_entries(proposals, as_of=run.as_of, now=now, dry_run=dry_run)
    run.proposed = result.total
    per_manager: dict = {}
    for managers in _managers_of({m[3] for m in missing}).values():
        for manager in managers:
            per_manager[manager.pk] = manager
    fresh = _new_notices(YearlyEvaluationNotice.Kind.OVERDUE, year, per_manager, run.as_of)
    run.overdue_notified = len(fresh)
    if dry_run or not fresh:
        return
    link = reverse("service:yearly_overdue") + f"?year={year}"
    with transaction.atomic():
        _record_notices(YearlyEvaluationNotice.Kind.OVERDUE, year, fresh, run.as_of)
        notify_many(
            messages=[
                (
                    per_manager[pk],
                    _("Overdue yearly evaluations (%(year)s)") % {"year": year},
                    _("Evaluations due by %(date)s are missing; see the overdue list.")
                    % {"date": due.isoformat()},
                    link,
                )
                for pk in sorted(fresh)
            ],
            now=now,
        )


def yearly_evaluations_run(*, as_of: date, now: datetime, dry_run: bool = False) -> YearlyRun:
    """The day's work as of `as_of`: reminders from the reminder day to the due date (one per
    holder and day), then from the day after the due date the KPI lines (once per customer and
    year, by scan key) and one overdue notice per manager and year (to the overdue list)."""
    run = YearlyRun(as_of=as_of)
    year = as_of.year
    if reminders_from(year) <= as_of <= due_date(year):
        _remind(run, year=year, now=now, dry_run=dry_run)
    late = overdue_year(as_of)
    if late is not None:
        _overdue(run, year=late, now=now, dry_run=dry_run)
    return run
