"""python manage.py store_reviews [--month YYYY-MM]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.validators import parse_month
from stores.services.review import ReviewError, review_month_run, review_monthly_run


class Command(BaseCommand):
    help = (
        "The customer managers' monthly reviews (客户经理月度考核). Without --month: the month "
        "just ended and any month missed since the last run (at most three back), each once. "
        "--month YYYY-MM recomputes that month (confirmed reviews stay as they are)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM")

    def handle(self, *args, month=None, **options):
        now = timezone.now()
        if month:
            try:
                month_start = parse_month(month, today=timezone.localdate(now))
            except ValueError as exc:
                raise CommandError("--month must be YYYY-MM") from exc
            try:
                count = review_month_run(month_start=month_start, now=now, force=True)
            except ReviewError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{month_start:%Y-%m}: {count} reviews")
            return
        run = review_monthly_run(now=now)
        months = ", ".join(f"{m:%Y-%m}" for m in run.months) or "none"
        self.stdout.write(f"months computed: {months}; {run.reviews} reviews")
