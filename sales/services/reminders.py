"""Overdue reminders (逾期催款提醒, SPEC §10 电子催款单): every overdue, unpaid instalment
reminds the person who must chase the money — the customer's current holder; for a pooled
customer (or a holder who is no longer active) the department's manager; without an active
manager (or department) the general managers — on the day after its due date and then every
7 days while it stays unpaid (`sales.selectors.receivables.instalments_due_for_reminder`).

- One notification per recipient and customer on a run, however many of the customer's
  instalments fell due for a reminder: it names the count, the outstanding amount and the
  oldest due date, and links to the customer's reminder letter (电子催款单) to print or send.
  `crm.notifications` e-mails it too when mail is configured (on commit).
- Idempotent through `Instalment.last_reminded_on` (set to `as_of`): running twice on a day
  sends nothing the second time; a run after missed days sends each instalment's reminder
  once (catch-up), and the weekly clock starts again from that day.
- Customers are taken in chunks, each in its own transaction with the instalment rows locked
  and the condition re-checked under the lock, so two workers never send the same reminder
  and a crash loses at most one chunk's work (the next run picks it up).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.calendar import SHANGHAI
from crm.notifications import notify_many
from crm.rights import general_managers
from crm.templatetags.crm_lists import money
from customers.models import Customer

from ..models import Instalment
from ..selectors.receivables import instalments_due_for_reminder

CHUNK = 500  # customers per transaction


@dataclass
class Reminder:
    recipient: object  # crm.User
    customer: Customer
    instalments: list[int] = field(default_factory=list)
    amount: Decimal = Decimal(0)
    oldest_due: date | None = None


@dataclass
class ReminderResult:
    as_of: date
    reminders: list[Reminder] = field(default_factory=list)
    instalments: int = 0  # instalments reminded about (each once)
    dry_run: bool = False


def letter_url(customer_pk: int) -> str:
    return reverse("sales:reminder_letter", kwargs={"customer_pk": customer_pk})


def recipients_of(customer: Customer, gms: list) -> list:
    """Who chases this customer's money: the holder; else the department's manager; else the
    general managers."""
    if customer.holder_id and customer.holder.is_active:
        return [customer.holder]
    manager = customer.department.manager if customer.department_id else None
    if manager is not None and manager.is_active:
        return [manager]
    return gms


def _chunk(customer_ids: list[int], *, as_of: date, now: datetime, dry_run: bool, gms):
    due = instalments_due_for_reminder(as_of=as_of).filter(customer_id__in=customer_ids)
    if not dry_run:
        # Locked and re-read: a second worker waits here, then finds these rows reminded.
        due = due.select_for_update(of=("self",))
    rows = list(
        due.order_by("customer_id", "due_on", "pk").values_list(
            "pk", "customer_id", "due_on", "amount", "paid"
        )
    )
    if not rows:
        return [], 0
    customers = Customer.objects.select_related("holder", "department__manager").in_bulk(
        {customer_id for _pk, customer_id, *_rest in rows}
    )
    per_customer: dict[int, list] = defaultdict(list)
    for row in rows:
        per_customer[row[1]].append(row)
    reminders = []
    for customer_id, owed in per_customer.items():
        customer = customers[customer_id]
        amount = sum((a - p for _pk, _c, _d, a, p in owed), Decimal(0))
        oldest = min(d for _pk, _c, d, _a, _p in owed)
        for recipient in recipients_of(customer, gms):
            reminders.append(
                Reminder(
                    recipient=recipient,
                    customer=customer,
                    instalments=[pk for pk, *_rest in owed],
                    amount=amount,
                    oldest_due=oldest,
                )
            )
    if dry_run:
        return reminders, len(rows)
    notify_many(messages=[_message(r, as_of) for r in reminders], now=now)
    # Instalment keeps no history (its collections are the record), so a plain UPDATE.
    Instalment.objects.filter(pk__in=[pk for pk, *_rest in rows]).update(last_reminded_on=as_of)
    return reminders, len(rows)


def _message(reminder: Reminder, as_of: date) -> tuple:
    count = len(reminder.instalments)
    days = (as_of - reminder.oldest_due).days
    title = _("Overdue payment: %(customer)s") % {"customer": reminder.customer.name}
    body = ngettext(
        "%(count)s instalment is overdue, %(amount)s outstanding; the oldest was due on "
        "%(due)s (%(days)s days ago). Please ask the customer to pay: the reminder letter can "
        "be printed or downloaded.",
        "%(count)s instalments are overdue, %(amount)s outstanding; the oldest was due on "
        "%(due)s (%(days)s days ago). Please ask the customer to pay: the reminder letter can "
        "be printed or downloaded.",
        count,
    ) % {
        "count": count,
        "amount": money(reminder.amount),
        "due": reminder.oldest_due.isoformat(),
        "days": days,
    }
    return (reminder.recipient, title, body, letter_url(reminder.customer.pk))


def overdue_reminders_send(
    *, as_of: date, now: datetime | None = None, dry_run: bool = False
) -> ReminderResult:
    """Remind the holders of the instalments overdue on `as_of` that are due a reminder (see
    the module docstring). `now` stamps the notifications (the entry point's clock; without
    it, 08:00 Asia/Shanghai on `as_of`). With `dry_run`, returns what would be sent and
    writes nothing."""
    if now is None:
        now = datetime.combine(as_of, time(8, 0), tzinfo=SHANGHAI)
    result = ReminderResult(as_of=as_of, dry_run=dry_run)
    customer_ids = list(
        instalments_due_for_reminder(as_of=as_of)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
        .distinct()
    )
    gms = None
    for start in range(0, len(customer_ids), CHUNK):
        if gms is None:
            gms = list(general_managers())
        with transaction.atomic():
            reminders, count = _chunk(
                customer_ids[start : start + CHUNK], as_of=as_of, now=now, dry_run=dry_run, gms=gms
            )
        result.reminders += reminders
        result.instalments += count
    return result
