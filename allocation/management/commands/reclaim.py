"""python manage.py reclaim --as-of YYYY-MM-DD [--rule NAME] [--dry-run]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from allocation.models import ReclaimPolicy
from allocation.services.reclaim import reclaim_run
from customers.models import Customer


class Command(BaseCommand):
    help = "Run the reclaim rules for a date; --dry-run lists what would move and writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--rule", choices=ReclaimPolicy.Code.values)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, as_of, rule=None, dry_run=False, **options):
        try:
            day = date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError("--as-of must be YYYY-MM-DD") from exc
        codes = (
            [rule]
            if rule
            else list(ReclaimPolicy.objects.filter(is_active=True).values_list("code", flat=True))
        )
        now = timezone.now()
        busy = []
        for code in codes:
            result = reclaim_run(policy_code=code, as_of=day, now=now, dry_run=dry_run)
            if dry_run:
                self.stdout.write(f"{code} {result.period}: would move {len(result.would_move)}")
                names = dict(
                    Customer.objects.filter(pk__in=result.would_move[:1000]).values_list(
                        "pk", "name"
                    )
                )
                for pk in result.would_move[:1000]:
                    self.stdout.write(f"  {pk}\t{names.get(pk, '')}")
            elif result.busy:
                busy.append(code)
                self.stderr.write(
                    f"{code} {result.period}: another run of this rule holds its lock "
                    "(a sweep under way, or a session that died holding it); nothing was moved"
                )
            elif result.already_done:
                self.stdout.write(f"{code} {result.period}: already done, moved 0")
            else:
                self.stdout.write(f"{code} {result.period}: moved {result.moved}")
        if busy:
            # Non-zero: a cron wrapper or an operator must not read "moved 0" as "done".
            raise CommandError(f"not run, lock held: {', '.join(busy)}")
