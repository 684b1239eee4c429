"""The scans stream (issue 19): records are read, checked and written a batch at a time. The
batch size is a memory knob only: a run with batches of one proposes exactly what a run with
the default batches proposes — the same entries, counts, months, notices — dry or not."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from crm.models import Notification, User
from customers.services import deal_record, followup_log
from penalties.models import ClosedMonth, LedgerEntry
from penalties.services import penalties_scan
from penalties.services.scans import BATCH_SIZE
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户对新款地板感兴趣，约定下周带样品再谈报价。"
AS_OF = date(2026, 12, 1)  # the 1st: the monthly rules run too


def at(*args):
    return datetime(*args, tzinfo=SH)


def log(actor, customer, *, occurred, now):
    return followup_log(
        actor=actor,
        customer=customer,
        now=now,
        data={"kind": "home_visit", "occurred_at": occurred, "content": GOOD},
    )


@pytest.fixture
def breaches(org):
    """Late follow-ups and deals by several people (one in a closed month), a customer left
    incomplete after its deal, graded customers short of their quota, people who stopped
    logging in."""
    User.objects.update(date_joined=at(2024, 1, 1, 9), last_login=at(2030, 1, 1))
    User.objects.filter(pk__in=[org.sales_a.pk, org.sales_b.pk]).update(
        last_login=at(2026, 11, 1, 10)
    )
    for person in (org.sales_a, org.sales_a2, org.sales_b):
        graded = register(person, now=at(2026, 10, 1, 9), intent_grade="A")
        for day in (9, 16, 23):
            # Monday visits entered on Wednesday afternoon: past 10:00 on Tuesday.
            log(person, graded, occurred=at(2026, 11, day, 16), now=at(2026, 11, day + 2, 15))
        log(person, graded, occurred=at(2026, 10, 26, 16), now=at(2026, 10, 28, 15))
        deal_record(
            actor=person,
            customer=graded,
            now=at(2026, 11, 20, 9),
            data={
                "occurred_at": at(2026, 11, 17, 15),
                "product": "实木地板",
                "quantity": Decimal(10),
                "amount": Decimal(5000),
                "paid": Decimal(5000),
            },
        )
    incomplete = register(org.sales_a, now=at(2026, 9, 1, 9), tax_id="")
    deal_record(
        actor=org.sales_a,
        customer=incomplete,
        now=at(2026, 9, 25, 12),
        data={
            "occurred_at": at(2026, 9, 25, 11),
            "product": "实木地板",
            "quantity": Decimal(1),
            "amount": Decimal(800),
            "paid": Decimal(800),
        },
    )
    ClosedMonth.objects.create(month=date(2026, 10, 1), closed_at=at(2026, 11, 1), closed_by=org.gm)
    return org


def _run(batch_size: int, *, dry_run: bool = False):
    """One scan as of AS_OF, rolled back: what it proposed, wrote and told."""
    with transaction.atomic():
        result = penalties_scan(
            as_of=AS_OF, now=at(2026, 12, 1, 1), dry_run=dry_run, batch_size=batch_size
        )
        written = sorted(
            LedgerEntry.objects.values_list(
                "scan_key",
                "rule__code",
                "person_id",
                "department_id",
                "amount",
                "points",
                "month",
                "occurred_on",
                "reason",
                "customer_id",
                "followup_id",
                "deal_id",
                "status",
            )
        )
        history = LedgerEntry.history.count()
        told = sorted(Notification.objects.values_list("recipient_id", "title", "body"))
        shown = sorted((e.scan_key, e.month, e.points, e.reason) for e in result.entries)
        transaction.set_rollback(True)
    return result, written, history, told, shown


def test_a_run_in_batches_of_one_writes_what_a_default_run_writes(breaches):
    result, written, history, told, _ = _run(BATCH_SIZE)
    codes = {row[1] for row in written}
    assert {"LATE_ENTRY", "INCOMPLETE_AFTER_DEAL", "QUOTA_SCORE", "NO_LOGIN"} <= codes
    assert len(written) > 12 and history == len(written) and told
    # October is closed: its breach goes into the month of the scan's day, December.
    late = [row for row in written if row[1] == "LATE_ENTRY"]
    assert {row[6] for row in late} == {date(2026, 11, 1), date(2026, 12, 1)}

    small, small_written, small_history, small_told, _ = _run(1)
    assert small.proposed == result.proposed and small.skipped_closed == result.skipped_closed
    assert (small_written, small_history, small_told) == (written, history, told)
    assert not LedgerEntry.objects.exists()


def test_a_dry_run_in_batches_of_one_shows_what_a_default_dry_run_shows(breaches):
    result, written, _, _, shown = _run(BATCH_SIZE, dry_run=True)
    small, small_written, _, _, small_shown = _run(1, dry_run=True)
    assert written == small_written == []
    assert small.proposed == result.proposed and small.total == result.total > 12
    assert small_shown == shown and len(shown) == result.total


def test_a_second_run_in_batches_of_one_proposes_nothing_new(breaches):
    first = penalties_scan(as_of=AS_OF, now=at(2026, 12, 1, 1), batch_size=1)
    assert first.total == LedgerEntry.objects.count() > 12
    assert penalties_scan(as_of=AS_OF, now=at(2026, 12, 1, 2), batch_size=1).total == 0
