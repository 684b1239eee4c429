"""python manage.py remind_store_collected [--dry-run]"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from allocation.services.store_collected import store_collected_remind


class Command(BaseCommand):
    help = (
        "Tell each department manager how many store-collected customers wait for their first "
        "distribution (000 §4.2③). Working days only, one reminder per manager per day; "
        "--dry-run lists who would be told and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run=False, **options):
        reminders = store_collected_remind(now=timezone.now(), dry_run=dry_run)
        verb = "would remind" if dry_run else "reminded"
        for reminder in reminders:
            departments = ", ".join(f"{d.name} {n}" for d, n in reminder.departments)
            self.stdout.write(f"  {reminder.recipient.username}\t{reminder.count}\t{departments}")
        self.stdout.write(f"{verb} {len(reminders)}")
