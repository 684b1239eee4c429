"""Previous-holder cool-down and the daily claim cap (SPEC §5; issue 11 item 4): a customer
that left a person is neither claimed by nor distributed back to them for COOLDOWN_DAYS (the
GM may, with a recorded reason), and a salesperson sends at most DAILY_CLAIM_CAP 申领 a day,
counted from the request records. Every clock is explicit."""

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from constance.test import override_config
from django.db import connection, connections
from django.urls import reverse
from django.utils import translation

from allocation.models import ClaimRequest, DistributionBatch
from allocation.selectors import claims_submitted_on, cooldown_ends
from allocation.services.disputes import dispute_open, dispute_rule
from allocation.services.distribution import (
    AllocationError,
    Assignment,
    _cooled_list,
    claim_create,
    claim_decide,
    distribution_create,
    report_create,
    report_verify,
)
from customers.models import Customer
from customers.services import ownership_transfer
from tests.factories import customer_data, make_person, register

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


LEFT = at(2026, 4, 1, 0, 30)  # the monthly reclaim ran
NOW = at(2026, 4, 15, 10)


def left_by(person, *, kind="reclaim", when=LEFT, n=1):
    """Customers `person` registered in January and lost at `when` into their department pool."""
    out = []
    for _ in range(n):
        c = register(person, now=at(2026, 1, 5, 9))
        ownership_transfer(customer=c, to_pool="department", kind=kind, actor=None, now=when)
        out.append(c)
    return out


def claim(person, customers, *, now=NOW):
    return claim_create(
        actor=person, customer_ids=[c.pk for c in customers], reason="在我片区", now=now
    )


def give(actor, customers, person, *, now=NOW, department=None, **kw):
    return distribution_create(
        actor=actor,
        source="department",
        department=department or person.staff.department,
        now=now,
        assignments=[Assignment(c.pk, recipient=person) for c in customers],
        **kw,
    )


# --- cool-down: claims -------------------------------------------------------------------------


def test_claim_of_a_customer_reclaimed_from_the_requester_is_refused_with_the_date(org):
    (customer,) = left_by(org.sales_a)
    with translation.override("en"), pytest.raises(AllocationError) as refused:
        claim(org.sales_a, [customer])
    message = str(refused.value)
    assert "Cool-down" in message and "30 days" in message
    # Left on 2026-04-01 → 30 days → may ask again from 2026-05-01.
    assert f"{customer.name} may be requested again from 2026-05-01" in message
    assert not ClaimRequest.objects.exists()


def test_colleagues_may_claim_what_another_person_lost(org):
    (customer,) = left_by(org.sales_a)
    assert claim(org.sales_a2, [customer]).customers.get() == customer


@pytest.mark.parametrize("kind", ["reclaim", "confiscation", "handover"])
def test_every_way_of_leaving_a_person_starts_the_cool_down(org, kind):
    (customer,) = left_by(org.sales_a, kind=kind)
    with pytest.raises(AllocationError, match="2026-05-01"):
        claim(org.sales_a, [customer])


def test_a_swap_starts_the_cool_down_for_the_one_who_gave_it_away(org):
    c = register(org.sales_a, now=at(2026, 1, 5, 9))
    ownership_transfer(customer=c, to_holder=org.sales_a2, kind="swap", actor=None, now=LEFT)
    ownership_transfer(
        customer=c, to_pool="department", kind="reclaim", actor=None, now=at(2026, 4, 10)
    )
    assert cooldown_ends(org.sales_a, [c.pk], now=NOW) == {c.pk: at(2026, 5, 1).date()}
    assert cooldown_ends(org.sales_a2, [c.pk], now=NOW) == {c.pk: at(2026, 5, 10).date()}
    with pytest.raises(AllocationError, match="2026-05-01"):
        claim(org.sales_a, [c])


def test_a_wrong_number_return_starts_the_cool_down(org):
    c = register(org.sales_a, now=at(2026, 1, 5, 9))
    report = report_create(actor=org.sales_a, customer=c, note="空号，拨打提示不存在", now=LEFT)
    report_verify(actor=org.manager_a, report=report, now=at(2026, 4, 2, 9))
    with pytest.raises(AllocationError, match="2026-05-02"):
        claim(org.sales_a, [c])


