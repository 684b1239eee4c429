"""Transfer and leave handovers (调/离职交接; SPEC §5; rule book 000 §3.5, §4.2⑤): customers go
to the department pool at once, the manager hands them out within 7 days, the leaver is refused,
and who may and who may not."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from allocation.models import Handover, HandoverItem
from allocation.selectors.handovers import (
    handovers_overdue,
    inbox_items,
    is_handing_over,
    open_handovers_for,
    staff_can_be_deactivated,
)
from allocation.services.handover import HandoverError, handover_distribute, handover_open
from crm.models import Notification, Staff
from customers.errors import NotAllowed
from customers.models import Customer, OwnershipEvent
from customers.services import ownership_transfer
from tests.factories import make_person, register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 15, 10, tzinfo=SH)
LEFT = Staff.Status.LEFT
TRANSFERRING = Staff.Status.TRANSFERRING


def at(*args):
    return datetime(*args, tzinfo=SH)


def held(user, *, phone, customer_class="potential", last_deal=None, last_followup=None):
    c = register(user, now=at(2026, 1, 5, 9), phone=phone, customer_class=customer_class)
    Customer.objects.filter(pk=c.pk).update(last_deal_at=last_deal, last_followup_at=last_followup)
    return c


@pytest.fixture
def book(org):
    """sales_a's customers, created in an order unrelated to their priority."""
    return {
        "plain_followed": held(org.sales_a, phone="13900000001", last_followup=at(2026, 3, 1)),
        "important_old": held(
            org.sales_a, phone="13900000002", customer_class="important", last_deal=at(2026, 1, 10)
        ),
        "lost": held(
            org.sales_a, phone="13900000003", customer_class="lost", last_deal=at(2026, 3, 10)
        ),
        "ordinary_dealt": held(
            org.sales_a, phone="13900000004", customer_class="ordinary", last_deal=at(2026, 3, 1)
        ),
        "important_new": held(
            org.sales_a, phone="13900000005", customer_class="important", last_deal=at(2026, 2, 1)
        ),
        "plain_silent": held(org.sales_a, phone="13900000006"),
    }


def open_for(org, person=None, *, actor=None, status=LEFT, now=NOW):
    person = person or org.sales_a
    return handover_open(
        actor=actor or org.manager_a,
        staff=person.staff,
        status=status,
        effective_at=now + timedelta(days=3),
        now=now,
    )


def test_leaving_moves_every_customer_to_the_pool_in_priority_order(org, book):
    handover = open_for(org)

    expected = [
        "important_new",
        "important_old",
        "ordinary_dealt",
        "plain_followed",
        "plain_silent",
        "lost",
    ]
    items = list(handover.items.order_by("position"))
    assert [i.customer_id for i in items] == [book[k].pk for k in expected]
    assert [i.position for i in items] == [1, 2, 3, 4, 5, 6]
    for customer in book.values():
        customer.refresh_from_db()
        assert customer.holder is None and customer.pool == "department"
        assert customer.department == org.a
        event = customer.events.first()
        assert event.kind == "handover" and event.from_holder == org.sales_a
        assert event.to_pool == "department" and event.reason == "离职交接"
        assert event.approval_ref == handover.reference and event.actor == org.manager_a
    assert OwnershipEvent.objects.filter(kind="handover").count() == len(book)

    assert handover.due_at == at(2026, 4, 22, 10)  # 7 days
    assert handover.person == org.sales_a and handover.department == org.a
    assert handover.closed_at is None

    staff = Staff.objects.get(user=org.sales_a)
    assert staff.status == LEFT and staff.status_effective_at == at(2026, 4, 18, 10)
    last = staff.history.order_by("-history_id").first()
    assert last.status == LEFT and last.history_user == org.manager_a

    assert Notification.objects.filter(recipient=org.manager_a).count() == 1


def test_transfer_is_a_handover_with_its_own_reason(org, book):
    handover = open_for(org, status=TRANSFERRING)
    assert handover.reason == TRANSFERRING
    assert set(OwnershipEvent.objects.filter(kind="handover").values_list("reason", flat=True)) == {
        "调岗交接"
    }


def test_a_person_already_handed_over_is_refused(org, book):
    open_for(org)
    with pytest.raises(HandoverError):
        open_for(org, actor=org.gm, now=NOW + timedelta(hours=1))
    assert Handover.objects.count() == 1


