"""投诉 (SPEC §11; 003 四 客户投诉处理, 004 客户投诉处理流程).

- Any member of staff takes a complaint (受理); it names the responsible person and department.
  The first response — the start of the investigation (调查) — is due by the end (24:00
  Asia/Shanghai) of the `COMPLAINT_RESPONSE_WORKDAYS`-th working day after the day it was taken
  (立即反应; working days from crm.calendar, so weekends, holidays and 调休 count right).
- 调查 → 处理 (findings and resolution) → 客户满意确认 (the customer says they are satisfied;
  "not satisfied" keeps it in 处理 and is recorded) → 归档 (a manager). Every step keeps who and
  when on the complaint and one `ComplaintEvent`.
- In 调查 or 处理 a manager of the complaint's department (or the GM) may verify that someone
  contacted another's registered customer (000 §4.2③): that writes exactly one
  CONTACT_REGISTERED proposal (the catalogue's amount, breach date as given) linked to the
  complaint; confirming it in the ledger counts towards the third-strike rule there.
- `complaint_deadlines_run` reminds the responsible person once on the due day and escalates
  to the department's manager once when the deadline has passed.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from constance import config
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.calendar import SHANGHAI, day_start, next_workday
from crm.errors import RuleError
from crm.models import Staff
from crm.notifications import notify
from crm.rights import general_managers
from crm.validators import happened_problem
from customers.errors import NotAllowed
from penalties.models import LedgerEntry, PenaltyRule
from penalties.services.ledger import check_amount, is_month_closed, month_label, month_of

from ..models import Complaint, ComplaintCategory, ComplaintEvent
from ..rights import (
    may_archive_complaint,
    may_take_complaint,
    may_verify_complaint,
    may_work_complaint,
)

TEXT_MAX = 5000
# The reminder goes out at 08:00 of the due day (the deadline is that day's 24:00).
REMIND_BEFORE = timedelta(hours=16)
BREACH_RULE = "CONTACT_REGISTERED"
# The seeded categories (migration 0002_complaints), for the message catalogue.
CATEGORY_NAMES = [
    gettext_noop("Design problem"),
    gettext_noop("Construction progress"),
    gettext_noop("Staff service attitude"),
    gettext_noop("Material quality"),
    gettext_noop("Other"),
]


def ensure_categories() -> None:
    """The seeded categories, when the table is empty (a flushed test database, a new
    install); the GM's edits are never overwritten."""
    if ComplaintCategory.objects.exists():
        return
    for position, name in enumerate(CATEGORY_NAMES, start=1):
        ComplaintCategory.objects.get_or_create(name=name, defaults={"position": position * 10})


def ensure_on_migrate(sender, **kwargs) -> None:
    ensure_categories()


class ComplaintError(RuleError):
    """The complaint or the step is unacceptable as entered."""


# --- the deadline ------------------------------------------------------------------------------


def response_due(taken_at: datetime) -> datetime:
    """The end (24:00 Asia/Shanghai) of the N-th working day after the local day the complaint
    was taken, N = COMPLAINT_RESPONSE_WORKDAYS (default 1): taken Friday → due Monday 24:00;
    taken before a holiday → due at the end of the first working day after it (调休 Saturdays
    count as working days)."""
    if taken_at.tzinfo is None:
        raise ValueError("taken_at must be timezone-aware")
    day = taken_at.astimezone(SHANGHAI).date()
    for _step in range(max(1, int(config.COMPLAINT_RESPONSE_WORKDAYS))):
        day = next_workday(day)
    return day_start(day + timedelta(days=1))


# --- helpers -------------------------------------------------------------------------------------


def _text(value: str, *, label: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ComplaintError(_("Enter the %(what)s.") % {"what": label})
    if len(value) > TEXT_MAX:
        raise ComplaintError(
            _("The %(what)s may be at most %(n)d characters.") % {"what": label, "n": TEXT_MAX}
        )
    return value


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _event(complaint, kind, *, actor, now, note: str = "") -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, actor=actor, at=now, note=note
    )


def _expect(complaint: Complaint, *steps: str) -> None:
    if complaint.step not in steps:
        raise ComplaintError(
            _("This complaint is at the step “%(step)s”; the action does not apply now.")
            % {"step": complaint.get_step_display()}
        )