def test_a_dispute_ruling_starts_the_cool_down_for_the_claimant_ruled_against(org):
    dispute = dispute_open(
        actor=org.manager_a,
        phone="139-1111-2222",
        name="王先生",
        claimants=[org.sales_a, org.sales_a2],
        note="两人都说先接触了这位客户",
        now=at(2026, 4, 2, 9),
    )
    customer = dispute_rule(
        actor=org.manager_a,
        dispute=dispute,
        winner=org.sales_a,
        data=customer_data(name="王先生", phone="", is_organisation=False),
        now=at(2026, 4, 3, 9),
    )
    # Registering to the winner and ruling for them is no leaving: the winner is not cooled.
    assert cooldown_ends(org.sales_a, [customer.pk], now=at(2026, 4, 4)) == {}
    ownership_transfer(
        customer=customer, to_pool="department", kind="reclaim", actor=None, now=at(2026, 4, 4)
    )
    assert cooldown_ends(org.sales_a2, [customer.pk], now=NOW) == {
        customer.pk: at(2026, 5, 3).date()
    }
    with pytest.raises(AllocationError, match="2026-05-03"):
        claim(org.sales_a2, [customer])
    with pytest.raises(AllocationError, match="2026-05-04"):
        claim(org.sales_a, [customer])


def test_cool_down_length_is_the_admin_number(org):
    (customer,) = left_by(org.sales_a)
    with override_config(COOLDOWN_DAYS=7):
        assert cooldown_ends(org.sales_a, [customer.pk], now=at(2026, 4, 7, 23, 59)) == {
            customer.pk: at(2026, 4, 8).date()
        }
        assert claim(org.sales_a, [customer], now=at(2026, 4, 8)).customers.get() == customer
    with override_config(COOLDOWN_DAYS=0):
        assert cooldown_ends(org.sales_a, [customer.pk], now=LEFT) == {}


# --- cool-down: the day boundary ---------------------------------------------------------------


@pytest.mark.parametrize(
    "left",
    [at(2026, 4, 1, 0, 0), at(2026, 4, 1, 23, 59, 59)],
    ids=["left-at-midnight", "left-a-second-before-midnight"],
)
def test_cool_down_ends_at_midnight_shanghai_thirty_days_after_the_day_it_left(org, left):
    (customer,) = left_by(org.sales_a, when=left)
    with pytest.raises(AllocationError, match="2026-05-01"):
        claim(org.sales_a, [customer], now=at(2026, 4, 30, 23, 59, 59))
    assert claim(org.sales_a, [customer], now=at(2026, 5, 1, 0, 0)).customers.get() == customer


def test_the_day_it_left_is_the_shanghai_day_not_the_utc_day(org):
    # 2026-04-01 16:30 UTC is 2026-04-02 00:30 in Shanghai: the cool-down runs to 05-02.
    (customer,) = left_by(org.sales_a, when=datetime(2026, 4, 1, 16, 30, tzinfo=UTC))
    assert cooldown_ends(org.sales_a, [customer.pk], now=NOW) == {
        customer.pk: at(2026, 5, 2).date()
    }
    with pytest.raises(AllocationError, match="2026-05-02"):
        claim(org.sales_a, [customer], now=at(2026, 5, 1, 23, 59))


def test_the_latest_leaving_counts(org):
    (customer,) = left_by(org.sales_a, when=at(2026, 3, 1, 9))
    ownership_transfer(
        customer=customer, to_holder=org.sales_a, kind="distributed", actor=None, now=LEFT
    )
    ownership_transfer(
        customer=customer, to_pool="department", kind="reclaim", actor=None, now=at(2026, 4, 9)
    )
    assert cooldown_ends(org.sales_a, [customer.pk], now=NOW) == {
        customer.pk: at(2026, 5, 9).date()
    }


# --- cool-down: distribution ------------------------------------------------------------------


def test_manager_cannot_distribute_a_customer_back_to_the_person_it_left(org):
    keep, fresh = left_by(org.sales_a)[0], left_by(org.sales_a2)[0]
    with translation.override("en"), pytest.raises(AllocationError) as refused:
        give(org.manager_a, [keep, fresh], org.sales_a)
    message = str(refused.value)
    assert f"{keep.name} may go back to them from 2026-05-01" in message
    assert fresh.name not in message
    assert "Only the general manager" in message
    # A reason does not help a manager; nothing moved.
    with pytest.raises(AllocationError, match="2026-05-01"):
        give(org.manager_a, [keep], org.sales_a, cooldown_reason="客户点名要他")
    assert not DistributionBatch.objects.exists()
    assert Customer.objects.filter(holder=org.sales_a).count() == 0


