"""python manage.py restore FILE --into NAME | --verify

--into NAME: restore the dump into a new database NAME (PostgreSQL, same server) or a new
SQLite file NAME. --verify: restore into a scratch database, compare every table's row count
and checksum with the manifest written beside the dump at dump time, drop the scratch copy."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crm.backup import RestoreError, backup_folder, restore
from crm.backup import verify as verify_dump


class Command(BaseCommand):
    help = "Restore a backup into a new database, or verify it."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--into", help="Name of the new database (or SQLite file).")
        parser.add_argument("--verify", action="store_true")

    def handle(self, *args, file, into=None, verify=False, **options):
        dump = Path(file)
        if not dump.is_absolute() and not dump.exists():
            dump = backup_folder() / file
        if not into and not verify:
            raise CommandError("give --into NAME or --verify")
        if verify:
            problems = verify_dump(dump)
            if problems:
                raise CommandError("verification failed:\n" + "\n".join(problems))
            self.stdout.write("verified: every table's rows and checksum match")
        if into:
            try:
                restore(dump, into=into)
            except RestoreError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"restored into {into}")
