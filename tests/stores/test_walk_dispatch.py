"""The dispatch pages per role (派单, SPEC §12): each URL as the store's own people, store T's
manager, the GM and an ordinary department's manager; then the pages' flows (propose, confirm,
the GM's refusal while the manager is at work, 补签, refusal, progress) and the start-page
block."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stores.models import Dispatch, ManagerAway
from stores.services.dispatch import dispatch_confirm, dispatch_propose
from tests.stores.test_dispatch_helpers import customer_of

pytestmark = pytest.mark.django_db

PEOPLE = ("manager", "cm1", "d1", "d2", "consultant", "t_manager", "gm", "manager_a")


def person(shop, who):
    if who == "t_manager":
        return shop.other.manager
    if who in ("gm", "manager_a"):
        return getattr(shop.org, who)
    return getattr(shop, who)


@pytest.fixture
def world(shop):
    now = timezone.now() - timedelta(minutes=5)
    customer = customer_of(shop)
    dispatch = dispatch_propose(
        actor=shop.cm1, store=shop.store, customer=customer, designer=shop.d1, reason="", now=now
    )
    return shop, customer, dispatch


# Expected GET status per person, in the order of PEOPLE.
ROWS = {
    "list": ("stores:dispatch_list", "200 200 200 200 200 200 200 404"),
    "list_s": ("stores:dispatch_list", "200 200 200 200 200 404 200 404"),
    "new": ("stores:dispatch_new", "200 200 404 404 404 404 200 404"),
    "new_customer": ("stores:dispatch_new", "200 200 404 404 404 404 200 404"),
    "detail": ("stores:dispatch_detail", "200 200 200 404 200 404 200 404"),
    "confirm": ("stores:dispatch_confirm", "405 405 405 405 405 405 405 405"),
    "reject": ("stores:dispatch_reject", "405 405 405 405 405 405 405 405"),
    "countersign": ("stores:dispatch_countersign", "405 405 405 405 405 405 405 405"),
    "refuse": ("stores:dispatch_refuse", "405 405 405 405 405 405 405 405"),
    "progress": ("stores:dispatch_progress", "405 405 405 405 405 405 405 405"),
    "away": ("stores:manager_away", "200 200 200 200 200 404 200 404"),
}


def _url(key, shop, customer, dispatch):
    name = ROWS[key][0]
    if name in (
        "stores:dispatch_detail",
        "stores:dispatch_confirm",
        "stores:dispatch_reject",
        "stores:dispatch_countersign",
        "stores:dispatch_refuse",
        "stores:dispatch_progress",
    ):
        return reverse(name, args=[dispatch.pk])
    url = reverse(name)
    if key == "list":
        return url
    if key == "new_customer":
        return f"{url}?store={shop.store.pk}&customer={customer.pk}"
    return f"{url}?store={shop.store.pk}"


@pytest.mark.parametrize("key", list(ROWS))
def test_each_url_per_person(world, client, key):
    shop, customer, dispatch = world
    expected = ROWS[key][1].split()
    url = _url(key, shop, customer, dispatch)
    got = []
    for who in PEOPLE:
        client.force_login(person(shop, who))
        got.append(str(client.get(url).status_code))
    assert got == expected, f"{key}: {dict(zip(PEOPLE, got, strict=True))}"
    client.logout()
    assert client.get(url).status_code == 302


def test_posts_outside_the_scope_are_404(world, client):
    shop, _customer, dispatch = world
    for who in ("d2", "t_manager", "manager_a"):
        client.force_login(person(shop, who))
        for name in ("stores:dispatch_confirm", "stores:dispatch_refuse"):
            response = client.post(reverse(name, args=[dispatch.pk]), {"note": "x", "reason": "x"})
            assert response.status_code == 404
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.PROPOSED


def test_junk_ids_are_404(shop, client):
    client.force_login(shop.cm1)
    url = reverse("stores:dispatch_new")
    for query in ("customer=x", "customer=999999", "visit=abc", "visit=99999", "store=x"):
        assert client.get(f"{url}?{query}").status_code == 404


def test_propose_through_the_page(shop, client):
    customer = customer_of(shop)
    client.force_login(shop.cm1)
    url = f"{reverse('stores:dispatch_new')}?store={shop.store.pk}&customer={customer.pk}"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="ranking-table"' in body and shop.d5.display_name in body
    # Not the first without a reason: refused, nothing written, the message on the page.
    response = client.post(url, {"designer": shop.d3.pk, "reason": ""})
    assert response.status_code == 400 and not Dispatch.objects.exists()
    response = client.post(url, {"designer": shop.d3.pk, "reason": "顾客喜欢北欧风"})
    dispatch = Dispatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("stores:dispatch_detail", args=[dispatch.pk])
    assert dispatch.designer == shop.d3 and dispatch.reason == "顾客喜欢北欧风"
    # A second time: the customer already has a live dispatch.
    page = client.get(url)
    assert 'data-testid="live-exists"' in page.content.decode()


def test_picker_lists_the_customers_waiting(shop, client):
    customer = customer_of(shop)
    client.force_login(shop.cm1)
    body = client.get(f"{reverse('stores:dispatch_new')}?store={shop.store.pk}").content.decode()
    assert customer.name in body


def test_confirm_countersign_progress_refuse_through_the_pages(world, client):
    shop, _customer, dispatch = world
    detail = reverse("stores:dispatch_detail", args=[dispatch.pk])
    # The GM while the manager is at work: no buttons, a clear note; a POST is refused.
    client.force_login(shop.org.gm)
    body = client.get(detail).content.decode()
    assert 'data-testid="gm-waits"' in body and 'data-testid="confirm-form"' not in body
    response = client.post(reverse("stores:dispatch_confirm", args=[dispatch.pk]), {"note": ""})
    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.PROPOSED
    # The manager away now: the GM authorises.
    now = timezone.now()
    ManagerAway.objects.create(
        store=shop.store,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        reason="外出开会",
        recorded_by=shop.manager,
        recorded_at=now,
    )
    assert 'data-testid="confirm-form"' in client.get(detail).content.decode()
    client.post(reverse("stores:dispatch_confirm", args=[dispatch.pk]), {"note": "授权"})
    dispatch.refresh_from_db()
    assert dispatch.confirmed_as == Dispatch.ConfirmedAs.GM_AUTHORISED
    # The store manager countersigns (补签).
    client.force_login(shop.manager)
    assert 'data-testid="countersign-form"' in client.get(detail).content.decode()
    client.post(reverse("stores:dispatch_countersign", args=[dispatch.pk]))
    dispatch.refresh_from_db()
    assert dispatch.is_countersigned_later and dispatch.manager_signed_by == shop.manager
    # The designer records the plan; a future time is refused with a message.
    client.force_login(shop.d1)
    progress = reverse("stores:dispatch_progress", args=[dispatch.pk])
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(progress, {"step": "plan", "at": future}, follow=True)
    assert "时间不能晚于现在" in response.content.decode()
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(progress, {"step": "plan", "at": at})
    dispatch.refresh_from_db()
    assert dispatch.plan_at is not None
    # A plan is recorded: no refusal any more.
    response = client.post(
        reverse("stores:dispatch_refuse", args=[dispatch.pk]), {"reason": "不做"}, follow=True
    )
    assert "不能再拒单" in response.content.decode()
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.CONFIRMED


def test_the_designer_refuses_through_the_page(world, client):
    shop, _customer, dispatch = world
    dispatch_confirm(actor=shop.manager, dispatch=dispatch, now=timezone.now())
    client.force_login(shop.d1)
    url = reverse("stores:dispatch_refuse", args=[dispatch.pk])
    client.post(url, {"reason": ""})
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.CONFIRMED
    client.post(url, {"reason": "方案太多"})
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.REFUSED


def test_manager_away_page(shop, client):
    url = f"{reverse('stores:manager_away')}?store={shop.store.pk}"
    client.force_login(shop.cm1)
    assert 'data-testid="away-form"' not in client.get(url).content.decode()
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(shop.manager)
    start = timezone.localtime() + timedelta(days=1)
    data = {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": start.strftime("%Y-%m-%dT%H:%M"),
        "reason": "休假",
    }
    assert client.post(url, data).status_code == 400
    data["ends_at"] = (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, data).status_code == 302
    assert ManagerAway.objects.filter(store=shop.store, recorded_by=shop.manager).exists()


def test_list_filters_and_the_designer_sees_own_only(world, client):
    shop, _customer, dispatch = world
    other = dispatch_propose(
        actor=shop.cm1,
        store=shop.store,
        customer=customer_of(shop),
        designer=shop.d2,
        reason="指定",
        now=timezone.now(),
    )
    client.force_login(shop.d1)
    body = client.get(reverse("stores:dispatch_list")).content.decode()
    assert f'data-id="{dispatch.pk}"' in body and f'data-id="{other.pk}"' not in body
    client.force_login(shop.manager)
    url = reverse("stores:dispatch_list")
    body = client.get(f"{url}?status=proposed").content.decode()
    assert f'data-id="{dispatch.pk}"' in body and f'data-id="{other.pk}"' in body
    body = client.get(f"{url}?status=closed").content.decode()
    assert f'data-id="{dispatch.pk}"' not in body
    assert client.get(f"{url}?status=junk&page=x&sort=zzz").status_code == 200


def test_home_block(world, client):
    shop, _customer, dispatch = world
    client.force_login(shop.manager)
    body = client.get(reverse("stores:home")).content.decode()
    assert 'data-testid="home-dispatch"' in body
    assert 'data-testid="dispatch-waiting">1<' in body
    client.force_login(shop.d1)
    body = client.get(reverse("stores:home")).content.decode()
    assert reverse("stores:dispatch_detail", args=[dispatch.pk]) in body


def test_chinese_pages_show_no_raw_codes(world, client):
    from stores.models import Attendance

    shop, customer, dispatch = world
    for n in (1, 2, 3):
        Attendance.objects.create(
            store=shop.store,
            designer=shop.d4,
            day=timezone.localdate() - timedelta(days=n),
            status=Attendance.Status.ABSENT,
            recorded_by=shop.cm1,
            recorded_at=timezone.now(),
        )
    client.force_login(shop.manager)
    client.cookies["django_language"] = "zh-hans"
    pages = [
        reverse("stores:dispatch_detail", args=[dispatch.pk]),
        f"{reverse('stores:dispatch_new')}?store={shop.store.pk}&customer={customer_of(shop).pk}",
        reverse("stores:dispatch_list"),
        reverse("stores:manager_away"),
    ]
    for url in pages:
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        for raw in ("deposit_orders", "plan_unsigned", 'to_countersign"', "§", "(000)"):
            assert raw not in body.replace('value="to_countersign"', ""), (url, raw)