def test_approving_a_claim_does_not_hand_back_a_customer_within_its_cool_down(org):
    (customer,) = left_by(org.sales_a2, when=at(2026, 3, 1, 9))
    pending = claim(org.sales_a, [customer], now=at(2026, 4, 2, 9))
    # Meanwhile the customer is given to the requester and taken back again.
    give(org.manager_a, [customer], org.sales_a, now=at(2026, 4, 3, 9))
    ownership_transfer(
        customer=customer, to_pool="department", kind="reclaim", actor=None, now=at(2026, 4, 5)
    )
    with pytest.raises(AllocationError, match="2026-05-05"):
        claim_decide(actor=org.manager_a, claim=pending, approve=True, now=NOW)
    pending.refresh_from_db()
    assert pending.status == ClaimRequest.Status.PENDING
    assert Customer.objects.get(pk=customer.pk).holder is None


def test_general_manager_without_a_reason_is_refused(org):
    (customer,) = left_by(org.sales_a)
    with translation.override("en"), pytest.raises(AllocationError) as refused:
        give(org.gm, [customer], org.sales_a, cooldown_reason="  ")
    assert "2026-05-01" in str(refused.value)
    assert "Record the cool-down reason" in str(refused.value)
    assert Customer.objects.get(pk=customer.pk).holder is None


def test_general_manager_hands_back_with_a_recorded_reason(org):
    (customer,) = left_by(org.sales_a)
    batch = give(org.gm, [customer], org.sales_a, cooldown_reason=" 客户点名要原业务员服务 ")
    assert batch.cooldown_reason == "客户点名要原业务员服务"
    customer.refresh_from_db()
    assert customer.holder == org.sales_a
    event = customer.events.first()
    assert event.kind == "distributed" and "客户点名要原业务员服务" in event.reason


def test_a_reason_is_recorded_only_when_the_exception_was_used(org):
    (customer,) = left_by(org.sales_a2)
    batch = give(org.gm, [customer], org.sales_a, cooldown_reason="以防万一")
    assert batch.cooldown_reason == ""
    assert customer.events.first().reason == ""


def test_after_the_cool_down_the_manager_may_distribute_it_back(org):
    (customer,) = left_by(org.sales_a)
    with pytest.raises(AllocationError):
        give(org.manager_a, [customer], org.sales_a, now=at(2026, 4, 30, 23, 59))
    give(org.manager_a, [customer], org.sales_a, now=at(2026, 5, 1, 0, 0))
    assert Customer.objects.get(pk=customer.pk).holder == org.sales_a


def test_the_refusal_names_only_customers_the_viewer_may_see(org):
    seen = left_by(org.sales_a)[0]
    hidden = left_by(org.sales_b)[0]  # department B's pool: outside sales_a's view
    with translation.override("en"):
        listed = _cooled_list(
            org.sales_a,
            {seen.pk: at(2026, 5, 1).date(), hidden.pk: at(2026, 5, 1).date()},
            "%(names)s @ %(date)s",
        )
    assert listed == f"{seen.name}、1 other customers @ 2026-05-01"
    assert hidden.name not in listed


def test_gm_sees_the_cool_down_field_on_the_pool_page_and_managers_do_not(org, login):
    gm_page = login(org.gm).get(reverse("allocation:pool"), {"pool": org.a.pk})
    assert 'name="cooldown_reason"' in gm_page.content.decode()
    manager_page = login(org.manager_a).get(reverse("allocation:pool"), {"pool": org.a.pk})
    assert 'name="cooldown_reason"' not in manager_page.content.decode()


def test_gm_hands_back_through_the_page_with_a_reason(org, login):
    (customer,) = left_by(org.sales_a)
    client = login(org.gm)
    post = {"pool": org.a.pk, "customers": [customer.pk], "recipient": f"user:{org.sales_a.pk}"}
    with time_machine.travel(NOW, tick=False):
        refused = client.post(reverse("allocation:distribute"), post)
        assert refused.status_code == 400 and "2026-05-01" in refused.content.decode()
        done = client.post(
            reverse("allocation:distribute"), post | {"cooldown_reason": "客户点名要他"}
        )
    assert done.status_code == 302
    assert DistributionBatch.objects.get().cooldown_reason == "客户点名要他"