def _link(complaint: Complaint) -> str:
    return reverse("service:complaint_detail", args=[complaint.pk])


def department_managers(department_id: int | None) -> list:
    """The manager of the department, or the GMs when it has none."""
    from crm.models import Department

    department = Department.objects.filter(pk=department_id).select_related("manager").first()
    if department and department.manager_id and department.manager.is_active:
        return [department.manager]
    return list(general_managers())


# --- taking a complaint ------------------------------------------------------------------------


@dataclass
class ComplaintData:
    complainant: str
    category: ComplaintCategory
    content: str
    department: object
    responsible: object
    customer: object = None
    complainant_phone: str = ""


@transaction.atomic
def complaint_take(*, actor, data: ComplaintData, now: datetime) -> Complaint:
    """受理: any member of staff records the complaint; the responsible person is told."""
    if not may_take_complaint(actor):
        raise NotAllowed(_("Only members of staff take complaints."))
    complainant = _text(data.complainant, label=_("complainant"))[:100]
    content = _text(data.content, label=_("complaint"))
    if not data.category.is_active:
        raise ComplaintError(_("This category is no longer in use; choose another."))
    staff = Staff.objects.filter(user=data.responsible).first()
    if (
        staff is None
        or not data.responsible.is_active
        or staff.status == Staff.Status.LEFT
        or staff.department_id != data.department.pk
    ):
        raise ComplaintError(
            _("The responsible person must be a current member of the responsible department.")
        )
    complaint = Complaint.objects.create(
        customer=data.customer,
        complainant=complainant,
        complainant_phone=(data.complainant_phone or "").strip()[:30],
        category=data.category,
        content=content,
        department=data.department,
        responsible=data.responsible,
        taken_by=actor,
        taken_at=now,
        response_due=response_due(now),
    )
    _event(complaint, ComplaintEvent.Kind.TAKEN, actor=actor, now=now)
    if data.responsible.pk != actor.pk:
        notify(
            recipient=data.responsible,
            title=_("New complaint %(number)s: respond by %(due)s")
            % {"number": complaint.number, "due": _due_text(complaint)},
            body=content[:500],
            link=_link(complaint),
            now=now,
        )
    return complaint


def _due_text(complaint: Complaint) -> str:
    # 24:00 reads as the end of the previous day: "2026-10-09 24:00".
    end = complaint.response_due.astimezone(SHANGHAI) - timedelta(minutes=1)
    return f"{end:%Y-%m-%d} 24:00" if end.strftime("%H:%M") == "23:59" else f"{end:%Y-%m-%d %H:%M}"


# --- the steps -----------------------------------------------------------------------------------


def _check_work(actor, complaint) -> None:
    if not may_work_complaint(actor, complaint):
        raise NotAllowed(
            _("Only the responsible person and the department's managers work this complaint.")
        )


@transaction.atomic
def complaint_investigate(*, actor, complaint: Complaint, note: str, now: datetime) -> Complaint:
    """调查: the first response (立即反应) — what was said to the customer, who looks into it."""
    _check_work(actor, complaint)
    note = _text(note, label=_("first response"))
    complaint = _lock(complaint)
    _expect(complaint, Complaint.Step.RECEIVED)
    complaint.step = Complaint.Step.INVESTIGATING
    complaint.investigated_by, complaint.investigated_at = actor, now
    complaint.save()
    _event(complaint, ComplaintEvent.Kind.INVESTIGATING, actor=actor, now=now, note=note)
    return complaint


@transaction.atomic
def complaint_handle(
    *, actor, complaint: Complaint, findings: str, resolution: str, now: datetime
) -> Complaint:
    """处理: the cause found and what is done for the customer (answer, exchange, repair,
    compensation)."""
    _check_work(actor, complaint)
    findings = _text(findings, label=_("findings"))
    resolution = _text(resolution, label=_("resolution"))
    complaint = _lock(complaint)
    _expect(complaint, Complaint.Step.INVESTIGATING, Complaint.Step.HANDLING)
    complaint.step = Complaint.Step.HANDLING
    complaint.findings, complaint.resolution = findings, resolution
    complaint.handled_by, complaint.handled_at = actor, now
    complaint.save()
    _event(
        complaint,
        ComplaintEvent.Kind.HANDLING,
        actor=actor,
        now=now,
        note=f"{findings}\n{resolution}",
    )
    return complaint