def test_a_person_holding_nothing_gets_a_closed_handover(org):
    handover = open_for(org, org.sales_a2)
    assert handover.closed_at == NOW and not handover.items.exists()
    assert not handovers_overdue(NOW + timedelta(days=30)).exists()


def test_another_departments_manager_may_not_open(org, book):
    with pytest.raises(NotAllowed):
        open_for(org, actor=org.manager_b)
    with pytest.raises(NotAllowed):
        open_for(org, actor=org.sales_a2)
    with pytest.raises(NotAllowed):
        open_for(org, org.manager_a, actor=org.manager_a)  # nobody opens their own
    assert not Handover.objects.exists()
    assert Customer.objects.filter(holder=org.sales_a).count() == len(book)


def test_the_gm_and_a_parent_manager_may_open(org):
    register(org.sales_a1, phone="13900000010")
    handover = open_for(org, org.sales_a1, actor=org.manager_a)
    assert handover.department == org.a1
    # Pool notice goes to whoever keeps the sub-department's pool.
    assert Notification.objects.filter(recipient=org.manager_a1).count() == 1
    gm_handover = open_for(org, org.sales_b, actor=org.gm)
    assert gm_handover.department == org.b


def test_the_leaver_is_handing_over_and_may_not_hand_customers_out(org, book):
    assert not is_handing_over(org.sales_a)
    handover = open_for(org)
    assert is_handing_over(org.sales_a)
    assert not is_handing_over(org.sales_a2)

    # A leaving manager may not hand out the department's customers either.
    register(org.sales_a1, phone="13900000020")
    open_for(org, org.manager_a1, actor=org.manager_a)
    sub = open_for(org, org.sales_a1, actor=org.gm)
    with pytest.raises(NotAllowed):
        handover_distribute(
            actor=org.manager_a1,
            handover=sub,
            assignments={sub.items.get().customer_id: org.sales_a1},
            now=NOW,
        )
    with pytest.raises(NotAllowed):
        open_for(org, org.sales_a2, actor=org.manager_a1)
    assert handover.closed_at is None


def test_transferring_status_alone_counts_as_handing_over(org):
    Staff.objects.filter(user=org.sales_a2).update(status=TRANSFERRING)
    assert is_handing_over(org.sales_a2)


def test_cannot_deactivate_while_a_customer_names_the_person(org, book):
    assert not staff_can_be_deactivated(org.sales_a)
    assert staff_can_be_deactivated(org.sales_a2)
    open_for(org)
    assert staff_can_be_deactivated(org.sales_a)


def test_distributing_every_customer_closes_the_handover(org, book):
    handover = open_for(org)
    customers = list(book.values())
    later = NOW + timedelta(days=2)
    first = {c.pk: org.sales_a2 for c in customers[:2]}
    handover_distribute(actor=org.manager_a, handover=handover, assignments=first, now=later)
    handover.refresh_from_db()
    assert handover.closed_at is None

    rest = {c.pk: org.manager_a for c in customers[2:]}
    with pytest.raises(HandoverError):  # the manager is not a salesperson
        handover_distribute(actor=org.manager_a, handover=handover, assignments=rest, now=later)
    rest = {c.pk: org.sales_a2 for c in customers[2:]}
    handover_distribute(actor=org.manager_a, handover=handover, assignments=rest, now=later)
    handover.refresh_from_db()
    assert handover.closed_at == later

    for customer in customers:
        customer.refresh_from_db()
        assert customer.holder == org.sales_a2 and customer.pool == ""
        event = customer.events.first()
        assert event.kind == "handover" and event.from_pool == "department"
        assert event.to_holder == org.sales_a2 and event.approval_ref == handover.reference
    assert set(handover.items.values_list("recipient", flat=True)) == {org.sales_a2.pk}
    assert not open_handovers_for(org.manager_a, later)
    assert not inbox_items(org.manager_a, now=NOW)
    with pytest.raises(HandoverError):
        handover_distribute(actor=org.manager_a, handover=handover, assignments=first, now=later)


