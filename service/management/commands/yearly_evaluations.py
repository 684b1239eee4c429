"""python manage.py yearly_evaluations [--as-of YYYY-MM-DD] [--dry-run]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from service.services.yearly import yearly_evaluations_run


class Command(BaseCommand):
    help = (
        "The yearly evaluation's daily run (年度评价): reminders from 12-01 to the due date, then "
        "the managers' overdue notice and a KPI line per missing evaluation. --as-of runs it for "
        "another day (default: today, Asia/Shanghai); --dry-run counts and sends nothing."
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
        run = yearly_evaluations_run(as_of=day, now=now, dry_run=dry_run)
        verb = "would" if dry_run else "did"
        self.stdout.write(
            f"{day}: {verb} remind {run.reminded} holders, notify {run.overdue_notified} "
            f"managers, propose {run.proposed} KPI lines"
        )