@transaction.atomic
def complaint_confirm(
    *, actor, complaint: Complaint, satisfied: bool, note: str, now: datetime
) -> Complaint:
    """客户满意确认: the customer's answer. Satisfied → the step is done; not satisfied → it stays
    in 处理 (recorded, the department's manager is told)."""
    _check_work(actor, complaint)
    note = _text(note, label=_("customer's answer"), required=not satisfied)
    complaint = _lock(complaint)
    _expect(complaint, Complaint.Step.HANDLING)
    if not complaint.handled_at:
        raise ComplaintError(_("Record the handling first."))
    if not satisfied:
        _event(complaint, ComplaintEvent.Kind.NOT_SATISFIED, actor=actor, now=now, note=note)
        for manager in department_managers(complaint.department_id):
            if manager.pk != actor.pk:
                notify(
                    recipient=manager,
                    title=_("Complaint %(number)s: the customer is not satisfied")
                    % {"number": complaint.number},
                    body=note,
                    link=_link(complaint),
                    now=now,
                )
        return complaint
    complaint.step = Complaint.Step.CONFIRMED
    complaint.confirmed_by, complaint.confirmed_at = actor, now
    complaint.save()
    _event(complaint, ComplaintEvent.Kind.CONFIRMED, actor=actor, now=now, note=note)
    return complaint


@transaction.atomic
def complaint_archive(*, actor, complaint: Complaint, now: datetime, note: str = "") -> Complaint:
    """归档 (立案存档): a manager of the department closes the confirmed complaint."""
    if not may_archive_complaint(actor, complaint):
        raise NotAllowed(_("Only the department's managers archive a complaint."))
    note = _text(note, label=_("note"), required=False)
    complaint = _lock(complaint)
    _expect(complaint, Complaint.Step.CONFIRMED)
    complaint.step = Complaint.Step.ARCHIVED
    complaint.archived_by, complaint.archived_at = actor, now
    complaint.save()
    _event(complaint, ComplaintEvent.Kind.ARCHIVED, actor=actor, now=now, note=note)
    return complaint


# --- verified breach → the ledger proposal ------------------------------------------------------


@transaction.atomic
def complaint_verify_breach(
    *, actor, complaint: Complaint, person, breach_on: date, note: str, now: datetime
) -> LedgerEntry:
    """The complaint is verified: `person` contacted another's registered customer on
    `breach_on` (000 §4.2③). Writes the one CONTACT_REGISTERED proposal of this complaint —
    never a second — with the catalogue's amount; the person's manager (or the GM) confirms
    or waives it in the ledger, where the third confirmed strike has its effect."""
    if not may_verify_complaint(actor, complaint):
        raise NotAllowed(_("Only the department's managers verify a complaint."))
    note = _text(note, label=_("what was verified"))
    complaint = _lock(complaint)
    if complaint.ledger_entry_id:
        raise ComplaintError(_("This complaint has already been verified; its entry exists."))
    _expect(complaint, Complaint.Step.INVESTIGATING, Complaint.Step.HANDLING)
    if person.pk == actor.pk:
        raise ComplaintError(_("A complaint about yourself is verified by the level above you."))
    staff = Staff.objects.filter(user=person).first()
    if staff is None or not staff.role:
        raise ComplaintError(_("Name a member of staff."))
    problem = happened_problem(
        breach_on, now=now, future_message=_("The breach date cannot be in the future.")
    )
    if problem:
        raise ComplaintError(problem)
    if breach_on < complaint.taken_at.astimezone(SHANGHAI).date() - timedelta(days=366):
        raise ComplaintError(_("The breach date lies more than a year before the complaint."))
    rule = PenaltyRule.objects.filter(code=BREACH_RULE, is_active=True).first()
    if rule is None:
        raise ComplaintError(_("The ledger rule for this breach is retired; nothing was recorded."))
    check_amount(rule, rule.default_amount)
    month = month_of(breach_on)
    if is_month_closed(month):
        raise ComplaintError(
            _("%(month)s is closed: it accepts no new or changed entries.")
            % {"month": month_label(month)}
        )
    entry = LedgerEntry.objects.create(
        person=person,
        department_id=staff.department_id,
        rule=rule,
        amount=rule.default_amount,
        reason=_("Complaint %(number)s: %(note)s") % {"number": complaint.number, "note": note},
        month=month,
        occurred_on=breach_on,
        customer_id=complaint.customer_id,
        created_at=now,
        created_by=actor,
        scan_key=f"COMPLAINT:{complaint.pk}",
    )
    complaint.breach_person, complaint.breach_on = person, breach_on
    complaint.verified_by, complaint.verified_at = actor, now
    complaint.ledger_entry = entry
    complaint.save()
    _event(complaint, ComplaintEvent.Kind.VERIFIED, actor=actor, now=now, note=note)
    link = reverse("penalties:detail", args=[entry.pk])
    for manager in department_managers(staff.department_id):
        if manager.pk not in (actor.pk, person.pk):
            notify(
                recipient=manager,
                title=_("Verified complaint: %(person)s contacted a registered customer")
                % {"person": person.display_name},
                body=note,
                link=link,
                now=now,
            )
    return entry


