"""The public notice board (公示), appeals and decisions, and the 不满意 verification (SPEC §6).
The engine creates notices when it reclaims; here they are created directly after moving the
customer to the pool, with explicit datetimes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocation.models import PublicNotice, ReclaimPolicy, UnsatisfiedVerification
from allocation.selectors.notices import customers_on_notice, inbox_items, notices_visible_to
from allocation.services.notices import notice_appeal, notice_decide, unsatisfied_verify
from allocation.services.reclaim import notice_end
from crm.errors import RuleError
from crm.models import Notification
from customers.errors import NotAllowed
from customers.models import Customer, OwnershipEvent
from customers.services import followup_log, ownership_transfer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户对新款地板感兴趣，约定下周带样品再谈报价。"
RECLAIMED = datetime(2026, 3, 2, 0, 30, tzinfo=SH)  # a Monday
DURING = datetime(2026, 3, 4, 15, 0, tzinfo=SH)
AFTER = datetime(2026, 3, 6, 0, 0, tzinfo=SH)  # the notice ends at midnight after Thursday


def at(*args):
    return datetime(*args, tzinfo=SH)


def reclaimed(holder, *, pool="department", when=RECLAIMED, policy="no_followup", **fields):
    """A customer of `holder` moved to `pool` by a reclaim at `when`, with its notice."""
    customer = register(holder, now=at(2026, 1, 15, 10), **fields)
    department_id = customer.department_id
    ownership_transfer(
        customer=customer, to_pool=pool, kind="reclaim", actor=None, now=when, reason="test"
    )
    return PublicNotice.objects.create(
        customer=customer,
        previous_holder=holder,
        department_id=None if pool == "company" else department_id,
        policy=policy,
        pool=pool,
        reclaimed_at=when,
        ends_at=notice_end(ReclaimPolicy.objects.get(code=policy), when.date()),
    )


def appeal(notice, when=DURING, reason="客户上周刚签了意向书，只是记录晚录了。"):
    return notice_appeal(actor=notice.previous_holder, notice=notice, reason=reason, now=when)


def fresh(obj):
    obj.refresh_from_db()
    return obj


# --- dates -----------------------------------------------------------------------------------


def test_notice_runs_three_working_days_after_the_reclaim_day(org):
    notice = reclaimed(org.sales_a)
    assert notice.ends_at == AFTER
    # Friday → Monday, Tuesday, Wednesday: ends at midnight after Wednesday.
    friday = reclaimed(org.sales_a, when=at(2026, 3, 6, 0, 30))
    assert friday.ends_at == at(2026, 3, 12, 0, 0)


# --- the board -------------------------------------------------------------------------------


def test_board_scoping(org, login):
    in_a = reclaimed(org.sales_a)
    in_b = reclaimed(org.sales_b)
    company = reclaimed(org.sales_b2, pool="company", policy="no_deal_self")

    def seen(user):
        return set(notices_visible_to(user).values_list("pk", flat=True))

    assert seen(org.sales_a2) == {in_a.pk, company.pk}  # same department, salesperson
    assert seen(org.accountant_a) == {in_a.pk, company.pk}
    assert seen(org.manager_a) == {in_a.pk, company.pk}
    assert seen(org.sales_a1) == {company.pk}  # another (sub-)department
    assert seen(org.manager_a1) == {company.pk}
    assert seen(org.manager_b) == {in_b.pk, company.pk}
    assert seen(org.sales_b2) == {in_b.pk, company.pk}
    assert seen(org.gm) == {in_a.pk, in_b.pk, company.pk}

    client = login(org.sales_a2)
    body = client.get(reverse("allocation:notices") + "?show=all").content.decode()
    assert f'data-id="{in_a.pk}"' in body and f'data-id="{company.pk}"' in body
    assert f'data-id="{in_b.pk}"' not in body
    assert client.get(reverse("allocation:notice_detail", args=[in_a.pk])).status_code == 200
    assert client.get(reverse("allocation:notice_detail", args=[in_b.pk])).status_code == 404


def test_previous_holder_sees_their_notice_after_moving_department(org):
    notice = reclaimed(org.sales_a)
    org.sales_a.staff.department = org.b
    org.sales_a.staff.save()
    org.sales_a.refresh_from_db()
    assert notices_visible_to(org.sales_a).filter(pk=notice.pk).exists()


def test_board_page_query_count_is_constant(org, login):
    client = login(org.manager_a)
    url = reverse("allocation:notices") + "?show=all"
    for _ in range(2):
        reclaimed(org.sales_a)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(18):
        reclaimed(org.sales_a2 if n % 2 else org.sales_a)
    reclaimed(org.sales_b, pool="company", policy="no_deal_self")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count("data-id=") == 21
    assert len(large.captured_queries) == len(small.captured_queries)


# --- appeals ---------------------------------------------------------------------------------


def test_appeal_once_during_the_notice_by_the_previous_holder(org):
    notice = reclaimed(org.sales_a)
    with pytest.raises(NotAllowed):
        notice_appeal(actor=org.sales_a2, notice=notice, reason="是我的", now=DURING)
    with pytest.raises(RuleError):
        appeal(notice, reason="  ")
    assert fresh(notice).appealed_at is None
    with pytest.raises(RuleError):
        appeal(notice, when=AFTER)
    assert fresh(notice).appealed_at is None

    appeal(notice)
    notice = fresh(notice)
    assert notice.appealed_at == DURING and notice.appeal_reason
    assert list(Notification.objects.values_list("recipient", flat=True)) == [org.manager_a.pk]
    with pytest.raises(RuleError):
        appeal(notice, when=at(2026, 3, 5, 9))
    assert fresh(notice).appealed_at == DURING


def test_company_pool_appeal_goes_to_the_general_manager(org):
    notice = reclaimed(org.sales_b, pool="company", policy="no_deal_issued")
    appeal(notice)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [org.gm.pk]
    assert [i.url for i in inbox_items(org.gm, now=DURING)] == [
        reverse("allocation:notice_detail", args=[notice.pk])
    ]
    assert inbox_items(org.manager_b, now=DURING) == []


def test_appeal_page(org, login):
    notice = reclaimed(org.sales_a)
    url = reverse("allocation:notice_appeal", args=[notice.pk])
    detail = reverse("allocation:notice_detail", args=[notice.pk])
    assert 'data-testid="appeal-form"' not in login(org.sales_a2).get(detail).content.decode()
    assert login(org.sales_a2).post(url, {"reason": "是我的"}).status_code == 400
    assert login(org.sales_b).post(url, {"reason": "是我的"}).status_code == 404
    client = login(org.sales_a)
    # The notice of this test ran in March 2026; the page reads the clock.
    with time_machine.travel(DURING, tick=False):
        assert 'data-testid="appeal-form"' in client.get(detail).content.decode()
        assert client.post(url, {"reason": ""}).status_code == 400
        assert fresh(notice).appealed_at is None
        assert client.post(url, {"reason": "刚签意向书"}).status_code == 302
        assert client.post(url, {"reason": "再来一次"}).status_code == 400
    assert fresh(notice).appeal_reason == "刚签意向书"


# --- decisions -------------------------------------------------------------------------------


def test_restore_gives_the_customer_back_and_restarts_the_clock(org):
    notice = reclaimed(org.sales_a)
    appeal(notice)
    events = OwnershipEvent.objects.filter(customer=notice.customer_id)
    before = events.count()
    decided = at(2026, 3, 5, 11)
    notice_decide(actor=org.manager_a, notice=notice, restore=True, reason="", now=decided)

    customer = Customer.objects.get(pk=notice.customer_id)
    assert (customer.holder, customer.pool, customer.department) == (org.sales_a, "", org.a)
    assert customer.holder_since == decided
    assert customer.acquired_via == "self_registered"  # its rules apply again
    assert events.count() == before + 1
    event = events.latest("at")
    assert (event.kind, event.to_holder, event.actor) == ("restored", org.sales_a, org.manager_a)
    notice = fresh(notice)
    assert (notice.decision, notice.decided_by, notice.decided_at) == (
        "restored",
        org.manager_a,
        decided,
    )
    assert Notification.objects.filter(recipient=org.sales_a).count() == 1
    with pytest.raises(RuleError):
        notice_decide(actor=org.gm, notice=notice, restore=False, reason="不", now=decided)


def test_confirm_moves_nothing_and_needs_a_reason(org):
    notice = reclaimed(org.sales_a)
    appeal(notice)
    with pytest.raises(RuleError):
        notice_decide(actor=org.manager_a, notice=notice, restore=False, reason="", now=DURING)
    events = OwnershipEvent.objects.filter(customer=notice.customer_id).count()
    notice_decide(actor=org.manager_a, notice=notice, restore=False, reason="确无跟进", now=DURING)
    customer = Customer.objects.get(pk=notice.customer_id)
    assert (customer.holder, customer.pool, customer.holder_since) == (
        None,
        "department",
        RECLAIMED,
    )
    assert OwnershipEvent.objects.filter(customer=customer).count() == events
    assert fresh(notice).decision == "confirmed"
    assert Notification.objects.filter(recipient=org.sales_a).count() == 1


def test_who_may_decide(org):
    notice = reclaimed(org.sales_a1)  # sub-department a1
    with pytest.raises(RuleError):  # nothing appealed yet
        notice_decide(actor=org.manager_a1, notice=notice, restore=True, reason="", now=DURING)
    appeal(notice)
    assert [i.kind for i in inbox_items(org.manager_a1, now=DURING)] == ["申诉"]
    assert inbox_items(org.manager_a, now=DURING) == [] and inbox_items(org.gm, now=DURING) == []
    for outsider in (org.sales_a1, org.sales_a, org.manager_b, org.accountant_a):
        with pytest.raises(NotAllowed):
            notice_decide(actor=outsider, notice=notice, restore=True, reason="", now=DURING)
    assert fresh(notice).decision == ""
    # The manager above the department may decide too.
    notice_decide(actor=org.manager_a, notice=notice, restore=True, reason="", now=DURING)
    assert fresh(notice).decision == "restored"


def test_company_pool_decided_by_the_general_manager_only(org):
    notice = reclaimed(org.sales_a, pool="company", policy="no_deal_self")
    appeal(notice)
    with pytest.raises(NotAllowed):
        notice_decide(actor=org.manager_a, notice=notice, restore=True, reason="", now=DURING)
    notice_decide(actor=org.gm, notice=notice, restore=True, reason="", now=DURING)
    customer = Customer.objects.get(pk=notice.customer_id)
    assert (customer.holder, customer.department) == (org.sales_a, org.a)


def test_restore_refused_once_the_customer_left_the_pool(org):
    notice = reclaimed(org.sales_a)
    appeal(notice)
    ownership_transfer(
        customer=notice.customer,
        to_holder=org.sales_a2,
        kind="distributed",
        actor=org.manager_a,
        now=at(2026, 3, 4, 16),
    )
    with pytest.raises(RuleError):
        notice_decide(actor=org.manager_a, notice=notice, restore=True, reason="", now=AFTER)
    assert fresh(notice).decision == ""
    assert Customer.objects.get(pk=notice.customer_id).holder == org.sales_a2


def test_decide_through_the_inbox_button(org, login):
    notice = reclaimed(org.sales_a)
    appeal(notice)
    (item,) = inbox_items(org.manager_a, now=DURING)
    assert item.decide_url == reverse("allocation:notice_decide", args=[notice.pk])
    assert item.created_at == DURING and item.due_at == AFTER
    assert login(org.manager_b).post(item.decide_url, {"decision": "approve"}).status_code == 404
    assert login(org.sales_a2).post(item.decide_url, {"decision": "approve"}).status_code == 400
    client = login(org.manager_a)
    assert client.post(item.decide_url, {"decision": "maybe"}).status_code == 400
    assert client.post(item.decide_url, {"decision": "reject", "reason": ""}).status_code == 400
    assert fresh(notice).decision == ""
    assert (
        client.post(item.decide_url, {"decision": "approve", "reason": "属实"}).status_code == 302
    )
    assert fresh(notice).decision == "restored"
    assert inbox_items(org.manager_a, now=DURING) == []
    assert client.post(item.decide_url, {"decision": "reject", "reason": "x"}).status_code == 400


def test_manager_decision_form_shown_only_to_deciders(org, login):
    notice = reclaimed(org.sales_a)
    appeal(notice)
    url = reverse("allocation:notice_detail", args=[notice.pk])
    assert 'data-testid="decide-form"' in login(org.manager_a).get(url).content.decode()
    assert 'data-testid="decide-form"' in login(org.gm).get(url).content.decode()
    assert 'data-testid="decide-form"' not in login(org.sales_a).get(url).content.decode()
    assert 'data-testid="decide-form"' not in login(org.sales_a2).get(url).content.decode()


# --- distribution guard ----------------------------------------------------------------------


def test_customers_on_notice(org):
    running = reclaimed(org.sales_a)
    restored = reclaimed(org.sales_a2)
    confirmed = reclaimed(org.sales_a2)
    ids = [running.customer_id, restored.customer_id, confirmed.customer_id]
    for n in (restored, confirmed):
        appeal(n)
    notice_decide(actor=org.manager_a, notice=restored, restore=True, reason="", now=DURING)
    notice_decide(actor=org.manager_a, notice=confirmed, restore=False, reason="x", now=DURING)
    assert customers_on_notice(ids, DURING) == {running.customer_id, confirmed.customer_id}
    assert customers_on_notice(ids, at(2026, 3, 5, 23, 59)) == {
        running.customer_id,
        confirmed.customer_id,
    }
    assert customers_on_notice(ids, AFTER) == set()
    assert customers_on_notice([], DURING) == set()


def test_an_undecided_appeal_keeps_the_customer_off_distribution(org):
    notice = reclaimed(org.sales_a)
    appeal(notice)
    assert customers_on_notice([notice.customer_id], AFTER) == {notice.customer_id}
    notice_decide(actor=org.manager_a, notice=notice, restore=False, reason="x", now=AFTER)
    assert customers_on_notice([notice.customer_id], AFTER) == set()


# --- 不满意 verification ---------------------------------------------------------------------


def unsatisfied(org, satisfaction="unsatisfied"):
    customer = register(org.sales_a, now=at(2026, 1, 15, 10))
    followup = followup_log(
        actor=org.sales_a,
        customer=customer,
        now=at(2026, 2, 3, 18),
        data={
            "kind": "callback",
            "occurred_at": at(2026, 2, 3, 17),
            "content": GOOD,
            "satisfaction": satisfaction,
        },
    )
    return customer, followup


def test_unsatisfied_verification_who_may(org):
    customer, followup = unsatisfied(org)
    for outsider in (org.sales_a, org.sales_a2, org.manager_b, org.accountant_a, org.manager_a1):
        with pytest.raises(NotAllowed):
            unsatisfied_verify(actor=outsider, followup=followup, now=at(2026, 2, 4, 9))
    assert not UnsatisfiedVerification.objects.exists()
    unsatisfied_verify(actor=org.manager_a, followup=followup, now=at(2026, 2, 4, 9))
    verification = UnsatisfiedVerification.objects.get()
    assert (verification.followup, verification.verified_by) == (followup, org.manager_a)
    assert Notification.objects.filter(recipient=org.sales_a).count() == 1
    with pytest.raises(RuleError):  # once
        unsatisfied_verify(actor=org.gm, followup=followup, now=at(2026, 2, 4, 10))
    assert UnsatisfiedVerification.objects.count() == 1


def test_only_an_unsatisfied_followup_can_be_verified(org):
    _customer, followup = unsatisfied(org, satisfaction="neutral")
    with pytest.raises(RuleError):
        unsatisfied_verify(actor=org.manager_a, followup=followup, now=at(2026, 2, 4, 9))
    assert not UnsatisfiedVerification.objects.exists()


def test_unsatisfied_verification_page_and_button(org, login):
    customer, followup = unsatisfied(org)
    _other, neutral = unsatisfied(org, satisfaction="neutral")
    detail = reverse("customers:detail", args=[customer.pk])
    url = reverse("allocation:unsatisfied_verify", args=[followup.pk])
    assert 'data-testid="verify-unsatisfied"' not in login(org.sales_a).get(detail).content.decode()
    assert login(org.sales_a).post(url).status_code == 404
    assert login(org.manager_b).post(url).status_code == 404
    assert login(org.accountant_a).post(url).status_code == 404
    neutral_url = reverse("allocation:unsatisfied_verify", args=[neutral.pk])
    client = login(org.manager_a)
    assert client.post(neutral_url).status_code == 400
    body = client.get(detail).content.decode()
    assert 'data-testid="verify-unsatisfied"' in body
    assert client.post(url).status_code == 302
    assert UnsatisfiedVerification.objects.filter(followup=followup).exists()
    body = client.get(detail).content.decode()
    assert 'data-testid="verify-unsatisfied"' not in body
    assert 'data-testid="unsatisfied-verified"' in body
    assert client.post(url).status_code == 400
