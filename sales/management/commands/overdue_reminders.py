"""python manage.py overdue_reminders [--as-of YYYY-MM-DD] [--dry-run]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sales.services.reminders import overdue_reminders_send


class Command(BaseCommand):
    help = (
        "Remind holders of overdue instalments (电子催款单): the day after the due date, then "
        "weekly while unpaid. --as-of runs it for another day (default: today, Asia/Shanghai); "
        "--dry-run lists who would be reminded and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        now = timezone.now()
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate(now)
        except ValueError as exc:
            raise CommandError("--as-of must be YYYY-MM-DD") from exc
        result = overdue_reminders_send(as_of=day, now=now, dry_run=dry_run)
        for r in result.reminders:
            self.stdout.write(
                f"  {r.recipient.username}\t{r.customer.pk}\t{r.customer.name}\t"
                f"{len(r.instalments)}\t{r.amount}\t{r.oldest_due}"
            )
        verb = "would send" if dry_run else "sent"
        self.stdout.write(
            f"{day}: {verb} {len(result.reminders)} reminders "
            f"about {result.instalments} instalments"
        )
