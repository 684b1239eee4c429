"""The ledger's rules (SPEC §7): ranges, who records and decides, immutability of decided
entries (service and database), reversal, month close, confiscation, the 3-strike escalation,
rewards of extra customers."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, transaction

from customers.errors import NotAllowed
from customers.models import Customer, OwnershipEvent, OwnershipKind, Pool
from penalties.models import ClosedMonth, DismissalReview, LedgerEntry, PenaltyRule
from penalties.services import (
    LedgerError,
    ledger_confirm,
    ledger_reverse,
    ledger_waive,
    month_close,
)
from tests.factories import ledger_entry, register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)


def rule(code):
    return PenaltyRule.objects.get(code=code)


def record(actor, person, code, amount=None, *, now=NOW, on=date(2026, 11, 19), **kw):
    return ledger_entry(actor, person, code, amount, now=now, on=on, **kw)


def test_catalogue_holds_every_code_of_the_spec(db):
    codes = set(PenaltyRule.objects.values_list("code", flat=True))
    assert {
        "LATE_ENTRY",
        "THIN_CONTENT",
        "GRABBING",
        "PRIVATE_FOLLOWUP",
        "CONTACT_REGISTERED",
        "LEAVER_DISTRIBUTED",
        "TRANSFER_DISTRIBUTED",
        "HANDOVER_OVERDUE",
        "INCOMPLETE_AFTER_DEAL",
        "WRONG_INFO",
        "NEW_RESOURCE_QUOTA",
        "NO_LOGIN",
        "REWARD_MONEY",
        "REWARD_HONOUR",
        "REWARD_RESOURCES",
    } <= codes
    assert rule("HANDOVER_OVERDUE").falls_on == "manager"
    assert rule("LEAVER_DISTRIBUTED").min_amount == 100
    assert rule("LEAVER_DISTRIBUTED").max_amount == 300


@pytest.mark.parametrize(
    ("code", "amount", "ok"),
    [
        ("THIN_CONTENT", "20", True),
        ("THIN_CONTENT", "30", False),
        ("GRABBING", "500", True),
        ("GRABBING", "499.99", False),
        ("PRIVATE_FOLLOWUP", "19", False),
        ("PRIVATE_FOLLOWUP", "2000", True),
        ("CONTACT_REGISTERED", "100", True),
        ("CONTACT_REGISTERED", "200", False),
        ("LEAVER_DISTRIBUTED", "100", True),
        ("LEAVER_DISTRIBUTED", "300", True),
        ("LEAVER_DISTRIBUTED", "99", False),
        ("LEAVER_DISTRIBUTED", "301", False),
        ("TRANSFER_DISTRIBUTED", "50", True),
        ("TRANSFER_DISTRIBUTED", "60", False),
        ("WRONG_INFO", "20", True),
        ("WRONG_INFO", "-20", False),
        ("REWARD_MONEY", "-500", True),
        ("REWARD_MONEY", "100", False),
        ("REWARD_HONOUR", "0", True),
        ("REWARD_HONOUR", "-10", False),
    ],
)
def test_manual_amounts_outside_the_rules_range_are_refused(org, code, amount, ok):
    extra = {"customer": register(org.sales_a)} if code == "PRIVATE_FOLLOWUP" else {}
    if ok:
        entry = record(org.manager_a, org.sales_a, code, amount, **extra)
        assert entry.amount == Decimal(amount) and entry.status == "proposed"
    else:
        with pytest.raises(LedgerError, match="超出"):
            record(org.manager_a, org.sales_a, code, amount, **extra)
        assert not LedgerEntry.objects.exists()


def test_scan_rules_cannot_be_recorded_by_hand(org):
    with pytest.raises(LedgerError, match="系统扫描"):
        record(org.manager_a, org.sales_a, "LATE_ENTRY")


def test_manager_records_only_for_own_departments_and_never_for_themselves(org):
    with pytest.raises(NotAllowed):
        record(org.manager_b, org.sales_a, "GRABBING")
    with pytest.raises(NotAllowed):
        record(org.manager_a, org.manager_a, "GRABBING")
    with pytest.raises(NotAllowed):
        record(org.sales_a2, org.sales_a, "GRABBING")
    # A manager of the parent department reaches the sub-department; the GM reaches everyone.
    assert record(org.manager_a, org.sales_a1, "GRABBING").department == org.a1
    assert record(org.gm, org.sales_b, "GRABBING").department == org.b
    assert LedgerEntry.objects.count() == 2


def test_reason_is_required_and_the_breach_cannot_be_in_the_future(org):
    with pytest.raises(LedgerError):
        record(org.manager_a, org.sales_a, "GRABBING", reason="  ")
    with pytest.raises(LedgerError, match="晚于今天"):
        record(org.manager_a, org.sales_a, "GRABBING", on=date(2026, 11, 21))
    assert not LedgerEntry.objects.exists()


def test_confirm_and_waive_by_the_departments_manager_or_the_gm(org):
    e1 = record(org.manager_a, org.sales_a, "GRABBING")
    e2 = record(org.manager_a, org.sales_a, "WRONG_INFO")
    with pytest.raises(NotAllowed):
        ledger_confirm(actor=org.manager_b, entry=e1, now=NOW)
    with pytest.raises(NotAllowed):
        ledger_confirm(actor=org.sales_a2, entry=e1, now=NOW)
    ledger_confirm(actor=org.manager_a, entry=e1, now=NOW)
    with pytest.raises(LedgerError, match="原因"):
        ledger_waive(actor=org.gm, entry=e2, reason="", now=NOW)
    ledger_waive(actor=org.gm, entry=e2, reason="误报，客户由本人登记", now=NOW)
    e1.refresh_from_db()
    e2.refresh_from_db()
    assert (e1.status, e1.decided_by) == ("confirmed", org.manager_a)
    assert (e2.status, e2.decision_note) == ("waived", "误报，客户由本人登记")
    assert e1.history.count() == 2  # created, confirmed


def test_confirming_twice_is_refused_and_changes_nothing(org):
    entry = record(org.manager_a, org.sales_a, "GRABBING")
    ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    with pytest.raises(LedgerError, match="已是"):
        ledger_confirm(actor=org.gm, entry=entry, now=NOW)
    with pytest.raises(LedgerError, match="已是"):
        ledger_waive(actor=org.gm, entry=entry, reason="x", now=NOW)
    entry.refresh_from_db()
    assert entry.decided_by == org.manager_a and entry.history.count() == 2


def test_an_entry_about_a_manager_is_decided_by_the_gm_not_themselves(org):
    entry = record(org.gm, org.manager_a, "GRABBING")
    with pytest.raises(NotAllowed):
        ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    ledger_confirm(actor=org.gm, entry=entry, now=NOW)


@pytest.mark.django_db(transaction=False)
def test_the_database_refuses_to_change_or_delete_a_confirmed_entry(org):
    entry = record(org.manager_a, org.sales_a, "GRABBING")
    ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal(1))
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(status="proposed")
    entry.refresh_from_db()
    entry.reason = "改过"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    entry.refresh_from_db()
    assert entry.amount == 500 and entry.status == "confirmed" and entry.reason == "经核实"


@pytest.mark.django_db(transaction=False)
def test_postgresql_also_refuses_deleting_a_decided_entry(org):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite guards UPDATE only (see migration 0002)")
    entry = record(org.manager_a, org.sales_a, "GRABBING")
    ledger_waive(actor=org.manager_a, entry=entry, reason="误会", now=NOW)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk)._raw_delete(LedgerEntry.objects.db)
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_a_correction_is_a_reversing_entry_in_the_current_month(org):
    entry = record(org.manager_a, org.sales_a, "GRABBING", on=date(2026, 10, 30), now=NOW)
    ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    with pytest.raises(LedgerError, match="原因"):
        ledger_reverse(actor=org.manager_a, entry=entry, reason="", now=NOW)
    later = datetime(2026, 12, 2, 9, 0, tzinfo=SH)
    reversal = ledger_reverse(actor=org.manager_a, entry=entry, reason="申诉成立", now=later)
    assert reversal.amount == Decimal(-500) and reversal.status == "confirmed"
    assert reversal.month == date(2026, 12, 1) and reversal.reversal_of == entry
    entry.refresh_from_db()
    assert entry.amount == 500 and entry.status == "confirmed"
    with pytest.raises(LedgerError, match="已被冲销"):
        ledger_reverse(actor=org.gm, entry=entry, reason="again", now=later)
    with pytest.raises(LedgerError):
        ledger_reverse(actor=org.gm, entry=reversal, reason="again", now=later)
    proposal = record(org.manager_a, org.sales_a, "WRONG_INFO")
    with pytest.raises(LedgerError, match="豁免"):
        ledger_reverse(actor=org.gm, entry=proposal, reason="x", now=later)
    assert LedgerEntry.objects.count() == 3


def test_month_close_needs_the_gm_an_ended_month_and_every_entry_decided(org):
    entry = record(org.manager_a, org.sales_a, "GRABBING", on=date(2026, 10, 15))
    december = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
    with pytest.raises(NotAllowed):
        month_close(actor=org.manager_a, month=date(2026, 10, 1), now=december)
    with pytest.raises(LedgerError, match="月份结束后"):
        month_close(actor=org.gm, month=date(2026, 12, 1), now=december)
    with pytest.raises(LedgerError, match="待处理"):
        month_close(actor=org.gm, month=date(2026, 10, 1), now=december)
    assert not ClosedMonth.objects.exists()
    ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    month_close(actor=org.gm, month=date(2026, 10, 1), now=december)
    with pytest.raises(LedgerError, match="已经月结"):
        month_close(actor=org.gm, month=date(2026, 10, 1), now=december)


def test_a_closed_month_accepts_no_new_entries_service_and_database(org):
    entry = record(org.manager_a, org.sales_a, "GRABBING", on=date(2026, 10, 15))
    ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    month_close(actor=org.gm, month=date(2026, 10, 1), now=NOW)
    with pytest.raises(LedgerError, match="已结账"):
        record(org.manager_a, org.sales_a, "WRONG_INFO", on=date(2026, 10, 20))
    assert LedgerEntry.objects.count() == 1
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.create(
            person=org.sales_a,
            rule=rule("WRONG_INFO"),
            amount=20,
            reason="绕过服务",
            month=date(2026, 10, 1),
            occurred_on=date(2026, 10, 20),
            created_at=NOW,
        )
    assert LedgerEntry.objects.count() == 1


def test_a_proposal_is_not_decided_in_a_month_closed_meanwhile(org):
    entry = record(org.manager_a, org.sales_a, "GRABBING", on=date(2026, 10, 15))
    ClosedMonth.objects.create(month=date(2026, 10, 1), closed_at=NOW, closed_by=org.gm)
    with pytest.raises(LedgerError, match="已结账"):
        ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    entry.refresh_from_db()
    assert entry.status == "proposed"


def test_private_followup_confirmed_confiscates_the_customer_into_the_department_pool(org):
    customer = register(org.sales_a)
    entry = record(org.manager_a, org.sales_a, "PRIVATE_FOLLOWUP", 50, customer=customer)
    customer.refresh_from_db()
    assert customer.holder == org.sales_a  # a proposal takes nothing away yet
    ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    customer.refresh_from_db()
    assert customer.holder is None and customer.pool == Pool.DEPARTMENT
    assert customer.department == org.a
    event = OwnershipEvent.objects.filter(customer=customer).latest("at")
    assert event.kind == OwnershipKind.CONFISCATION and event.from_holder == org.sales_a


def test_private_followup_needs_the_customer(org):
    with pytest.raises(LedgerError, match="客户"):
        record(org.manager_a, org.sales_a, "PRIVATE_FOLLOWUP", 20)


def test_third_confirmed_contact_complaint_in_12_months_reclaims_all_and_opens_review(org):
    held = [register(org.sales_a) for _ in range(3)]
    days = [date(2025, 12, 1), date(2026, 6, 1), date(2026, 11, 19)]
    entries = [record(org.manager_a, org.sales_a, "CONTACT_REGISTERED", on=d) for d in days]
    ledger_confirm(actor=org.manager_a, entry=entries[0], now=NOW)
    ledger_confirm(actor=org.manager_a, entry=entries[1], now=NOW)
    assert Customer.objects.filter(holder=org.sales_a).count() == 3
    assert not DismissalReview.objects.exists()
    ledger_confirm(actor=org.manager_a, entry=entries[2], now=NOW)
    assert Customer.objects.filter(holder=org.sales_a).count() == 0
    assert all(
        c.pool == Pool.DEPARTMENT for c in Customer.objects.filter(pk__in=[c.pk for c in held])
    )
    review = DismissalReview.objects.get()
    assert review.person == org.sales_a and review.customers_reclaimed == 3
    from crm.models import Notification

    told = set(
        Notification.objects.filter(link=f"/penalties/{entries[2].pk}/").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"manager_a", "gm"} <= told


def test_strikes_older_than_12_months_or_waived_do_not_count(org):
    register(org.sales_a)
    old = record(org.manager_a, org.sales_a, "CONTACT_REGISTERED", on=date(2025, 11, 19))
    waived = record(org.manager_a, org.sales_a, "CONTACT_REGISTERED", on=date(2026, 5, 1))
    last = record(org.manager_a, org.sales_a, "CONTACT_REGISTERED", on=date(2026, 11, 19))
    ledger_confirm(actor=org.manager_a, entry=old, now=NOW)
    ledger_waive(actor=org.manager_a, entry=waived, reason="投诉不实", now=NOW)
    ledger_confirm(actor=org.manager_a, entry=last, now=NOW)
    assert not DismissalReview.objects.exists()
    assert Customer.objects.filter(holder=org.sales_a).count() == 1


def test_reward_of_extra_customers_is_a_distribution_from_the_department_pool(org):
    pooled = [register(org.sales_a2) for _ in range(3)]
    from customers.services import ownership_transfer

    for c in pooled:
        ownership_transfer(
            customer=c, to_pool=Pool.DEPARTMENT, kind=OwnershipKind.RECLAIM, actor=org.gm, now=NOW
        )
    entry = record(org.manager_a, org.sales_a, "REWARD_RESOURCES", 0, extra_customers=2)
    ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    got = Customer.objects.filter(holder=org.sales_a)
    assert got.count() == 2
    assert set(
        OwnershipEvent.objects.filter(customer__in=got, to_holder=org.sales_a).values_list(
            "kind", flat=True
        )
    ) == {OwnershipKind.DISTRIBUTED}


def test_reward_of_more_customers_than_the_pool_has_is_refused_and_not_confirmed(org):
    entry = record(org.manager_a, org.sales_a, "REWARD_RESOURCES", 0, extra_customers=5)
    with pytest.raises(LedgerError, match="只有 0"):
        ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    entry.refresh_from_db()
    assert entry.status == "proposed"
