"""python manage.py backup [--verify] — dump the database to BACKUP_DIR with its manifest."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.backup import backup_folder, backup_run, backup_verify


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc or the SQLite backup API) with retention."

    def add_arguments(self, parser):
        parser.add_argument("--verify", action="store_true", help="Restore and compare after.")

    def handle(self, *args, verify=False, **options):
        backup = backup_run(now=timezone.now())
        if not backup.is_ok:
            raise CommandError(f"backup failed: {backup.error}")
        self.stdout.write(f"{backup_folder() / backup.file_name} ({backup.size} bytes)")
        if verify:
            backup = backup_verify(backup=backup, now=timezone.now())
            if not backup.is_verified:
                raise CommandError(f"verification failed:\n{backup.verify_message}")
            self.stdout.write("verified: every table's rows and checksum match")