def test_the_claim_page_shows_the_cool_down_date(org, login):
    (customer,) = left_by(org.sales_a)
    client = login(org.sales_a)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("allocation:claim_new"), {"customers": [customer.pk], "reason": "在我片区"}
        )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error"' in body and "2026-05-01" in body and customer.name in body


# --- the daily claim cap ----------------------------------------------------------------------


@override_config(DAILY_CLAIM_CAP=3)
def test_claim_cap_counts_the_day_s_records_whatever_their_outcome(org):
    pool = left_by(org.sales_a2, when=at(2026, 3, 1), n=5)
    approved = claim(org.sales_a, [pool[0]], now=at(2026, 4, 15, 0, 0))
    rejected = claim(org.sales_a, [pool[1]], now=at(2026, 4, 15, 9))
    claim(org.sales_a, [pool[2]], now=at(2026, 4, 15, 10))  # still pending
    claim_decide(actor=org.manager_a, claim=approved, approve=True, now=at(2026, 4, 15, 11))
    claim_decide(
        actor=org.manager_a,
        claim=rejected,
        approve=False,
        reason="已有人跟进",
        now=at(2026, 4, 15, 11),
    )
    assert claims_submitted_on(org.sales_a, day=at(2026, 4, 15).date()) == 3
    with translation.override("en"), pytest.raises(AllocationError) as refused:
        claim(org.sales_a, [pool[3]], now=at(2026, 4, 15, 23, 59, 59))
    message = str(refused.value)
    assert "sent 3 requests today" in message and "limit is 3 a day" in message
    assert "from 2026-04-16" in message
    assert ClaimRequest.objects.count() == 3
    # A colleague's requests are theirs.
    assert claim(org.sales_a2, [pool[3]], now=at(2026, 4, 15, 12)).requester == org.sales_a2


@override_config(DAILY_CLAIM_CAP=2)
def test_claim_cap_resets_at_midnight_shanghai(org):
    pool = left_by(org.sales_a2, when=at(2026, 3, 1), n=4)
    claim(org.sales_a, [pool[0]], now=at(2026, 4, 14, 23, 59))  # yesterday's: not counted
    claim(org.sales_a, [pool[0]], now=at(2026, 4, 15, 0, 0))
    claim(org.sales_a, [pool[1]], now=at(2026, 4, 15, 23, 0))
    with pytest.raises(AllocationError, match="2026-04-16"):
        claim(org.sales_a, [pool[2]], now=at(2026, 4, 15, 23, 59, 59))
    # 2026-04-15 16:00 UTC is 2026-04-16 00:00 in Shanghai: a new day.
    fresh = claim(org.sales_a, [pool[2]], now=datetime(2026, 4, 15, 16, 0, tzinfo=UTC))
    assert fresh.customers.get() == pool[2]


@pytest.mark.django_db(transaction=True)
def test_requests_sent_at_the_same_moment_cannot_pass_the_cap():
    if connection.vendor != "postgresql":
        pytest.skip("race test needs PostgreSQL's row locks (SQLite serialises)")
    from tests.factories import DepartmentFactory

    cap, threads_n = 3, 8
    department = DepartmentFactory()
    make_person("boss", "manager", department, manages=department)
    seller = make_person("seller", "salesperson", department)
    owner = make_person("owner", "salesperson", department)
    pool = left_by(owner, when=at(2026, 3, 1), n=threads_n)
    barrier = threading.Barrier(threads_n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(customer):
        try:
            barrier.wait()
            claim(seller, [customer])
            result = "ok"
        except AllocationError:
            result = "refused"
        except Exception as exc:  # noqa: BLE001 — any other outcome is the failure we test for
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    with override_config(DAILY_CLAIM_CAP=cap):
        workers = [threading.Thread(target=attempt, args=(c,)) for c in pool]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    assert sorted(outcomes) == ["ok"] * cap + ["refused"] * (threads_n - cap)
    assert ClaimRequest.objects.filter(requester=seller).count() == cap
