"""What restarts a clock (SPEC §6): each test tries the cheap way to keep a customer without
serving it, and the customer is reclaimed all the same; the honest way keeps it."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from allocation.models import UnsatisfiedVerification
from allocation.services.notices import unsatisfied_verify, unsatisfied_withdraw
from allocation.services.reclaim import reclaim_run
from crm.errors import RuleError
from customers.errors import NotAllowed
from customers.services import (
    deal_confirm,
    deal_record,
    followup_amend,
    followup_log,
    referral_record,
    referral_verify,
)
from tests.factories import register
from tests.threads import in_thread

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户确认方案，约定下周签合同并交定金。"
SELF_DUE = date(2026, 7, 15)  # registered 2026-01-15 + 6 months


def at(*args):
    return datetime(*args, tzinfo=SH)


def run(code, day):
    return reclaim_run(policy_code=code, as_of=day, now=at(day.year, day.month, day.day, 0, 10))


def held(c):
    c.refresh_from_db()
    return c.holder_id is not None


@pytest.fixture
def mine(org):
    return register(org.sales_a, now=at(2026, 1, 15, 10))


def record_deal(actor, c, amount, when=None, **extra):
    when = when or at(2026, 5, 1, 10)
    return deal_record(
        actor=actor,
        customer=c,
        now=when,
        data={
            "occurred_at": when,
            "product": "地板",
            "quantity": Decimal("1"),
            "amount": Decimal(amount),
            **extra,
        },
    )


# --- deals ---------------------------------------------------------------------------------


def test_a_zero_yuan_deal_keeps_nothing(org, mine):
    record_deal(org.sales_a, mine, "0")
    assert run("no_deal_self", SELF_DUE).moved == 1 and not held(mine)


def test_an_unconfirmed_gift_record_keeps_nothing(org, mine):
    record_deal(org.sales_a, mine, "0", gifts="赠送踢脚线")
    assert run("no_deal_self", SELF_DUE).moved == 1 and not held(mine)


def test_a_gift_record_a_manager_confirmed_keeps_the_customer(org, mine):
    deal = record_deal(org.sales_a, mine, "0", points=500)
    with pytest.raises(NotAllowed):
        deal_confirm(actor=org.sales_a, deal=deal, now=at(2026, 5, 2, 9))
    with pytest.raises(NotAllowed):
        deal_confirm(actor=org.manager_b, deal=deal, now=at(2026, 5, 2, 9))
    deal_confirm(actor=org.manager_a, deal=deal, now=at(2026, 5, 2, 9))
    with pytest.raises(RuleError):
        deal_confirm(actor=org.manager_a, deal=deal, now=at(2026, 5, 2, 9))
    assert run("no_deal_self", SELF_DUE).moved == 0 and held(mine)
    assert run("no_deal_self", date(2026, 11, 1)).moved == 1  # May 1 + 6 months


def test_a_zero_yuan_record_without_gifts_or_points_cannot_be_confirmed(org, mine):
    deal = record_deal(org.sales_a, mine, "0")
    with pytest.raises(RuleError):
        deal_confirm(actor=org.manager_a, deal=deal, now=at(2026, 5, 2, 9))


def test_a_positive_deal_keeps_the_customer(org, mine):
    record_deal(org.sales_a, mine, "0.01")
    assert run("no_deal_self", SELF_DUE).moved == 0 and held(mine)


# --- referrals -----------------------------------------------------------------------------


def refer(org, c, phone="", when=None):
    when = when or at(2026, 5, 1, 10)
    return referral_record(
        actor=org.sales_a,
        customer=c,
        now=when,
        data={
            "occurred_at": when,
            "referred_name": "李先生",
            "referred_phone": phone,
            "what": "介绍邻居装修",
        },
    )


def test_a_referral_naming_nobody_keeps_nothing(org, mine):
    refer(org, mine)
    assert run("no_deal_self", SELF_DUE).moved == 1 and not held(mine)


def test_a_referral_naming_an_old_customer_keeps_nothing(org, mine):
    register(org.sales_b, now=at(2026, 1, 20, 10), phone="13900001111", name="老客户有限公司")
    referral = refer(org, mine, phone="139-0000-1111")
    assert referral.referred is not None
    assert run("no_deal_self", SELF_DUE).moved == 1 and not held(mine)


def test_a_referral_whose_customer_is_registered_later_keeps_the_customer(org, mine):
    refer(org, mine, phone="13900002222")
    mine.refresh_from_db()
    assert mine.last_deal_at is None
    new = register(org.sales_a2, now=at(2026, 5, 3, 10), phone="+86 139 0000 2222", name="新客户")
    mine.refresh_from_db()
    assert mine.last_deal_at == at(2026, 5, 1, 10)
    assert mine.referrals.get().referred == new
    assert run("no_deal_self", SELF_DUE).moved == 0 and held(mine)


def test_a_referral_a_manager_verified_keeps_the_customer(org, mine):
    referral = refer(org, mine)
    with pytest.raises(NotAllowed):
        referral_verify(actor=org.sales_a, referral=referral, now=at(2026, 5, 2, 9))
    with pytest.raises(NotAllowed):
        referral_verify(actor=org.accountant_a, referral=referral, now=at(2026, 5, 2, 9))
    referral_verify(actor=org.manager_a, referral=referral, now=at(2026, 5, 2, 9))
    assert run("no_deal_self", SELF_DUE).moved == 0 and held(mine)


def test_a_customer_cannot_refer_itself(org):
    c = register(org.sales_a, now=at(2026, 1, 15, 10), phone="13900003333")
    with pytest.raises(RuleError):
        refer(org, c, phone="13900003333")


# --- 不满意 ---------------------------------------------------------------------------------


def unsatisfied_case(org, c):
    f = followup_log(
        actor=org.sales_a,
        customer=c,
        now=at(2026, 2, 10, 10),
        data={
            "kind": "callback",
            "occurred_at": at(2026, 2, 10, 10),
            "content": GOOD,
            "satisfaction": "unsatisfied",
        },
    )
    unsatisfied_verify(actor=org.manager_a, followup=f, now=at(2026, 2, 11, 9))
    return f


def test_a_later_satisfied_followup_does_not_lift_a_verified_unsatisfied(org, mine):
    unsatisfied_case(org, mine)
    followup_log(
        actor=org.sales_a,
        customer=mine,
        now=at(2026, 2, 20, 10),
        data={
            "kind": "home_visit",
            "occurred_at": at(2026, 2, 20, 10),
            "content": GOOD,
            "satisfaction": "satisfied",
        },
    )
    assert run("unsatisfied", date(2026, 3, 1)).moved == 1 and not held(mine)


def test_correcting_the_unsatisfied_followup_does_not_lift_it(org, mine):
    f = unsatisfied_case(org, mine)
    followup_amend(
        actor=org.sales_a,
        original=f,
        data={"content": GOOD + "（更正）", "satisfaction": "satisfied"},
        now=at(2026, 2, 12, 9),
    )
    assert run("unsatisfied", date(2026, 3, 1)).moved == 1 and not held(mine)


def test_only_the_manager_withdrawing_the_verification_lifts_it(org, mine):
    f = unsatisfied_case(org, mine)
    with pytest.raises(NotAllowed):
        unsatisfied_withdraw(
            actor=org.sales_a, followup=f, reason="客户已满意", now=at(2026, 2, 20)
        )
    with pytest.raises(RuleError):
        unsatisfied_withdraw(actor=org.manager_a, followup=f, reason=" ", now=at(2026, 2, 20))
    unsatisfied_withdraw(actor=org.manager_a, followup=f, reason="复核：误记", now=at(2026, 2, 20))
    v = UnsatisfiedVerification.objects.get(followup=f)
    assert (v.withdrawn_by, v.withdrawn_reason) == (org.manager_a, "复核：误记")
    assert run("unsatisfied", date(2026, 3, 1)).moved == 0 and held(mine)
    with pytest.raises(RuleError):
        unsatisfied_withdraw(actor=org.manager_a, followup=f, reason="再次", now=at(2026, 2, 21))


def test_withdraw_and_timeline_buttons_through_the_pages(org, mine, login):
    f = unsatisfied_case(org, mine)
    client = login(org.manager_a)
    page = client.get(f"/customers/{mine.pk}/").content.decode()
    assert 'data-testid="withdraw-unsatisfied"' in page
    response = client.post(
        f"/allocation/followups/{f.pk}/withdraw-unsatisfied/", {"reason": "复核：误记"}
    )
    assert response.status_code == 302
    page = client.get(f"/customers/{mine.pk}/").content.decode()
    assert 'data-testid="unsatisfied-withdrawn"' in page
    # a salesperson gets 404, not a form
    assert (
        login(org.sales_a).post(f"/allocation/followups/{f.pk}/withdraw-unsatisfied/").status_code
        == 404
    )


def test_confirm_and_verify_through_the_pages(org, mine, login):
    deal = record_deal(org.sales_a, mine, "0", gifts="赠品")
    referral = refer(org, mine)
    sales = login(org.sales_a)
    page = sales.get(f"/customers/{mine.pk}/").content.decode()
    assert 'data-testid="deal-unconfirmed"' in page and 'data-testid="referral-unverified"' in page
    assert sales.post(f"/customers/{mine.pk}/deals/{deal.pk}/confirm/").status_code == 302
    deal.refresh_from_db()
    assert deal.confirmed_at is None  # refused with a message, nothing written
    manager = login(org.manager_a)
    manager.post(f"/customers/{mine.pk}/deals/{deal.pk}/confirm/")
    manager.post(f"/customers/{mine.pk}/referrals/{referral.pk}/verify/")
    deal.refresh_from_db()
    referral.refresh_from_db()
    assert deal.confirmed_by == org.manager_a and referral.verified_by == org.manager_a
    assert (
        login(org.manager_b).post(f"/customers/{mine.pk}/deals/{deal.pk}/confirm/").status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_committed_during_the_sweep_keeps_the_customer():
    """The unsatisfied rule re-checks after it holds the row lock, in a fresh statement: a
    manager's withdrawal committed while the sweep waited is seen (issue 12, defect 5)."""
    import threading
    import time as pytime

    from django.db import connection, connections, transaction

    from tests.factories import DepartmentFactory, make_person

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent transactions")
    department = DepartmentFactory()
    seller = make_person("seller", "salesperson", department)
    boss = make_person("boss", "manager", department, manages=department)

    def setup():
        c = register(seller, now=at(2026, 1, 10, 9))
        f = followup_log(
            actor=seller,
            customer=c,
            now=at(2026, 2, 10, 10),
            data={
                "kind": "callback",
                "occurred_at": at(2026, 2, 10, 10),
                "content": GOOD,
                "satisfaction": "unsatisfied",
            },
        )
        unsatisfied_verify(actor=boss, followup=f, now=at(2026, 2, 11, 9))
        return c, f

    c, f = in_thread(setup)
    started, proceed = threading.Event(), threading.Event()
    outcome = {}

    def withdraw():
        try:
            with transaction.atomic():
                unsatisfied_withdraw(
                    actor=boss, followup=f, reason="复核：误记", now=at(2026, 2, 28)
                )
                started.set()
                proceed.wait(5)
                pytime.sleep(0.5)  # the sweep is now waiting on the customer's row lock
        finally:
            connections.close_all()

    def sweep():
        try:
            started.wait(5)
            proceed.set()
            outcome["result"] = run("unsatisfied", date(2026, 3, 1))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=withdraw), threading.Thread(target=sweep)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome["result"].moved == 0
    assert held(c)
