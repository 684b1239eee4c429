"""Issue 19: the handover, pool and inbox pages at 10,000 staff and a million customers read
only what they show. Each fast read here is compared with the straightforward computation it
replaced, on small data: the held counts of the shown page with a COUNT over every person, the
pool as a condition with the old `id IN (pool)`, the inbox sources on a literal list of
managed departments with the same sources on the permission subquery."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.module_loading import import_string

from allocation.inbox import SOURCES, inbox_for
from allocation.models import Dispute, PublicNotice
from allocation.selectors import disputes as dispute_selectors
from allocation.selectors.disputes import claimant_choices, claimant_shortlist
from allocation.selectors.distribution import in_pool, pool_customers
from allocation.selectors.handovers import held_counts
from allocation.services.disputes import dispute_open
from allocation.services.distribution import claim_create
from allocation.services.handover import handover_open
from allocation.views import handovers as handover_views
from crm.models import Staff
from crm.selectors import departments_managed_by
from customers.models import Customer
from customers.selectors import customers_visible_to
from customers.services import ownership_transfer
from tests.factories import make_person, register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 14, 10, 0, tzinfo=SH)
R = Staff.Role


def to_pool(customer, pool="department", *, at=datetime(2026, 4, 1, 0, 30, tzinfo=SH)):
    ownership_transfer(customer=customer, to_pool=pool, kind="reclaim", actor=None, now=at)
    return customer


def people_ids(response) -> list[int]:
    return [s.pk for s in response.context["people"]]


# --- handovers: the people list --------------------------------------------------------------


def test_held_counts_agree_with_a_count_over_every_person(org):
    for _ in range(3):
        register(org.sales_a)
    register(org.sales_a2)
    to_pool(register(org.sales_a2))  # pooled: held by nobody
    to_pool(register(org.sales_b), "company")
    register(org.sales_b)
    live = {s.user_id: s.held for s in Staff.objects.annotate(held=Count("user__held_customers"))}
    fast = held_counts(live)
    assert {pk: fast.get(pk, 0) for pk in live} == live
    assert fast == {org.sales_a.pk: 3, org.sales_a2.pk: 1, org.sales_b.pk: 1}
    # Only the asked-for people.
    assert held_counts([org.sales_a2.pk, org.sales_b2.pk]) == {org.sales_a2.pk: 1}
    assert held_counts([]) == {}


def test_a_managers_list_is_their_departments_people_with_their_held_counts(org, login):
    for _ in range(2):
        register(org.sales_a1)
    register(org.sales_a)
    response = login(org.manager_a).get(reverse("allocation:handovers"))
    assert response.status_code == 200 and not response.context["choose_first"]
    # A and its sub-department A1, active people other than the viewer; tree order.
    expected = list(
        Staff.objects.filter(department__in=[org.a, org.a1], status=Staff.Status.ACTIVE)
        .exclude(user=org.manager_a)
        .order_by("department__path", "role", "user__username", "pk")
        .values_list("pk", flat=True)
    )
    assert people_ids(response) == expected
    held = {s.user_id: s.held for s in response.context["people"]}
    assert held[org.sales_a1.pk] == 2 and held[org.sales_a.pk] == 1 and held[org.sales_a2.pk] == 0
    # A department picker only for more than one managed department.
    assert [d.pk for d in response.context["departments"]] == [org.a.pk, org.a1.pk]
    only = login(org.manager_a1).get(reverse("allocation:handovers"))
    assert only.context["departments"] == []
    assert people_ids(only) == [org.sales_a1.staff.pk]


def test_the_gm_picks_a_department_or_searches_first(org, login):
    org.sales_b.last_name, org.sales_b.first_name = "郭", "伟涛"
    org.sales_b.save()
    client = login(org.gm)
    first = client.get(reverse("allocation:handovers"))
    assert first.status_code == 200 and first.context["choose_first"]
    assert first.context["people"] == []
    assert 'data-testid="choose-first"' in first.content.decode()
    # A department: its subtree.
    subtree = client.get(reverse("allocation:handovers"), {"department": org.a.pk})
    assert set(people_ids(subtree)) == {
        s.pk for s in Staff.objects.filter(department__in=[org.a, org.a1])
    }
    leaf = client.get(reverse("allocation:handovers"), {"department": org.a1.pk})
    assert set(people_ids(leaf)) == {org.manager_a1.staff.pk, org.sales_a1.staff.pk}
    # A name: username, either name, or the Chinese full name (family name first).
    for q in ("sales_b", "伟涛", "郭伟涛", "SALES_B"):
        found = client.get(reverse("allocation:handovers"), {"q": q})
        assert people_ids(found)[:1] == [org.sales_b.staff.pk], q
    both = client.get(reverse("allocation:handovers"), {"q": "sales_a", "department": org.a1.pk})
    assert people_ids(both) == [org.sales_a1.staff.pk]


@pytest.mark.parametrize("junk", ["999999", "abc", "²", "", "1234567890123456789012345"])
def test_a_department_outside_the_scope_or_junk_shows_nothing_more(org, login, junk):
    # manager_a asking for B's department (or junk) gets their own scope, never B's people.
    ids = people_ids(
        login(org.manager_a).get(reverse("allocation:handovers"), {"department": junk or org.b.pk})
    )
    assert ids and not Staff.objects.filter(pk__in=ids, department=org.b).exists()
    response = login(org.gm).get(reverse("allocation:handovers"), {"department": junk, "q": junk})
    assert response.status_code == 200


def test_the_people_list_pages(org, login, monkeypatch):
    monkeypatch.setattr(handover_views, "PEOPLE_PAGE_SIZE", 2)
    client = login(org.manager_a)
    everyone = people_ids(client.get(reverse("allocation:handovers"), {"department": org.a.pk}))
    assert len(everyone) == 2
    seen = []
    for page in (1, 2, 3):
        response = client.get(
            reverse("allocation:handovers"), {"department": org.a.pk, "page": page}
        )
        seen += people_ids(response)
        assert response.context["page"]["has_next"] == (page < 3)
    expected = list(
        Staff.objects.filter(department__in=[org.a, org.a1], status=Staff.Status.ACTIVE)
        .exclude(user=org.manager_a)
        .order_by("department__path", "role", "user__username", "pk")
        .values_list("pk", flat=True)
    )
    assert seen == expected  # 5 people: 2 + 2 + 1, none twice, none missing
    html = client.get(reverse("allocation:handovers"), {"department": org.a.pk}).content.decode()
    assert f"department={org.a.pk}" in html.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_the_handover_list_costs_the_same_however_many_people_and_customers(org, login):
    client = login(org.gm)
    url = reverse("allocation:handovers") + f"?department={org.a.pk}"

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(6):
        person = make_person(f"extra{i}", R.SALESPERSON, org.a)
        register(person)
    handover_open(
        actor=org.manager_a,
        staff=org.sales_a2.staff,
        status="left",
        effective_at=NOW,
        now=NOW,
    )
    assert count() == before


# --- the pool page ---------------------------------------------------------------------------


def test_the_pool_as_a_condition_is_the_pool_as_a_subquery(org):
    a_pool = [to_pool(register(org.sales_a)) for _ in range(2)]
    company = [to_pool(register(org.sales_b), "company") for _ in range(2)]
    to_pool(register(org.sales_a1))  # A1's pool, not A's
    register(org.sales_a)  # held
    # 无效客户 in both pools (the page's filter leaves them out by default).
    Customer.objects.filter(pk__in=[a_pool[0].pk, company[0].pk]).update(is_invalid=True)
    for viewer in (org.gm, org.manager_a, org.sales_a):
        for department in (None, org.a, org.a1, org.b):
            visible = customers_visible_to(viewer)
            old = visible.filter(pk__in=pool_customers(department).values("pk"))
            new = visible.filter(in_pool(department))
            assert sorted(new.values_list("pk", flat=True)) == sorted(
                old.values_list("pk", flat=True)
            )
    assert set(Customer.objects.filter(in_pool(None)).values_list("pk", flat=True)) == {
        c.pk for c in company
    }


def _pool(client, **params):
    return client.get(reverse("allocation:pool"), {"pool": "company", **params})


def test_the_company_pool_lists_recipients_of_the_picked_department_only(org, login):
    to_pool(register(org.sales_b), "company")
    client = login(org.gm)
    page = _pool(client)
    assert page.status_code == 200 and page.context["recipients"] == []
    assert 'data-testid="pick-recipients"' in page.content.decode()
    # Every department's pool is still offered.
    assert {d.pk for d in page.context["departments"]} >= {org.a.pk, org.a1.pk, org.b.pk}
    picked = _pool(client, recipients_of=org.a.pk)
    assert [s.user_id for s in picked.context["recipients"]] == [org.sales_a.pk, org.sales_a2.pk]
    assert [s.user_id for s in _pool(client, recipients_of=org.b.pk).context["recipients"]] == [
        org.sales_b.pk,
        org.sales_b2.pk,
    ]
    for junk in ("999999", "abc", "²"):
        assert _pool(client, recipients_of=junk).context["recipients"] == []
    # A department pool lists its own people, whatever is asked.
    own = client.get(reverse("allocation:pool"), {"pool": org.a.pk, "recipients_of": org.b.pk})
    assert [s.user_id for s in own.context["recipients"]] == [org.sales_a.pk, org.sales_a2.pk]


def test_the_company_pool_page_costs_the_same_however_many_salespeople(org, login):
    to_pool(register(org.sales_b), "company")
    client = login(org.gm)

    def count(**params):
        _pool(client, **params)
        with CaptureQueriesContext(connection) as ctx:
            assert _pool(client, **params).status_code == 200
        return len(ctx.captured_queries)

    before = count(), count(recipients_of=org.a.pk)
    for i in range(5):
        make_person(f"more{i}", R.SALESPERSON, org.a)
        make_person(f"else{i}", R.SALESPERSON, org.b)
    assert (count(), count(recipients_of=org.a.pk)) == before


@time_machine.travel(NOW, tick=False)
def test_a_refused_company_batch_keeps_its_recipient_and_the_service_still_checks(org, login):
    customer = to_pool(register(org.sales_b), "company")
    client = login(org.gm)
    url = reverse("allocation:distribute") + "?pool=company"
    # A recipient of no managed department (an accountant: no receiver) is refused, nothing
    # moves, whatever the page listed.
    refused = client.post(
        url,
        {"pool": "company", "customers": [customer.pk], "recipient": f"user:{org.accountant_b.pk}"},
    )
    assert refused.status_code == 400
    assert Customer.objects.get(pk=customer.pk).holder_id is None
    # A batch refused for another reason keeps the chosen person listed and selected, though
    # no department was picked.
    noticed = to_pool(register(org.sales_b), "company")
    PublicNotice.objects.create(
        customer=noticed,
        previous_holder=org.sales_b,
        department_id=noticed.department_id,
        policy="no_followup",
        pool="company",
        reclaimed_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(days=2),
    )
    refused = client.post(
        url, {"pool": "company", "customers": [noticed.pk], "recipient": f"user:{org.sales_a.pk}"}
    )
    assert refused.status_code == 400
    assert [s.user_id for s in refused.context["recipients"]] == [org.sales_a.pk]
    assert f'value="user:{org.sales_a.pk}" selected' in refused.content.decode()
    done = client.post(
        url, {"pool": "company", "customers": [customer.pk], "recipient": f"user:{org.sales_a.pk}"}
    )
    assert done.status_code == 302
    assert Customer.objects.get(pk=customer.pk).holder_id == org.sales_a.pk


# --- the inbox: managed departments resolved once --------------------------------------------


def _inbox_world(org):
    a_pool = [to_pool(register(org.sales_a2)) for _ in range(2)]
    claim_create(actor=org.sales_a, customer_ids=[a_pool[0].pk], reason="在我片区", now=NOW)
    a1_pool = to_pool(register(org.sales_a1))
    make_person("sales_a1b", R.SALESPERSON, org.a1)
    claim_create(
        actor=type(org.sales_a1).objects.get(username="sales_a1b"),
        customer_ids=[a1_pool.pk],
        reason="想要",
        now=NOW,
    )
    for actor, staff in ((org.manager_a1, org.sales_a1.staff), (org.manager_b, org.sales_b2.staff)):
        register(staff.user)  # a handover of nobody's customers closes at once
        handover_open(actor=actor, staff=staff, status="left", effective_at=NOW, now=NOW)
    for actor, claimants in (
        (org.manager_a, [org.sales_a, org.sales_a2]),
        (org.gm, [org.sales_a, org.sales_b]),
    ):
        dispute_open(
            actor=actor, phone="", name=f"客户{actor.pk}", claimants=claimants, note="", now=NOW
        )
    for customer, pool in (
        (a_pool[1], "department"),
        (to_pool(register(org.sales_b), "company"), "company"),
    ):
        PublicNotice.objects.create(
            customer=customer,
            previous_holder=org.sales_a2,
            department_id=customer.department_id,
            policy="no_followup",
            pool=pool,
            reclaimed_at=NOW - timedelta(days=1),
            ends_at=NOW + timedelta(days=2),
            appealed_at=NOW - timedelta(hours=3),
            appeal_reason="我上周刚跟进过",
        )


@pytest.mark.parametrize("who", ["gm", "manager_a", "manager_a1", "manager_b"])
def test_inbox_sources_on_the_resolved_departments_agree_with_the_subquery(org, who):
    _inbox_world(org)
    user = getattr(org, who)
    managed = list(departments_managed_by(user).values_list("pk", flat=True))
    total = 0
    for dotted in SOURCES:
        source = import_string(dotted)
        live = source(user, now=NOW)
        fast = source(user, now=NOW, managed_ids=managed)
        assert [(i.kind, i.title, i.url) for i in fast] == [(i.kind, i.title, i.url) for i in live]
        total += len(live)
    assert total  # the world gives every viewer something to compare
    assert len(inbox_for(user, now=NOW)) >= total


def test_an_empty_scope_is_an_empty_inbox(org):
    _inbox_world(org)
    for dotted in SOURCES:
        assert import_string(dotted)(org.manager_a, now=NOW, managed_ids=[]) == []


# --- the dispute form: claimants listed from a shortlist, validated against the whole scope ---


def _listed(response, field="claimant_1") -> list[int]:
    return [int(v) for v, _label in response.context["form"].fields[field].widget.choices if v]


def test_a_small_scope_lists_every_claimant(org, login):
    response = login(org.manager_a).get(reverse("allocation:dispute_new"))
    assert response.status_code == 200 and not response.context["form"].narrowed
    everyone = list(claimant_choices(org.manager_a).values_list("pk", flat=True))
    assert _listed(response) == _listed(response, "claimant_2") == everyone
    assert everyone  # sales_a, sales_a2, manager_a1, sales_a1


def test_a_large_scope_is_searched_and_still_validated_in_full(org, login, monkeypatch):
    monkeypatch.setattr(dispute_selectors, "CLAIMANT_LIST_MAX", 2)
    client = login(org.gm)
    url = reverse("allocation:dispute_new")
    first = client.get(url)
    assert first.context["form"].narrowed and _listed(first) == []
    assert 'data-testid="claimants-narrowed"' in first.content.decode()
    # Two words find both claimants, across departments; usernames and department names too.
    found = client.get(url, {"q": "sales_a2 sales_b"})
    assert set(_listed(found)) == {org.sales_a2.pk, org.sales_b.pk}  # capped at 2
    assert set(_listed(client.get(url, {"q": "华南"}))) == {org.manager_b.pk, org.sales_b.pk}
    assert set(_listed(client.get(url, {"q": "sales_a2 sales_b2"}))) == {
        org.sales_a2.pk,
        org.sales_b2.pk,
    }
    # Anybody in scope is accepted, listed or not; a refused form lists its choices again.
    data = {"phone": "", "name": "王先生", "note": ""}
    refused = client.post(
        url, {**data, "name": "", "claimant_1": org.sales_a.pk, "claimant_2": org.sales_b.pk}
    )
    assert refused.status_code == 400
    assert set(_listed(refused)) == {org.sales_a.pk, org.sales_b.pk}
    outside = client.post(
        url, {**data, "claimant_1": org.sales_a.pk, "claimant_2": org.accountant_a.pk}
    )
    assert outside.status_code == 400 and not Dispute.objects.exists()
    done = client.post(url, {**data, "claimant_1": org.sales_a.pk, "claimant_2": org.sales_b.pk})
    assert done.status_code == 302
    assert {c.claimant_id for c in Dispute.objects.get().claims.all()} == {
        org.sales_a.pk,
        org.sales_b.pk,
    }


def test_the_claimant_shortlist_is_the_scope_filtered(org):
    people = claimant_choices(org.gm)
    everyone = list(people)
    for search in ("", "sales", "华东", "sales_a sales_b", "nobody", "SALES_A1"):
        shown, _narrowed = claimant_shortlist(people, search)
        words = search.lower().split()
        expected = [
            u
            for u in everyone
            if not words
            or any(
                w in u.username.lower()
                or w in (u.staff.department.name if u.staff.department_id else "").lower()
                for w in words
            )
        ]
        assert [u.pk for u in shown] == [u.pk for u in expected], search
