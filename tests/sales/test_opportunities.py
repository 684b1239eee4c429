"""销售机会 (SPEC §10): stages and their history, probabilities from the admin table, the owner
is the customer's holder, who may read and who may work, the pages."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import FollowUp
from customers.services import ownership_transfer
from sales.defaults import PROBABILITY_DEFAULTS, stage_probabilities
from sales.models import Opportunity, OpportunityAction, StageChange, StageProbability
from sales.rights import may_work_opportunity
from sales.selectors.opportunities import opportunities_visible_to
from sales.services.opportunities import (
    OpportunityError,
    opportunity_action_log,
    opportunity_create,
    opportunity_move,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
GOOD = "上门拜访，客户确认了客厅和卧室的地板需求，约定下周提交报价方案。"
DATA = {
    "product": "实木复合地板",
    "expected_amount": Decimal("38600"),
    "expected_close": date(2026, 5, 31),
}


def opened(actor, customer, now=T0, **data):
    return opportunity_create(actor=actor, customer=customer, data={**DATA, **data}, now=now)


def action(actor, opportunity, at, now=None):
    return opportunity_action_log(
        actor=actor,
        opportunity=opportunity,
        data={"kind": "callback", "occurred_at": at, "content": GOOD},
        now=now or at + timedelta(minutes=5),
    )


@pytest.fixture
def customer(org):
    return register(org.sales_a, now=T0 - timedelta(days=10))


# --- the services ----------------------------------------------------------------------------


def test_opening_starts_at_initial_contact_with_a_history_row(org, customer):
    o = opened(org.sales_a, customer)
    assert (o.stage, o.closed_at, o.created_by, o.created_at) == ("contact", None, org.sales_a, T0)
    change = StageChange.objects.get(opportunity=o)
    assert (change.from_stage, change.to_stage, change.actor, change.at) == (
        "",
        "contact",
        org.sales_a,
        T0,
    )


def test_every_move_is_recorded_and_won_closes_the_opportunity(org, customer):
    o = opened(org.sales_a, customer)
    steps = ["needs", "proposal", "needs", "proposal", "negotiation", "won"]
    for i, stage in enumerate(steps, 1):
        o = opportunity_move(
            actor=org.sales_a, opportunity=o, stage=stage, now=T0 + timedelta(hours=i)
        )
    o.refresh_from_db()
    assert o.stage == "won" and o.closed_at == T0 + timedelta(hours=6)
    history = list(o.stage_changes.order_by("at").values_list("from_stage", "to_stage"))
    assert history == [
        ("", "contact"),
        ("contact", "needs"),
        ("needs", "proposal"),
        ("proposal", "needs"),
        ("needs", "proposal"),
        ("proposal", "negotiation"),
        ("negotiation", "won"),
    ]


def test_lost_needs_a_reason_and_a_closed_opportunity_never_moves_again(org, customer):
    o = opened(org.sales_a, customer)
    with pytest.raises(OpportunityError):
        opportunity_move(actor=org.sales_a, opportunity=o, stage="lost", reason="  ", now=T0)
    o = opportunity_move(
        actor=org.sales_a, opportunity=o, stage="lost", reason="客户选了竞品", now=T0
    )
    assert (o.stage, o.lost_reason, o.closed_at) == ("lost", "客户选了竞品", T0)
    assert o.stage_changes.get(to_stage="lost").reason == "客户选了竞品"
    for stage in ("contact", "won", "negotiation"):  # no reopening
        with pytest.raises(OpportunityError):
            opportunity_move(actor=org.sales_a, opportunity=o, stage=stage, now=T0)
    with pytest.raises(OpportunityError):
        action(org.sales_a, o, T0 + timedelta(hours=1))
    assert o.stage_changes.count() == 2
    assert not FollowUp.objects.filter(customer=customer).exists()


def test_unknown_or_same_stage_is_refused(org, customer):
    o = opened(org.sales_a, customer)
    for stage in ("contact", "bogus", ""):
        with pytest.raises(OpportunityError):
            opportunity_move(actor=org.sales_a, opportunity=o, stage=stage, now=T0)


def test_opening_checks_the_data_and_needs_a_held_customer(org, customer):
    for bad in (
        {"product": "  "},
        {"expected_amount": Decimal("-1")},
        {"expected_close": date(2026, 3, 1)},  # before today (T0 is 03-02)
    ):
        with pytest.raises(OpportunityError):
            opened(org.sales_a, customer, **bad)
    ownership_transfer(customer=customer, to_pool="department", kind="reclaim", actor=None, now=T0)
    customer.refresh_from_db()
    with pytest.raises(OpportunityError):
        opened(org.manager_a, customer)
    assert not Opportunity.objects.exists()


def test_an_action_is_a_follow_up_linked_to_the_opportunity(org, customer):
    o = opened(org.sales_a, customer)
    a = action(org.sales_a, o, T0 + timedelta(hours=2))
    assert a.followup.customer == customer and a.followup.author == org.sales_a
    assert a.followup.content == GOOD and a.occurred_at == T0 + timedelta(hours=2)
    customer.refresh_from_db()
    assert customer.last_followup_at == T0 + timedelta(hours=2)  # the holder's clock moves
    # Before the day the opportunity was opened: refused, nothing written.
    with pytest.raises(OpportunityError):
        action(org.sales_a, o, T0 - timedelta(days=1))
    # Thin content is customers' rule, and it holds here too.
    with pytest.raises(Exception, match="."):
        opportunity_action_log(
            actor=org.sales_a,
            opportunity=o,
            data={"kind": "callback", "occurred_at": T0, "content": "无"},
            now=T0 + timedelta(hours=3),
        )
    assert OpportunityAction.objects.count() == 1 == FollowUp.objects.count()


# --- rights and the owner --------------------------------------------------------------------


def test_who_works_an_opportunity_and_who_only_reads_it(org, customer):
    o = opened(org.sales_a, customer)
    for person in (org.sales_a, org.manager_a, org.gm):
        assert may_work_opportunity(person, customer)
        assert opportunities_visible_to(person).filter(pk=o.pk).exists()
    # A's accountant reads but never moves nor logs actions.
    assert opportunities_visible_to(org.accountant_a).filter(pk=o.pk).exists()
    assert not may_work_opportunity(org.accountant_a, customer)
    for person in (org.accountant_a, org.sales_a2, org.sales_b, org.manager_b):
        with pytest.raises(OpportunityError):
            opportunity_move(actor=person, opportunity=o, stage="needs", now=T0)
        with pytest.raises(OpportunityError):
            action(person, o, T0 + timedelta(hours=1))
    for person in (org.sales_a2, org.sales_b, org.manager_b, org.accountant_b):
        assert not opportunities_visible_to(person).filter(pk=o.pk).exists()
    with pytest.raises(OpportunityError):
        opened(org.sales_a2, customer)


def test_the_opportunity_moves_with_the_customer(org, customer, client):
    o = opened(org.sales_a, customer)
    ownership_transfer(
        customer=customer,
        to_holder=org.sales_a2,
        kind="distributed",
        actor=org.manager_a,
        now=T0 + timedelta(days=1),
    )
    customer.refresh_from_db()
    o.refresh_from_db()
    assert opportunities_visible_to(org.sales_a2).filter(pk=o.pk).exists()
    assert not opportunities_visible_to(org.sales_a).filter(pk=o.pk).exists()
    opportunity_move(actor=org.sales_a2, opportunity=o, stage="needs", now=T0 + timedelta(days=2))
    action(org.sales_a2, o, T0 + timedelta(days=2))
    with pytest.raises(OpportunityError):
        opportunity_move(actor=org.sales_a, opportunity=o, stage="proposal", now=T0)
    client.force_login(org.sales_a)
    url = reverse("sales:opportunity_detail", args=[o.pk])
    assert client.get(url).status_code == 404
    client.force_login(org.sales_a2)
    assert client.get(url).status_code == 200


# --- probabilities ---------------------------------------------------------------------------


def test_probability_comes_from_the_admin_table_with_defaults_for_missing_rows(org, customer):
    assert stage_probabilities() == PROBABILITY_DEFAULTS
    StageProbability.objects.filter(stage="proposal").update(probability=60)
    StageProbability.objects.filter(stage="needs").delete()
    probabilities = stage_probabilities()
    assert probabilities["proposal"] == 60 and probabilities["needs"] == 25
    o = opened(org.sales_a, customer)
    opportunity_move(actor=org.sales_a, opportunity=o, stage="needs", now=T0)
    opportunity_move(actor=org.sales_a, opportunity=o, stage="proposal", now=T0)
    from django.test import Client

    c = Client()
    c.force_login(org.sales_a)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        page = c.get(reverse("sales:opportunity_detail", args=[o.pk])).content.decode()
    assert 'data-testid="probability">60%' in page


def test_the_gm_edits_probabilities_in_the_admin(org, client):
    client.force_login(org.gm)
    response = client.get(reverse("admin:sales_stageprobability_changelist"))
    assert response.status_code == 200


# --- pages -----------------------------------------------------------------------------------


def test_new_page_opens_an_opportunity_for_the_holder_only(org, customer, client):
    url = reverse("sales:opportunity_new", args=[customer.pk])
    for person in (org.sales_a2, org.sales_b, org.accountant_a, org.manager_b):
        client.force_login(person)
        assert client.get(url).status_code == 404, person
    client.force_login(org.sales_a)
    with time_machine.travel(T0, tick=False):
        assert client.get(url).status_code == 200
        bad = client.post(url, {"product": "", "expected_amount": "1", "expected_close": ""})
        assert bad.status_code == 400
        response = client.post(
            url, {"product": "地板", "expected_amount": "1000", "expected_close": "2026-04-30"}
        )
    o = Opportunity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "sales:opportunity_detail", args=[o.pk]
    )


def test_detail_offers_the_forms_only_to_who_may_work_it(org, customer, client):
    o = opened(org.sales_a, customer)
    url = reverse("sales:opportunity_detail", args=[o.pk])
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        for person, forms in (
            (org.sales_a, True),
            (org.manager_a, True),
            (org.accountant_a, False),
        ):
            client.force_login(person)
            page = client.get(url).content.decode()
            assert ('data-testid="move"' in page) is forms, person
            assert ('data-testid="action"' in page) is forms, person
        for person in (org.sales_b, org.sales_a2, org.manager_b, org.accountant_b):
            client.force_login(person)
            assert client.get(url).status_code == 404


def test_move_and_action_pages_post(org, customer, client):
    o = opened(org.sales_a, customer)
    client.force_login(org.sales_a)
    move = reverse("sales:opportunity_move", args=[o.pk])
    new_action = reverse("sales:opportunity_action_new", args=[o.pk])
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert client.get(move).status_code == 405
        assert client.post(move, {"stage": "lost", "reason": ""}).status_code == 400
        assert client.post(move, {"stage": "needs"}).status_code == 302
        posted = {"kind": "callback", "occurred_at": "2026-03-02T10:30", "content": GOOD}
        assert client.post(new_action, posted).status_code == 302
        assert client.post(new_action, {**posted, "content": "无"}).status_code == 400
        client.force_login(org.accountant_a)
        assert client.post(move, {"stage": "proposal"}).status_code == 400
        client.force_login(org.sales_b)
        assert client.post(move, {"stage": "proposal"}).status_code == 404
        assert client.post(new_action, posted).status_code == 404
    o.refresh_from_db()
    assert o.stage == "needs" and o.actions.count() == 1


def test_customer_page_lists_opportunities_and_offers_new_to_who_may(org, customer, client):
    o = opened(org.sales_a, customer)
    url = reverse("customers:detail", args=[customer.pk])
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        for person, button in (
            (org.sales_a, True),
            (org.manager_a, True),
            (org.accountant_a, False),
        ):
            client.force_login(person)
            page = client.get(url).content.decode()
            assert reverse("sales:opportunity_detail", args=[o.pk]) in page, person
            assert ('data-testid="new-opportunity"' in page) is button, person


def test_list_is_scoped_and_filtered(org, customer, client):
    mine = opened(org.sales_a, customer)
    lost = opened(org.sales_a, customer, product="瓷砖")
    opportunity_move(actor=org.sales_a, opportunity=lost, stage="lost", reason="预算", now=T0)
    other = opened(org.sales_b, register(org.sales_b, now=T0 - timedelta(days=10)))
    url = reverse("sales:opportunity_list")

    def shown(person, query=""):
        client.force_login(person)
        with time_machine.travel(T0 + timedelta(days=10), tick=False):
            response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return {o.pk for o in response.context["rows"]}

    assert shown(org.sales_a) == {mine.pk, lost.pk}
    assert shown(org.sales_b) == {other.pk}
    assert shown(org.gm) == {mine.pk, lost.pk, other.pk}
    assert shown(org.accountant_a) == {mine.pk, lost.pk}
    assert shown(org.gm, "status=closed") == {lost.pk}
    assert shown(org.gm, "status=open&stage=contact") == {mine.pk, other.pk}
    assert shown(org.gm, f"holder={org.sales_b.pk}") == {other.pk}
    assert shown(org.sales_a, f"holder={org.sales_b.pk}") == {mine.pk, lost.pk}  # ignored
    assert shown(org.gm, "noaction=1") == {mine.pk, other.pk}
    action(org.sales_a, mine, T0 + timedelta(days=9))
    assert shown(org.gm, "noaction=1") == {other.pk}


def test_list_costs_the_same_queries_for_one_row_and_many(org, customer, client):
    client.force_login(org.manager_a)
    url = reverse("sales:opportunity_list")
    opened(org.sales_a, customer)

    def count():
        with (
            time_machine.travel(T0 + timedelta(days=1), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    other = register(org.sales_a2, now=T0 - timedelta(days=10))
    for i in range(12):
        opened(org.sales_a if i % 2 else org.sales_a2, customer if i % 2 else other)
    assert count() == one


def test_dashboard_panel_counts_opportunities_without_action(org, customer, client):
    o = opened(org.sales_a, customer)
    client.force_login(org.sales_a)
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        page = client.get(reverse("crm:dashboard")).content.decode()
        assert 'data-testid="no-action-count">1<' in page
        action(org.sales_a, o, T0 + timedelta(days=9))
        page = client.get(reverse("crm:dashboard")).content.decode()
        assert 'data-testid="no-action-count">0<' in page
        client.force_login(org.accountant_a)
        page = client.get(reverse("crm:dashboard")).content.decode()
        assert "no-action-count" not in page
