"""python manage.py summaries_build

Rebuild the activity summary behind the company overview (`customers.summary`; issue 19) and
record its watermark. The nightly task does the same; running it by hand any time is safe (the
pages count the rows after the watermark live, so they are right before, during and after)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from customers.summary import summary_build


class Command(BaseCommand):
    help = "Rebuild the activity summary (company overview) and its watermark."

    def handle(self, *args, **options):
        mark = summary_build(now=timezone.now())
        self.stdout.write(
            f"activity summary built in {mark.seconds:.1f} s up to follow-up {mark.followup_id}, "
            f"deal {mark.deal_id}, inquiry call {mark.inquiry_id}, event {mark.event_id}"
        )
