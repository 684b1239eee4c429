"""Store-collected customers waiting (000 §4.2③: 店面/展会收集的资源由部门经理"每天"发放;
SPEC §5): every working morning each department's manager is told how many store-collected
customers still wait in the department pool for their first distribution.

- Only on working days (`crm.calendar.is_workday`: the official calendar with 调休 and the
  admin's overrides); on a holiday or weekend the run sends nothing.
- One reminder per recipient per day, however often it runs: the run looks for the day's
  reminder (its link carries `store_waiting=1`) before sending, under a transaction-level
  lock so two workers cannot both send. The beat runs it each half hour
  past 8–11 o'clock, so a morning the worker missed at 08:30 is caught up within the hour; a
  past day is never caught up (today's reminder already counts every customer still waiting).
- A department without an active manager: the general managers are told instead.
"""

import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.calendar import SHANGHAI, day_start, is_workday
from crm.models import Department, Notification, User
from crm.notifications import notify
from crm.rights import general_managers

from ..selectors.distribution import store_collected_waiting_counts

MARKER = "store_waiting=1"


@dataclass
class Reminder:
    recipient: User
    departments: list[tuple[Department, int]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(n for _, n in self.departments)


def pool_waiting_url(department_id: int) -> str:
    """The department pool page showing only the customers waiting for a first distribution."""
    return f"{reverse('allocation:pool')}?pool={department_id}&{MARKER}"


def _reminders(counts: dict[int, int]) -> list[Reminder]:
    departments = (
        Department.objects.filter(pk__in=list(counts)).select_related("manager").order_by("path")
    )
    gms = None
    by_recipient: dict[int, Reminder] = {}
    for department in departments:
        manager = department.manager
        if manager is not None and manager.is_active:
            recipients = [manager]
        else:
            gms = list(general_managers()) if gms is None else gms
            recipients = gms
        for user in recipients:
            reminder = by_recipient.setdefault(user.pk, Reminder(recipient=user))
            reminder.departments.append((department, counts[department.pk]))
    return list(by_recipient.values())


def _lock_the_day(day) -> None:
    # Two workers running at once must not both find "not sent yet": on PostgreSQL a lock held
    # to the end of the transaction; SQLite's IMMEDIATE transactions (settings) take the write
    # lock at BEGIN, so there the whole run is serialised already.
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"store-waiting:{day.isoformat()}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@transaction.atomic
def store_collected_remind(*, now: datetime, dry_run: bool = False) -> list[Reminder]:
    """Tell each department manager, once on each working day, how many store-collected
    customers wait in their pool (`allocation.selectors.store_collected_waiting`). Returns the
    reminders sent (with `dry_run`: those that would be sent; nothing is written)."""
    today = now.astimezone(SHANGHAI).date()
    if not is_workday(today):
        return []
    counts = store_collected_waiting_counts()
    if not counts:
        return []
    if not dry_run:
        _lock_the_day(today)
    reminders = _reminders(counts)
    already = set(
        Notification.objects.filter(
            recipient__in=[r.recipient.pk for r in reminders],
            link__contains=MARKER,
            created_at__gte=day_start(today),
            created_at__lt=day_start(today + timedelta(days=1)),
        ).values_list("recipient_id", flat=True)
    )
    reminders = [r for r in reminders if r.recipient.pk not in already]
    if dry_run:
        return reminders
    for reminder in reminders:
        notify(
            recipient=reminder.recipient,
            now=now,
            title=_("%(count)s store-collected customers wait for distribution")
            % {"count": reminder.count},
            body="\n".join(
                _("%(department)s: %(count)s") % {"department": d.name, "count": n}
                for d, n in reminder.departments
            ),
            link=pool_waiting_url(reminder.departments[0][0].pk),
        )
    return reminders
