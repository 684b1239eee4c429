"""Distribution batches, pool requests, the protection queue and wrong-number replacements
(SPEC §5; rule book 000 §3.4), each with who may and who may not."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from constance.test import override_config
from django.db import connection, connections
from django.urls import reverse
from django.utils import translation

from allocation.models import ClaimRequest, DistributionBatch, DistributionItem
from allocation.selectors.distribution import protection_queue
from allocation.services.distribution import (
    AllocationError,
    Assignment,
    claim_create,
    claim_decide,
    distribution_create,
    protection_reclaim,
    report_create,
    report_verify,
)
from customers.errors import NotAllowed
from customers.models import Customer, OwnershipEvent
from customers.services import followup_log, ownership_transfer
from tests.factories import make_person, register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 15, 10, tzinfo=SH)


def at(*args):
    return datetime(*args, tzinfo=SH)


def pooled(owner, n=1, pool="department", **fields):
    """Customers registered by `owner` and reclaimed into their department (or company) pool."""
    out = []
    for _ in range(n):
        c = register(owner, now=at(2026, 1, 5, 9), **fields)
        ownership_transfer(
            customer=c, to_pool=pool, kind="reclaim", actor=None, now=at(2026, 4, 1, 0, 30)
        )
        out.append(c)
    return out


def dept_batch(actor, department, customers, recipient, **kw):
    return distribution_create(
        actor=actor,
        source="department",
        department=department,
        now=NOW,
        assignments=[Assignment(c.pk, recipient=recipient) for c in customers],
        **kw,
    )


def test_manager_distributes_department_pool_with_events_and_source_note(org):
    customers = pooled(org.sales_a2, 3)
    batch = dept_batch(org.manager_a, org.a, customers, org.sales_a, source_note="展会名单")
    assert batch.approver == org.manager_a and batch.items.count() == 3
    for c in customers:
        c.refresh_from_db()
        assert (c.holder, c.acquired_via, c.holder_since) == (org.sales_a, "distributed", NOW)
        # 000 §3.4.b: the original channel stays; the batch is noted beside it.
        assert (c.source, c.source_note) == ("phone", "")
        assert c.distribution_note == f"{batch.reference} 展会名单"
        event = c.events.first()
        assert event.kind == "distributed" and event.approval_ref == batch.reference
    from crm.models import Notification

    assert Notification.objects.filter(recipient=org.sales_a).count() == 1


def test_gm_distributes_company_pool_to_a_department_pool_and_a_person(org):
    to_dept, to_person = pooled(org.sales_b, 2, pool="company")
    distribution_create(
        actor=org.gm,
        source="company",
        department=None,
        now=NOW,
        assignments=[
            Assignment(to_dept.pk, department=org.a),
            Assignment(to_person.pk, recipient=org.sales_b2),
        ],
    )
    to_dept.refresh_from_db()
    to_person.refresh_from_db()
    assert (to_dept.holder, to_dept.pool, to_dept.department) == (None, "department", org.a)
    assert (to_person.holder, to_person.department) == (org.sales_b2, org.b)


def test_salesperson_and_other_managers_cannot_distribute(org):
    customers = pooled(org.sales_a2, 1)
    with pytest.raises(NotAllowed):
        dept_batch(org.sales_a, org.a, customers, org.sales_a)
    with pytest.raises(NotAllowed):
        dept_batch(org.manager_b, org.a, customers, org.sales_b)
    with pytest.raises(NotAllowed):
        distribution_create(
            actor=org.manager_a,
            source="company",
            department=None,
            now=NOW,
            assignments=[Assignment(customers[0].pk, recipient=org.sales_a)],
        )
    assert DistributionBatch.objects.count() == 0


def test_customer_no_longer_in_the_pool_refuses_the_whole_batch(org):
    first, second = pooled(org.sales_a2, 2)
    dept_batch(org.manager_a, org.a, [first], org.sales_a)
    with pytest.raises(AllocationError):
        dept_batch(org.manager_a, org.a, [second, first], org.sales_a2)
    second.refresh_from_db()
    assert second.holder is None and DistributionBatch.objects.count() == 1


def test_recipient_who_left_or_is_in_another_department_is_refused(org):
    customers = pooled(org.sales_a2, 1)
    staff = org.sales_a.staff
    staff.status, staff.status_effective_at = "left", at(2026, 4, 30, 18)
    staff.save()
    with pytest.raises(AllocationError):
        dept_batch(org.manager_a, org.a, customers, org.sales_a)
    with pytest.raises(AllocationError):
        dept_batch(org.manager_a, org.a, customers, org.sales_b)
    assert Customer.objects.get(pk=customers[0].pk).holder is None


def test_first_month_hire_needs_an_exception_and_a_small_batch(org):
    newbie = make_person("newbie", "salesperson", org.a, hire_date=date(2026, 4, 1))
    customers = pooled(org.sales_a2, 10)
    with pytest.raises(AllocationError):
        dept_batch(org.manager_a, org.a, customers[:1], newbie)
    # 20 % of a 10-customer pool is 2.
    with pytest.raises(AllocationError):
        dept_batch(org.manager_a, org.a, customers[:3], newbie, exception_reason="有五年经验")
    dept_batch(org.manager_a, org.a, customers[:2], newbie, exception_reason="有五年经验")
    assert Customer.objects.filter(holder=newbie).count() == 2
    assert DistributionBatch.objects.get().exception_reason == "有五年经验"
    # One month and a day after the hire date, no exception is needed.
    distribution_create(
        actor=org.manager_a,
        source="department",
        department=org.a,
        now=at(2026, 5, 2, 9),
        assignments=[Assignment(customers[5].pk, recipient=newbie)],
    )


@override_config(NEW_HIRE_BATCH_MAX=3)
def test_new_hire_batch_cap_is_the_smaller_of_count_and_share(org):
    newbie = make_person("newbie", "salesperson", org.a, hire_date=date(2026, 4, 1))
    customers = pooled(org.sales_a2, 30)  # 20 % would be 6, the count cap 3 wins
    with pytest.raises(AllocationError):
        dept_batch(org.manager_a, org.a, customers[:4], newbie, exception_reason="骨干")
    dept_batch(org.manager_a, org.a, customers[:3], newbie, exception_reason="骨干")


@override_config(HOLDING_CAP=3)
def test_holding_cap(org):
    register(org.sales_a)
    register(org.sales_a)
    customers = pooled(org.sales_a2, 2)
    with pytest.raises(AllocationError):
        dept_batch(org.manager_a, org.a, customers, org.sales_a)
    dept_batch(org.manager_a, org.a, customers[:1], org.sales_a)


def test_replacement_only_for_a_verified_wrong_number_once(org):
    bad = register(org.sales_a, now=at(2026, 3, 1, 9))
    customers = pooled(org.sales_a2, 2)
    report = report_create(actor=org.sales_a, customer=bad, note="空号，拨打提示不存在", now=NOW)
    with pytest.raises(AllocationError):  # not verified yet
        distribution_create(
            actor=org.manager_a,
            source="department",
            department=org.a,
            now=NOW,
            assignments=[Assignment(customers[0].pk, recipient=org.sales_a, replaces=report)],
        )
    with pytest.raises(NotAllowed):
        report_verify(actor=org.manager_b, report=report, now=NOW)
    report_verify(actor=org.manager_a, report=report, now=NOW)
    bad.refresh_from_db()
    assert bad.holder is None and bad.pool == "department"
    distribution_create(
        actor=org.manager_a,
        source="department",
        department=org.a,
        now=NOW,
        assignments=[Assignment(customers[0].pk, recipient=org.sales_a, replaces=report)],
    )
    with pytest.raises(AllocationError):  # used up
        distribution_create(
            actor=org.manager_a,
            source="department",
            department=org.a,
            now=NOW,
            assignments=[Assignment(customers[1].pk, recipient=org.sales_a, replaces=report)],
        )


def test_claim_approved_is_a_distribution_to_the_requester(org):
    customers = pooled(org.sales_a2, 2)
    claim = claim_create(
        actor=org.sales_a,
        customer_ids=[c.pk for c in customers],
        reason="这两家在我负责的小区",
        now=NOW,
    )
    with pytest.raises(NotAllowed):
        claim_decide(actor=org.manager_b, claim=claim, approve=True, now=NOW)
    claim_decide(actor=org.manager_a, claim=claim, approve=True, now=NOW)
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.batch.claim == claim
    assert set(Customer.objects.filter(holder=org.sales_a)) == set(customers)
    assert OwnershipEvent.objects.filter(kind="claimed").count() == 2
    with pytest.raises(AllocationError):
        claim_decide(actor=org.manager_a, claim=claim, approve=True, now=NOW)


def test_claim_rejection_needs_a_reason_and_notifies(org):
    from crm.models import Notification

    customers = pooled(org.sales_a2, 1)
    claim = claim_create(actor=org.sales_a, customer_ids=[customers[0].pk], reason="想要", now=NOW)
    with pytest.raises(AllocationError):
        claim_decide(actor=org.manager_a, claim=claim, approve=False, now=NOW)
    claim_decide(actor=org.manager_a, claim=claim, approve=False, reason="已安排给别人", now=NOW)
    assert ClaimRequest.objects.get().status == "rejected"
    assert Notification.objects.get(recipient=org.sales_a).body == "已安排给别人"


def test_claim_only_for_own_department_pool(org):
    other = pooled(org.sales_b, 1)
    with pytest.raises(AllocationError):
        claim_create(actor=org.sales_a, customer_ids=[other[0].pk], reason="想要", now=NOW)
    with pytest.raises(NotAllowed):
        claim_create(actor=org.manager_a, customer_ids=[other[0].pk], reason="想要", now=NOW)


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_approval_distributes_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    from tests.factories import DepartmentFactory

    department = DepartmentFactory()
    managers = [make_person(f"m{i}", "manager", department) for i in range(2)]
    department.manager = managers[0]
    from crm.services import department_save, staff_sync_access

    department_save(department=department)
    gm = make_person("bigboss", "general_manager")
    staff_sync_access(user=gm)
    seller = make_person("seller", "salesperson", department)
    owner = make_person("owner", "salesperson", department)
    customers = pooled(owner, 3)
    claim = claim_create(
        actor=seller, customer_ids=[c.pk for c in customers], reason="需要", now=NOW
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor):
        try:
            barrier.wait()
            claim_decide(actor=actor, claim=claim, approve=True, now=NOW)
            outcomes.append("ok")
        except AllocationError:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a,)) for a in (managers[0], gm)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert DistributionBatch.objects.count() == 1
    assert DistributionItem.objects.count() == 3
    assert OwnershipEvent.objects.filter(kind="claimed").count() == 3


def test_protection_queue_lists_unfollowed_customers_after_a_month(org):
    quiet = register(org.sales_a, now=at(2026, 3, 10, 9))
    busy = register(org.sales_a, now=at(2026, 3, 10, 9))
    young = register(org.sales_a, now=at(2026, 3, 20, 9))
    followup_log(
        actor=org.sales_a,
        customer=busy,
        now=at(2026, 3, 12, 9),
        data={
            "kind": "callback",
            "occurred_at": at(2026, 3, 12, 9),
            "content": "电话回访，客户确认下周到店看样品并带设计图。",
        },
    )
    assert list(protection_queue(org.manager_a, as_of=at(2026, 4, 10, 8, 59))) == []
    queue = list(protection_queue(org.manager_a, as_of=at(2026, 4, 10, 9, 0)))
    assert queue == [quiet]
    assert young not in protection_queue(org.manager_a, as_of=at(2026, 4, 19, 0, 30))
    assert list(protection_queue(org.manager_b, as_of=at(2026, 4, 10, 0, 30))) == []
    moved = protection_reclaim(
        actor=org.manager_a,
        customer_ids=[quiet.pk, busy.pk],
        now=at(2026, 4, 10, 9),
        reason="保护期满未跟进",
    )
    assert moved == 1
    quiet.refresh_from_db()
    assert quiet.pool == "department" and quiet.events.first().kind == "reclaim"


# --- pages ---------------------------------------------------------------------------------


def test_pool_page_scoping(org, login):
    pooled(org.sales_a2, 1)
    pooled(org.sales_b, 1, pool="company")
    assert login(org.manager_a).get(reverse("allocation:pool")).status_code == 200
    assert (
        login(org.manager_a).get(reverse("allocation:pool"), {"pool": org.b.pk}).status_code == 404
    )
    assert (
        login(org.manager_a).get(reverse("allocation:pool"), {"pool": "company"}).status_code == 404
    )
    assert login(org.gm).get(reverse("allocation:pool"), {"pool": "company"}).status_code == 200
    # A salesperson sees their own department's pool (to request from it), never another's,
    # and may not distribute.
    sales_page = login(org.sales_a).get(reverse("allocation:pool"), {"pool": org.b.pk})
    assert sales_page.status_code == 200 and sales_page.context["department"] == org.a
    assert sales_page.context["requesting"] and b'data-testid="distribute-form"' not in (
        sales_page.content
    )
    assert login(org.sales_a).post(reverse("allocation:distribute")).status_code == 404
    assert login(org.sales_a).get(reverse("allocation:inbox")).status_code == 404


def test_distribute_through_the_page_and_bad_input_moves_nothing(org, login):
    customers = pooled(org.sales_a2, 2)
    client = login(org.manager_a)
    response = client.post(
        reverse("allocation:distribute"),
        {
            "pool": org.a.pk,
            "customers": [c.pk for c in customers],
            "recipient": f"user:{org.sales_a.pk}",
            "source_note": "四月发放",
        },
    )
    assert response.status_code == 302
    assert Customer.objects.filter(holder=org.sales_a).count() == 2
    more = pooled(org.sales_a2, 1)
    for post in (
        {"recipient": ""},
        {"recipient": f"user:{org.sales_b.pk}"},
        {"recipient": "user:abc"},
        {"customers": [customers[0].pk]},
    ):
        data = {
            "pool": org.a.pk,
            "customers": [more[0].pk],
            "recipient": f"user:{org.sales_a2.pk}",
        } | post
        response = client.post(reverse("allocation:distribute"), data)
        assert response.status_code == 400, post
        assert 'data-testid="error"' in response.content.decode()
    assert Customer.objects.get(pk=more[0].pk).holder is None


def test_inbox_approves_a_request_in_one_click(org, login):
    customers = pooled(org.sales_a2, 1)
    claim = claim_create(actor=org.sales_a, customer_ids=[customers[0].pk], reason="需要", now=NOW)
    client = login(org.manager_a)
    body = client.get(reverse("allocation:inbox")).content.decode()
    assert reverse("allocation:claim_detail", args=[claim.pk]) in body
    response = client.post(
        reverse("allocation:claim_detail", args=[claim.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=customers[0].pk).holder == org.sales_a
    again = client.post(
        reverse("allocation:claim_detail", args=[claim.pk]), {"decision": "approve"}
    )
    assert again.status_code == 400
    assert (
        login(org.manager_b).get(reverse("allocation:claim_detail", args=[claim.pk])).status_code
        == 404
    )
    assert (
        login(org.sales_a2).get(reverse("allocation:claim_detail", args=[claim.pk])).status_code
        == 404
    )


def test_salesperson_requests_from_the_pool_page(org, login):
    customers = pooled(org.sales_a2, 1)
    client = login(org.sales_a)
    response = client.post(
        reverse("allocation:claim_new") + f"?customers={customers[0].pk}",
        {"customers": [customers[0].pk], "reason": "在我片区"},
    )
    assert response.status_code == 302
    assert ClaimRequest.objects.get().requester == org.sales_a
    empty = client.post(
        reverse("allocation:claim_new"), {"customers": [customers[0].pk], "reason": ""}
    )
    assert empty.status_code == 400


def test_departed_account_stays_on_while_it_still_holds_customers(org):
    from crm.models import User
    from crm.services import staff_deactivate_departed

    register(org.sales_a)
    staff = org.sales_a.staff
    staff.status, staff.status_effective_at = "left", at(2026, 4, 30, 18)
    staff.save()
    assert staff_deactivate_departed(now=at(2026, 5, 1, 9)) == 0
    assert User.objects.get(pk=org.sales_a.pk).is_active
    Customer.objects.filter(holder=org.sales_a).update(holder=None, pool="department")
    assert staff_deactivate_departed(now=at(2026, 5, 1, 9)) == 1


def test_a_leaving_manager_cannot_hand_out(org):
    from allocation.services.handover import handover_open

    customers = pooled(org.sales_a2, 1)
    handover_open(
        actor=org.gm,
        staff=org.manager_a.staff,
        status="left",
        effective_at=at(2026, 5, 1, 18),
        now=NOW,
    )
    with pytest.raises(NotAllowed):
        dept_batch(org.manager_a, org.a, customers, org.sales_a)


def _queries(client, url, **params):
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_pool_and_inbox_query_counts_do_not_grow(org, login):
    client = login(org.manager_a)
    pooled(org.sales_a2, 3)
    claim_create(
        actor=org.sales_a,
        customer_ids=[c.pk for c in pooled(org.sales_a2, 1)],
        reason="需要",
        now=NOW,
    )
    pool_small = _queries(client, reverse("allocation:pool"), pool=org.a.pk)
    inbox_small = _queries(client, reverse("allocation:inbox"))
    queue_small = _queries(client, reverse("allocation:protection"))
    pooled(org.sales_a2, 30)
    for _ in range(4):
        claim_create(
            actor=org.sales_a,
            customer_ids=[c.pk for c in pooled(org.sales_a2, 1)],
            reason="需要",
            now=NOW,
        )
    assert _queries(client, reverse("allocation:pool"), pool=org.a.pk) == pool_small
    assert _queries(client, reverse("allocation:inbox")) == inbox_small
    assert _queries(client, reverse("allocation:protection")) == queue_small


# --- 000 §3.4.b: distribution keeps the channel ------------------------------------------------


def test_distribution_keeps_the_channel_and_notes_the_batch_beside_it(org):
    (customer,) = pooled(org.sales_a2, source="designer", source_note="李设计师推荐")
    batch = dept_batch(org.manager_a, org.a, [customer], org.sales_a, source_note="四月展会名单")
    customer.refresh_from_db()
    assert (customer.source, customer.source_note) == ("designer", "李设计师推荐")
    assert customer.distribution_note == f"{batch.reference} 四月展会名单"
    # The move's history row carries the note; the row before it has none.
    moved, before = customer.history.order_by("-history_date", "-history_id")[:2]
    assert moved.distribution_note == f"{batch.reference} 四月展会名单"
    assert moved.source == "designer" and moved.holder_id == org.sales_a.pk
    assert before.distribution_note == ""
    # … and the customer's history page lists it as a change of that move, the channel untouched.
    from customers.history import customer_history

    with translation.override("en"):
        latest = customer_history(customer, masked=False)[0]
    changed = {c.field: (c.old, c.new) for c in latest.changes}
    assert changed["distribution"] == ("—", f"{batch.reference} 四月展会名单")
    assert "source" not in changed and "source note" not in changed


def test_gm_batch_to_a_department_pool_notes_the_batch_and_keeps_the_channel(org):
    (customer,) = pooled(org.sales_b, pool="company", source="media")
    batch = distribution_create(
        actor=org.gm,
        source="company",
        department=None,
        now=NOW,
        assignments=[Assignment(customer.pk, department=org.a)],
        source_note="总部名单",
    )
    customer.refresh_from_db()
    assert (customer.source, customer.source_note) == ("media", "")
    assert customer.distribution_note == f"{batch.reference} 总部名单"


def test_customer_page_shows_the_batch_next_to_the_channel_and_source_filter_finds_it(org, login):
    (customer,) = pooled(org.sales_a2, source="designer")
    batch = dept_batch(org.manager_a, org.a, [customer], org.sales_a, source_note="四月展会名单")
    client = login(org.sales_a)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert f"发放: {batch.reference} 四月展会名单" in body
    assert 'data-testid="distribution-note"' in body
    listed = client.get(reverse("customers:list"), {"scope": "mine", "source": "designer"})
    assert customer.name in listed.content.decode()
    other = client.get(reverse("customers:list"), {"scope": "mine", "source": "company"})
    assert customer.name not in other.content.decode()


def test_a_distributed_customer_is_still_under_the_company_issued_no_deal_rule(org):
    """The 90-day rule reads how the holder got the customer, not its channel (source)."""
    from allocation.services.reclaim import reclaim_run

    def run(day):
        return reclaim_run(
            policy_code="no_deal_issued", as_of=day, now=at(*day.timetuple()[:3], 0, 10)
        )

    (customer,) = pooled(org.sales_a2, source="friend")
    dept_batch(org.manager_a, org.a, [customer], org.sales_a)  # 2026-04-15
    assert run(date(2026, 7, 13)).moved == 0
    assert run(date(2026, 7, 14)).moved == 1  # 2026-04-15 + 90 days
    customer.refresh_from_db()
    assert (customer.holder, customer.pool, customer.source) == (None, "company", "friend")


def test_a_refusal_never_names_a_customer_outside_the_managers_scope(org):
    """Issue 12, defect 6: posting another department's customer id into a batch must not make
    the error message tell its name."""
    mine = pooled(org.sales_a2, 1, name="本部门公共客户")
    theirs = pooled(org.sales_b, 1, name="华南机密客户有限公司")
    with pytest.raises(AllocationError) as refused:
        dept_batch(org.manager_a, org.a, [*mine, *theirs], org.sales_a)
    message = str(refused.value)
    assert "华南机密客户有限公司" not in message and "1" in message
    mine[0].refresh_from_db()
    assert mine[0].holder is None  # the whole batch was refused
