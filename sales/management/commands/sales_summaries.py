"""Build the sales report summaries (issue 19; sales/models/summaries.py): the sales credit
per month and year, the receivables' ageing snapshot of a day (today in Asia/Shanghai by
default), sales by month's figures and the funnel's. The nightly beat entry "sales-summaries"
runs the same service."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from sales.services.summaries import summaries_build


class Command(BaseCommand):
    help = (
        "Rebuild the sales report summaries (credit per period, receivables snapshot, "
        "sales by month, funnel)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, default=None)

    def handle(self, *args, **options):
        now = timezone.now()
        as_of = options["as_of"] or timezone.localdate(now)
        built = summaries_build(as_of=as_of, now=now)
        self.stdout.write(
            f"credit periods: {built['credit_periods']} rows; "
            f"receivables snapshot of {as_of}: {built['receivables']} customers; "
            f"sales by month: {built['month_figures']} rows; "
            f"funnel: {built['funnel']} rows"
        )
