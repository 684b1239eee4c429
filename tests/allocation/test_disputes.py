"""Disputes over unregistered customers (纠纷; SPEC §3; rule book 000 §3.2.d): the manager
rules by the claimants' logged calls and the customer is registered to the winner; a registered
customer is never disputed; who may and who may not."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from allocation.models import Dispute
from allocation.selectors.disputes import dispute_logs, inbox_items
from allocation.services.disputes import DisputeError, dispute_open, dispute_rule
from allocation.services.handover import handover_open
from crm.models import Notification, Staff
from customers.errors import DuplicateCustomer, NotAllowed
from customers.models import Customer, InquiryCall, OwnershipEvent
from customers.services import inquiry_log
from tests.factories import customer_data, register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 15, 10, tzinfo=SH)
PHONE = "13911112222"


def at(*args):
    return datetime(*args, tzinfo=SH)


def call(author, *, phone=PHONE, name="王先生", day=1):
    return inquiry_log(
        actor=author,
        phone=phone,
        caller_name=name,
        content="咨询地板价格和安装周期",
        occurred_at=at(2026, 4, day, 10),
        now=at(2026, 4, day, 11),
    )


def open_dispute(org, *, actor=None, phone="139-1111-2222", name="王先生", claimants=None):
    return dispute_open(
        actor=actor or org.manager_a,
        phone=phone,
        name=name,
        claimants=claimants or [org.sales_a, org.sales_a2],
        note="两人都说先接触了这位客户",
        now=NOW,
    )


@pytest.fixture
def logged(org):
    """sales_a took three calls from the number, sales_a2 one; noise that must not count."""
    for day in (1, 3, 5):
        call(org.sales_a, day=day)
    call(org.sales_a2, day=2)
    call(org.sales_b, day=4)  # not a claimant
    call(org.sales_a, phone="13955556666", name="李女士", day=6)  # another caller


def test_manager_opens_a_dispute_over_an_unregistered_number(org):
    dispute = open_dispute(org)
    assert dispute.phone == PHONE and dispute.name == "王先生"
    assert dispute.status == Dispute.Status.OPEN and dispute.opened_by == org.manager_a
    claims = list(dispute.claims.order_by("pk"))
    assert [(c.claimant, c.department) for c in claims] == [
        (org.sales_a, org.a),
        (org.sales_a2, org.a),
    ]
    # Across the manager's subtree too.
    sub = open_dispute(org, phone="13933334444", claimants=[org.sales_a, org.sales_a1])
    assert {c.department for c in sub.claims.all()} == {org.a, org.a1}


def test_a_registered_number_is_not_disputed(org):
    register(org.sales_b, phone="+86 139 1111 2222")
    with pytest.raises(DisputeError):
        open_dispute(org)
    assert not Dispute.objects.exists()


def test_a_registered_organisation_name_is_not_disputed(org):
    register(org.sales_b, phone="13977778888", name="上海华东（集团）有限公司")
    with pytest.raises(DisputeError):
        open_dispute(org, phone="", name="上海华东(集团)有限公司")


@pytest.mark.parametrize(
    ("phone", "name", "claimants"),
    [
        ("", "", None),  # nothing identifies the customer
        ("12-34", "王先生", None),  # not a phone number
        (PHONE, "王先生", "same"),  # one person twice
        (PHONE, "王先生", "one"),  # only one claimant
    ],
)
def test_bad_dispute_input_is_refused(org, phone, name, claimants):
    people = {
        None: None,
        "same": [org.sales_a, org.sales_a],
        "one": [org.sales_a],
    }[claimants]
    with pytest.raises(DisputeError):
        open_dispute(org, phone=phone, name=name, claimants=people)
    assert not Dispute.objects.exists()


def test_only_the_claimants_manager_may_open(org):
    with pytest.raises(NotAllowed):
        open_dispute(org, claimants=[org.sales_a, org.sales_b])
    with pytest.raises(NotAllowed):
        open_dispute(org, actor=org.manager_a1)  # manages a1 only
    with pytest.raises(NotAllowed):
        open_dispute(org, actor=org.sales_a)
    with pytest.raises(NotAllowed):
        open_dispute(org, actor=org.accountant_a)
    with pytest.raises(NotAllowed):  # nobody opens their own dispute
        open_dispute(org, claimants=[org.manager_a, org.sales_a])
    assert not Dispute.objects.exists()
    assert open_dispute(org, actor=org.gm, claimants=[org.sales_a, org.sales_b])


def test_a_claimant_may_not_rule_their_own_dispute(org):
    dispute = open_dispute(org, claimants=[org.manager_a1, org.sales_a1])
    with pytest.raises(NotAllowed):
        dispute_rule(
            actor=org.manager_a1,
            dispute=dispute,
            winner=org.manager_a1,
            data=customer_data(phone=PHONE),
            now=NOW,
        )
    assert not Customer.objects.exists()


def test_a_second_open_dispute_over_the_same_number_is_refused(org):
    open_dispute(org)
    with pytest.raises(DisputeError):
        open_dispute(org, phone="13911112222")


def test_logs_show_each_claimants_calls_for_that_number(org, logged):
    dispute = open_dispute(org)
    logs = {log.claimant: log for log in dispute_logs(dispute)}
    assert set(logs) == {org.sales_a, org.sales_a2}
    assert logs[org.sales_a].count == 3 and logs[org.sales_a2].count == 1
    assert [c.occurred_at.day for c in logs[org.sales_a].calls] == [1, 3, 5]


def test_name_only_dispute_matches_the_caller_name(org, logged):
    dispute = open_dispute(org, phone="", name="李女士")
    logs = {log.claimant: log.count for log in dispute_logs(dispute)}
    assert logs == {org.sales_a: 1, org.sales_a2: 0}


def test_ruling_registers_to_the_winner_with_a_dispute_ruling_event(org, logged):
    dispute = open_dispute(org)
    later = NOW + timedelta(days=1)
    customer = dispute_rule(
        actor=org.manager_a,
        dispute=dispute,
        winner=org.sales_a,
        data=customer_data(name="王先生", phone="", is_organisation=False),
        now=later,
    )
    customer.refresh_from_db()
    assert customer.holder == org.sales_a and customer.phone == PHONE
    assert customer.registered_by == org.sales_a and customer.department == org.a
    kinds = list(customer.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["self_registered", "dispute_ruling"]
    ruling = customer.events.get(kind="dispute_ruling")
    assert ruling.actor == org.manager_a and ruling.to_holder == org.sales_a
    assert ruling.from_holder == org.sales_a and ruling.approval_ref == dispute.reference
    assert ruling.at == later

    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.RULED and dispute.winner == org.sales_a
    assert dispute.customer == customer and dispute.ruled_by == org.manager_a
    # The unmatched calls now belong to the registered customer.
    assert InquiryCall.objects.filter(phone=PHONE, customer=customer).count() == 5
    assert Notification.objects.filter(recipient=org.sales_a).count() == 1
    assert Notification.objects.filter(recipient=org.sales_a2).count() == 1


def test_a_dispute_is_ruled_once(org):
    dispute = open_dispute(org)
    dispute_rule(
        actor=org.manager_a,
        dispute=dispute,
        winner=org.sales_a,
        data=customer_data(name="王先生", phone=PHONE),
        now=NOW,
    )
    with pytest.raises(DisputeError):
        dispute_rule(
            actor=org.gm,
            dispute=dispute,
            winner=org.sales_a2,
            data=customer_data(name="王先生二", phone="13911113333"),
            now=NOW,
        )
    assert Customer.objects.count() == 1
    assert OwnershipEvent.objects.filter(kind="dispute_ruling").count() == 1


def test_ruling_refuses_a_winner_who_is_not_a_claimant_or_is_leaving(org):
    dispute = open_dispute(org)
    with pytest.raises(DisputeError):
        dispute_rule(
            actor=org.manager_a,
            dispute=dispute,
            winner=org.sales_b,
            data=customer_data(phone=PHONE),
            now=NOW,
        )
    handover_open(
        actor=org.manager_a,
        staff=org.sales_a2.staff,
        status=Staff.Status.LEFT,
        effective_at=NOW,
        now=NOW,
    )
    with pytest.raises(DisputeError):
        dispute_rule(
            actor=org.manager_a,
            dispute=dispute,
            winner=org.sales_a2,
            data=customer_data(phone=PHONE),
            now=NOW,
        )
    assert not Customer.objects.filter(phone=PHONE).exists()


def test_ruling_after_someone_registered_the_number_is_refused(org):
    dispute = open_dispute(org)
    register(org.sales_b, phone=PHONE)
    with pytest.raises(DuplicateCustomer):
        dispute_rule(
            actor=org.manager_a,
            dispute=dispute,
            winner=org.sales_a,
            data=customer_data(phone=PHONE),
            now=NOW,
        )
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN


def test_only_the_claimants_manager_may_rule(org):
    dispute = open_dispute(org)
    for actor in (org.manager_b, org.manager_a1, org.sales_a):
        with pytest.raises(NotAllowed):
            dispute_rule(
                actor=actor,
                dispute=dispute,
                winner=org.sales_a,
                data=customer_data(phone=PHONE),
                now=NOW,
            )
    assert not Customer.objects.exists()


def test_inbox_lists_open_disputes_of_the_managers_departments(org):
    dispute = open_dispute(org)
    items = inbox_items(org.manager_a, now=NOW)
    assert [(i.kind, i.url) for i in items] == [
        ("纠纷", reverse("allocation:dispute_detail", args=[dispute.pk]))
    ]
    assert len(inbox_items(org.gm, now=NOW)) == 1
    assert inbox_items(org.manager_b, now=NOW) == []
    assert inbox_items(org.manager_a1, now=NOW) == []
    assert inbox_items(org.sales_a, now=NOW) == []
    dispute_rule(
        actor=org.manager_a,
        dispute=dispute,
        winner=org.sales_a,
        data=customer_data(phone=PHONE),
        now=NOW,
    )
    assert inbox_items(org.manager_a, now=NOW) == []


# --- pages ---------------------------------------------------------------------------------


def test_dispute_page_shows_each_claimants_logs_and_counts(org, logged, login):
    dispute = open_dispute(org)
    response = login(org.manager_a).get(reverse("allocation:dispute_detail", args=[dispute.pk]))
    assert response.status_code == 200
    counts = {log.claimant.pk: log.count for log in response.context["logs"]}
    assert counts == {org.sales_a.pk: 3, org.sales_a2.pk: 1}
    html = response.content.decode()
    assert f'data-claimant="{org.sales_a.pk}"' in html and 'data-count="3"' in html
    assert html.count(f'data-author="{org.sales_a.pk}"') == 3
    assert "李女士" not in html  # another caller's log is not evidence here


@time_machine.travel(NOW, tick=False)
def test_manager_opens_and_rules_from_the_pages(org, logged, login):
    client = login(org.manager_a)
    assert client.get(reverse("allocation:dispute_new")).status_code == 200
    response = client.post(
        reverse("allocation:dispute_new"),
        {
            "phone": "139 1111 2222",
            "name": "王先生",
            "claimant_1": org.sales_a.pk,
            "claimant_2": org.sales_a2.pk,
            "note": "",
        },
    )
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("allocation:dispute_detail", args=[dispute.pk])
    assert client.get(reverse("allocation:disputes")).status_code == 200

    url = reverse("allocation:dispute_detail", args=[dispute.pk])
    ruling = {
        "winner": org.sales_a.pk,
        "name": "王先生",
        "phone": PHONE,
        "source": "phone",
        "customer_class": "potential",
        "intent_grade": "B",
    }
    response = client.post(url, ruling)
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.holder == org.sales_a
    assert customer.events.filter(kind="dispute_ruling", actor=org.manager_a).exists()

    response = client.post(url, {**ruling, "winner": org.sales_a2.pk})
    assert response.status_code == 400
    assert Customer.objects.count() == 1 and customer.events.count() == 2


@time_machine.travel(NOW, tick=False)
def test_bad_dispute_form_input_answers_400(org, login):
    client = login(org.manager_a)
    url = reverse("allocation:dispute_new")
    base = {"claimant_1": org.sales_a.pk, "claimant_2": org.sales_a2.pk}
    assert client.post(url, {**base, "phone": "", "name": ""}).status_code == 400
    assert client.post(url, {**base, "claimant_2": org.sales_a.pk, "phone": PHONE}).status_code == (
        400
    )
    assert client.post(url, {**base, "claimant_2": org.sales_b.pk, "phone": PHONE}).status_code == (
        400
    )
    register(org.sales_b, phone=PHONE)
    assert client.post(url, {**base, "phone": PHONE}).status_code == 400
    assert not Dispute.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_bad_ruling_answers_400_and_registers_nothing(org, login):
    dispute = open_dispute(org)
    url = reverse("allocation:dispute_detail", args=[dispute.pk])
    client = login(org.manager_a)
    data = {"name": "王先生", "source": "phone", "customer_class": "potential", "intent_grade": "B"}
    assert client.post(url, {**data, "winner": org.sales_b.pk}).status_code == 400
    assert client.post(url, {**data, "winner": org.sales_a.pk, "name": ""}).status_code == 400
    assert not Customer.objects.exists()


@pytest.mark.parametrize("who", ["sales_a", "sales_a2", "accountant_a", "manager_b", "manager_a1"])
def test_who_may_not_see_a_dispute_gets_404(org, login, who):
    dispute = open_dispute(org)
    client = login(getattr(org, who))
    url = reverse("allocation:dispute_detail", args=[dispute.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"winner": org.sales_a.pk, "name": "王先生"}).status_code == 404
    assert not Customer.objects.exists()


@pytest.mark.parametrize("who", ["sales_a", "accountant_a"])
def test_salespeople_and_accountants_have_no_dispute_pages(org, login, who):
    client = login(getattr(org, who))
    assert client.get(reverse("allocation:disputes")).status_code == 404
    assert client.get(reverse("allocation:dispute_new")).status_code == 404
    assert client.get(reverse("allocation:handovers")).status_code == 404


def test_the_gm_sees_every_dispute(org, login):
    dispute = open_dispute(org, claimants=[org.sales_a, org.sales_b], actor=org.gm)
    client = login(org.gm)
    assert client.get(reverse("allocation:dispute_detail", args=[dispute.pk])).status_code == 200
    assert client.get(reverse("allocation:disputes")).context["disputes"][0] == dispute
    assert (
        login(org.manager_a)
        .get(reverse("allocation:dispute_detail", args=[dispute.pk]))
        .status_code
        == 404
    )
