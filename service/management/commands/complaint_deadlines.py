"""python manage.py complaint_deadlines [--as-of YYYY-MM-DDTHH:MM] [--dry-run]"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.calendar import SHANGHAI
from service.services.complaints import complaint_deadlines_run


class Command(BaseCommand):
    help = (
        "Complaints' first-response deadlines (立即反应): remind the responsible person on the "
        "due day, escalate to the department manager once it has passed (each once). --as-of "
        "runs it for another moment (YYYY-MM-DD or YYYY-MM-DDTHH:MM, Asia/Shanghai; default: "
        "now); --dry-run lists and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        try:
            moment = datetime.fromisoformat(as_of) if as_of else timezone.now()
        except ValueError as exc:
            raise CommandError("--as-of must be YYYY-MM-DD or YYYY-MM-DDTHH:MM") from exc
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=SHANGHAI)
        run = complaint_deadlines_run(as_of=moment, dry_run=dry_run)
        verb = "would" if dry_run else "did"
        self.stdout.write(
            f"{moment:%Y-%m-%d %H:%M}: {verb} remind {len(run.reminded)} and escalate "
            f"{len(run.escalated)} complaints"
        )