@pytest.mark.parametrize("bad", ["left", "other_department", "leaver", "unknown"])
def test_a_bad_recipient_moves_nothing(org, book, bad):
    handover = open_for(org)
    if bad == "left":
        recipient = make_person("gone", Staff.Role.SALESPERSON, org.a, status=LEFT)
    elif bad == "other_department":
        recipient = org.sales_b
    elif bad == "leaver":
        recipient = org.sales_a
    else:
        recipient = None
    good, wrong = book["important_new"], book["lost"]
    with pytest.raises(HandoverError):
        handover_distribute(
            actor=org.manager_a,
            handover=handover,
            assignments={good.pk: org.sales_a2, wrong.pk: recipient},
            now=NOW,
        )
    assert Customer.objects.filter(pk__in=[c.pk for c in book.values()], holder=None).count() == 6
    assert not HandoverItem.objects.filter(distributed_at__isnull=False).exists()


@time_machine.travel(NOW, tick=False)
def test_a_customer_no_longer_in_the_pool_moves_nothing(org, book, login):
    handover = open_for(org)
    moved, other = book["important_new"], book["lost"]
    ownership_transfer(
        customer=moved, to_holder=org.sales_a2, kind="distributed", actor=org.manager_a, now=NOW
    )
    with pytest.raises(HandoverError):
        handover_distribute(
            actor=org.manager_a,
            handover=handover,
            assignments={moved.pk: org.sales_a2, other.pk: org.sales_a2},
            now=NOW,
        )
    other.refresh_from_db()
    assert other.holder is None
    page = login(org.manager_a).get(reverse("allocation:handover_detail", args=[handover.pk]))
    assert [i.in_pool for i in page.context["items"]].count(False) == 1
    # A customer that is not part of the handover is refused too.
    stranger = register(org.sales_a2, phone="13900000030")
    with pytest.raises(HandoverError):
        handover_distribute(
            actor=org.manager_a,
            handover=handover,
            assignments={stranger.pk: org.sales_a2},
            now=NOW,
        )


def test_customers_moved_by_another_workflow_are_settled_when_the_rest_is_handed_out(org):
    a = held(org.sales_a, phone="13900000040")
    b = held(org.sales_a, phone="13900000041")
    handover = open_for(org)
    ownership_transfer(
        customer=a, to_holder=org.sales_a2, kind="distributed", actor=org.manager_a, now=NOW
    )
    handover_distribute(
        actor=org.manager_a, handover=handover, assignments={b.pk: org.sales_a2}, now=NOW
    )
    handover.refresh_from_db()
    assert handover.closed_at == NOW
    item = handover.items.get(customer=a)
    assert item.settled_elsewhere and item.recipient == org.sales_a2


def test_another_departments_manager_may_not_distribute(org, book):
    handover = open_for(org)
    with pytest.raises(NotAllowed):
        handover_distribute(
            actor=org.manager_b,
            handover=handover,
            assignments={book["lost"].pk: org.sales_a2},
            now=NOW,
        )


def test_overdue_selector_reads_the_as_of_time(org, book):
    handover = open_for(org)  # due 2026-04-22 10:00
    assert not handovers_overdue(at(2026, 4, 22, 9, 59)).exists()
    assert list(handovers_overdue(at(2026, 4, 22, 10, 1))) == [handover]
    assert not handovers_overdue(date(2026, 4, 22)).exists()
    assert list(handovers_overdue(date(2026, 4, 23))) == [handover]

    # Closed late still counts as overdue; closed in time does not.
    register(org.sales_b, phone="13900000050")
    on_time = open_for(org, org.sales_b, actor=org.manager_b)
    Handover.objects.filter(pk=on_time.pk).update(closed_at=at(2026, 4, 20))
    Handover.objects.filter(pk=handover.pk).update(closed_at=at(2026, 4, 25))
    assert list(handovers_overdue(at(2026, 5, 1))) == [handover]


def test_countdown_and_inbox_for_the_managers_in_scope(org, book):
    handover = open_for(org)
    rows = open_handovers_for(org.manager_a, NOW)
    assert [(h.pk, h.days_left, h.is_overdue) for h in rows] == [(handover.pk, 7, False)]
    rows = open_handovers_for(org.manager_a, at(2026, 4, 23, 10))
    assert rows[0].days_left == -1 and rows[0].is_overdue
    assert open_handovers_for(org.manager_b, NOW) == []
    assert [h.pk for h in open_handovers_for(org.gm, NOW)] == [handover.pk]

    items = inbox_items(org.manager_a, now=NOW)
    assert len(items) == 1 and items[0].kind == "交接任务" and items[0].due_at == handover.due_at
    assert items[0].url == reverse("allocation:handover_detail", args=[handover.pk])
    assert inbox_items(org.manager_b, now=NOW) == []
    assert inbox_items(org.sales_a2, now=NOW) == []


