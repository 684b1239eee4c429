"""python manage.py penalties_scan --as-of YYYY-MM-DD [--dry-run] | --catch-up"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from penalties.services import penalties_scan
from penalties.services.scans import penalties_monthly_reconcile


class Command(BaseCommand):
    help = (
        "Propose the ledger entries the rules call for as of a date (SPEC §7); "
        "--dry-run lists them and writes nothing. Running it twice proposes nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--catch-up",
            action="store_true",
            help="Run the monthly scans for every month they owe and have not run (the beat's "
            "hourly job), each month once.",
        )

    def handle(self, *args, as_of=None, dry_run=False, catch_up=False, **options):
        if catch_up:
            ran = penalties_monthly_reconcile(now=timezone.now())
            for code, months in sorted(ran.items()):
                self.stdout.write(f"{code}: {', '.join(months) or 'nothing owed'}")
            return
        if not as_of:
            raise CommandError("--as-of YYYY-MM-DD (or --catch-up) is required")
        try:
            day = date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError("--as-of must be YYYY-MM-DD") from exc
        result = penalties_scan(as_of=day, now=timezone.now(), dry_run=dry_run)
        verb = "would propose" if dry_run else "proposed"
        for code, count in sorted(result.proposed.items()):
            self.stdout.write(f"{code}: {verb} {count}")
        if dry_run:
            for entry in result.entries[:1000]:
                self.stdout.write(
                    f"  {entry.rule.code}\t{entry.person_id}\t{entry.amount}\t{entry.points}\t"
                    f"{entry.month:%Y-%m}\t{entry.reason}"
                )
        if result.skipped_closed:
            self.stdout.write(f"skipped (month closed): {result.skipped_closed}")
        self.stdout.write(f"{day}: {verb} {result.total} in all")
