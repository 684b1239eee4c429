"""Order-independent escalation (SPEC §7, 000 §4.2③): the third confirmed CONTACT_REGISTERED
whose breach dates lie within any 12 months opens one dismissal review and reclaims all the
person's customers — whatever order the entries are entered in and confirmed in, and once."""

from datetime import date, datetime
from itertools import permutations
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from customers.models import Customer, Pool
from penalties.models import DismissalReview
from penalties.services import ledger_confirm, ledger_reverse, ledger_waive
from tests.factories import ledger_entry, register
from tests.threads import in_thread

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, tzinfo=SH)
WITHIN = [date(2025, 12, 1), date(2026, 6, 1), date(2026, 11, 19)]  # 11½ months apart


def record(org, on):
    return ledger_entry(org.manager_a, org.sales_a, "CONTACT_REGISTERED", now=NOW, on=on)


def outcome(org, days, enter_order, confirm_order):
    """Enter the entries in one order, confirm them in another; return how many reviews
    existed after each confirmation and the customers left, then roll back."""
    with transaction.atomic():
        entries = {i: record(org, days[i]) for i in enter_order}
        reviews = []
        for i in confirm_order:
            ledger_confirm(actor=org.manager_a, entry=entries[i], now=NOW)
            reviews.append(DismissalReview.objects.filter(person=org.sales_a).count())
        left = Customer.objects.filter(holder=org.sales_a).count()
        strikes = [
            sorted(r.strikes.values_list("occurred_on", flat=True))
            for r in DismissalReview.objects.all()
        ]
        transaction.set_rollback(True)
    return reviews, left, strikes


@pytest.mark.parametrize("enter_order", list(permutations(range(3))))
def test_third_strike_escalates_once_whatever_the_order(org, enter_order):
    for _ in range(2):
        register(org.sales_a)
    for confirm_order in permutations(range(3)):
        reviews, left, strikes = outcome(org, WITHIN, enter_order, confirm_order)
        assert reviews == [0, 0, 1], (enter_order, confirm_order)
        assert left == 0
        assert strikes == [WITHIN]


@pytest.mark.parametrize("confirm_order", list(permutations(range(3))))
def test_three_strikes_spread_over_more_than_12_months_never_escalate(org, confirm_order):
    register(org.sales_a)
    spread = [date(2025, 11, 19), date(2026, 6, 1), date(2026, 11, 19)]  # exactly 12 months
    reviews, left, _ = outcome(org, spread, range(3), confirm_order)
    assert reviews == [0, 0, 0] and left == 1


def test_a_fourth_strike_in_the_same_window_opens_no_second_review(org):
    register(org.sales_a)
    entries = [record(org, d) for d in [*WITHIN, date(2026, 11, 18)]]
    for e in entries:
        ledger_confirm(actor=org.manager_a, entry=e, now=NOW)
    assert DismissalReview.objects.count() == 1


def test_three_new_strikes_after_a_review_open_another(org):
    for d in [*WITHIN, date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]:
        ledger_confirm(actor=org.manager_a, entry=record(org, d), now=NOW)
    assert DismissalReview.objects.count() == 2


def test_waived_and_reversed_strikes_do_not_count(org):
    register(org.sales_a)
    first, second, third = (record(org, d) for d in WITHIN)
    ledger_confirm(actor=org.manager_a, entry=first, now=NOW)
    ledger_waive(actor=org.manager_a, entry=second, reason="投诉不实", now=NOW)
    ledger_confirm(actor=org.manager_a, entry=third, now=NOW)
    assert not DismissalReview.objects.exists()
    ledger_reverse(actor=org.manager_a, entry=first, reason="复核后撤销", now=NOW)
    late = record(org, date(2026, 10, 1))
    ledger_confirm(actor=org.manager_a, entry=late, now=NOW)
    assert not DismissalReview.objects.exists()
    assert Customer.objects.filter(holder=org.sales_a, pool=Pool.NONE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_confirming_the_last_strikes_at_once_escalate_exactly_once(monkeypatch):
    """The person's row is locked before the strikes are counted: two confirmations at the same
    moment neither both miss the third strike nor both escalate. Real threads on PostgreSQL."""
    import threading

    from django.db import connection, connections

    from crm.models import Staff
    from tests.factories import DepartmentFactory, make_person

    if connection.vendor != "postgresql":
        pytest.skip("race test needs PostgreSQL row locks and concurrent transactions")
    department = DepartmentFactory(name="华东销售部")
    manager = make_person("m", Staff.Role.MANAGER, department, manages=department)
    gm = make_person("g", Staff.Role.GENERAL_MANAGER)
    sales = make_person("s", Staff.Role.SALESPERSON, department)

    def setup():
        # In a thread of its own: after the browser journeys this thread has Playwright's event
        # loop running, and django-constance answers a running loop with async proxies.
        register(sales)
        entries = [
            ledger_entry(manager, sales, "CONTACT_REGISTERED", now=NOW, on=d) for d in WITHIN
        ]
        ledger_confirm(actor=manager, entry=entries[0], now=NOW)
        return entries

    entries = in_thread(setup)
    _, second, third = entries
    # Widen the window between confirming and counting, so both transactions are inside it.
    import time

    from penalties.services import ledger as ledger_module

    count = ledger_module.strikes_to_escalate

    def slow_count(*args, **kwargs):
        time.sleep(0.5)
        return count(*args, **kwargs)

    monkeypatch.setattr(ledger_module, "strikes_to_escalate", slow_count)
    barrier = threading.Barrier(2)
    errors = []

    def confirm(actor, entry):
        try:
            barrier.wait()
            ledger_confirm(actor=actor, entry=entry, now=NOW)
        except Exception as exc:  # noqa: BLE001 — any error is the failure we test for
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=confirm, args=(manager, second)),
        threading.Thread(target=confirm, args=(gm, third)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert DismissalReview.objects.count() == 1
    assert Customer.objects.filter(holder=sales).count() == 0