# --- pages ---------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_manager_marks_a_person_as_leaving_from_the_page(org, book, login):
    client = login(org.manager_a)
    url = reverse("allocation:handover_new", args=[org.sales_a.staff.pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("allocation:handovers")).status_code == 200
    response = client.post(url, {"status": "left", "effective_at": "2026-04-18T18:00"})
    handover = Handover.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("allocation:handover_detail", args=[handover.pk])
    assert handover.effective_at == at(2026, 4, 18, 18) and handover.items.count() == 6
    # A second attempt is refused with a message, nothing written.
    response = client.post(url, {"status": "left", "effective_at": "2026-04-18T18:00"})
    assert response.status_code == 400 and Handover.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_bad_form_input_is_refused(org, book, login):
    client = login(org.manager_a)
    url = reverse("allocation:handover_new", args=[org.sales_a.staff.pk])
    response = client.post(url, {"status": "active", "effective_at": "yesterday"})
    assert response.status_code == 400 and not Handover.objects.exists()


@pytest.mark.parametrize("who", ["manager_b", "manager_a1", "sales_a2", "accountant_a"])
def test_who_may_not_open_a_handover_gets_404(org, book, login, who):
    client = login(getattr(org, who))
    url = reverse("allocation:handover_new", args=[org.sales_a.staff.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "left", "effective_at": "2026-04-18T18:00"}).status_code == (
        404
    )
    assert not Handover.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_manager_distributes_from_the_handover_page(org, book, login):
    handover = open_for(org)
    client = login(org.manager_a)
    url = reverse("allocation:handover_detail", args=[handover.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert [i.customer_id for i in response.context["items"]] == [
        book[k].pk
        for k in [
            "important_new",
            "important_old",
            "ordinary_dealt",
            "plain_followed",
            "plain_silent",
            "lost",
        ]
    ]
    assert [u.pk for u in response.context["recipients"]] == [org.sales_a2.pk]

    data = {f"to-{c.pk}": org.sales_a2.pk for c in book.values()}
    response = client.post(url, data)
    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.closed_at == NOW
    assert Customer.objects.filter(holder=org.sales_a2).count() == 6
    assert client.get(url).status_code == 200
    listing = client.get(reverse("allocation:handovers"))
    assert [h.pk for h in listing.context["closed_handovers"]] == [handover.pk]


@time_machine.travel(NOW, tick=False)
def test_a_refused_distribution_answers_400_and_moves_nothing(org, book, login):
    handover = open_for(org)
    client = login(org.manager_a)
    url = reverse("allocation:handover_detail", args=[handover.pk])
    data = {f"to-{book['lost'].pk}": org.sales_b.pk, f"to-{book['plain_silent'].pk}": ""}
    response = client.post(url, data)
    assert response.status_code == 400 and response.context["error"]
    assert response.context["items"][5].chosen == str(org.sales_b.pk)
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"to-x": "1"}).status_code == 400
    assert not Customer.objects.filter(pk__in=[c.pk for c in book.values()], holder__isnull=False)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["manager_b", "manager_a1", "sales_a2", "sales_a", "accountant_a"])
def test_who_may_not_see_a_handover_gets_404(org, book, login, who):
    handover = open_for(org)
    client = login(getattr(org, who))
    url = reverse("allocation:handover_detail", args=[handover.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"to-{book['lost'].pk}": org.sales_a2.pk}).status_code == 404
    assert Customer.objects.filter(holder=org.sales_a2).count() == 0


def test_the_gm_sees_every_handover(org, book, login):
    handover = open_for(org)
    client = login(org.gm)
    assert client.get(reverse("allocation:handover_detail", args=[handover.pk])).status_code == 200
    response = client.get(reverse("allocation:handovers"))
    assert response.status_code == 200
    assert [h.pk for h in response.context["open_handovers"]] == [handover.pk]