# --- deadlines -----------------------------------------------------------------------------------


@dataclass
class DeadlineRun:
    reminded: list
    escalated: list


def complaint_deadlines_run(*, as_of: datetime, dry_run: bool = False) -> DeadlineRun:
    """Complaints still waiting for their first response: from 08:00 of the due day the
    responsible person is reminded (once); once the deadline has passed the department's
    manager is told (once; the responsible person too). Each complaint is settled in its own
    transaction under its row lock, so a second run — or two at once — sends nothing twice."""
    run = DeadlineRun(reminded=[], escalated=[])
    waiting = Complaint.objects.filter(
        step=Complaint.Step.RECEIVED, escalated_at__isnull=True, response_due__lte=as_of
    ).values_list("pk", flat=True)
    to_remind = Complaint.objects.filter(
        step=Complaint.Step.RECEIVED,
        reminded_at__isnull=True,
        response_due__gt=as_of,
        response_due__lte=as_of + REMIND_BEFORE,
    ).values_list("pk", flat=True)
    for pk in list(to_remind.order_by("pk")):
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().get(pk=pk)
            if complaint.step != Complaint.Step.RECEIVED or complaint.reminded_at:
                continue
            run.reminded.append(complaint.pk)
            if dry_run:
                continue
            complaint.reminded_at = as_of
            complaint.save(update_fields=["reminded_at"])
            _event(complaint, ComplaintEvent.Kind.REMINDED, actor=None, now=as_of)
            notify(
                recipient=complaint.responsible,
                title=_("Complaint %(number)s: first response due by %(due)s")
                % {"number": complaint.number, "due": _due_text(complaint)},
                body=complaint.content[:500],
                link=_link(complaint),
                now=as_of,
            )
    for pk in list(waiting.order_by("pk")):
        with transaction.atomic():
            complaint = (
                Complaint.objects.select_for_update().select_related("responsible").get(pk=pk)
            )
            if complaint.step != Complaint.Step.RECEIVED or complaint.escalated_at:
                continue
            run.escalated.append(complaint.pk)
            if dry_run:
                continue
            complaint.escalated_at = as_of
            complaint.save(update_fields=["escalated_at"])
            _event(complaint, ComplaintEvent.Kind.ESCALATED, actor=None, now=as_of)
            title = _("Complaint %(number)s: no first response by %(due)s") % {
                "number": complaint.number,
                "due": _due_text(complaint),
            }
            body = _("Responsible: %(person)s. %(content)s") % {
                "person": complaint.responsible.display_name,
                "content": complaint.content[:400],
            }
            recipients = {m.pk: m for m in department_managers(complaint.department_id)}
            recipients.setdefault(complaint.responsible_id, complaint.responsible)
            for recipient in recipients.values():
                notify(
                    recipient=recipient, title=title, body=body, link=_link(complaint), now=as_of
                )
    return run
