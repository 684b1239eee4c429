"""The visitor register pages as the store's own people (SPEC §1, §12): who gets which page,
404 (not 403) outside; and each page's main path through the client."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from stores.models import PreRegistration, Visit, WeeklyReconciliation
from stores.services.visitors import visit_register
from tests.stores.walk_visitors import VISIT_FIELDS

SH = ZoneInfo("Asia/Shanghai")


def _person(shop, who):
    if who == "t_manager":
        return shop.other.manager
    return getattr(shop, who, None) or getattr(shop.org, who)


@pytest.fixture
def to_check(shop):
    now = datetime.now(SH)
    return visit_register(
        actor=shop.cm1,
        store=shop.store,
        data={
            "kind": "store",
            "occurred_at": now - timedelta(minutes=5),
            "visitor_name": "王先生",
            "community": "望京花园",
            "source": "designer",
            "occupation": "other",
            "focus_points": ["brand"],
        },
        now=now,
    )


WHO = ("manager", "cm1", "d1", "consultant", "t_manager", "gm", "manager_a")
EXPECTED = {
    # name: statuses in the order of WHO
    "stores:visit_list": (200, 200, 404, 404, 404, 200, 404),
    "stores:visit_new": (200, 200, 404, 404, 404, 200, 404),
    "stores:visit_checks": (200, 200, 404, 404, 404, 200, 404),
    "stores:visit_check": (200, 404, 404, 404, 404, 200, 404),
    "stores:prereg_list": (200, 200, 404, 200, 404, 200, 404),
    "stores:prereg_new": (200, 200, 404, 200, 404, 200, 404),
    "stores:reconcile": (200, 200, 404, 404, 404, 200, 404),
    "stores:figures": (200, 200, 404, 404, 404, 200, 404),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_pages_per_role(shop, to_check, client, name):
    args = [to_check.pk] if name == "stores:visit_check" else []
    url = f"{reverse(name, args=args)}?store={shop.store.pk}"
    got = []
    for who in WHO:
        client.force_login(_person(shop, who))
        got.append(client.get(url).status_code)
    assert tuple(got) == EXPECTED[name], dict(zip(WHO, got, strict=True))


def test_store_t_manager_sees_own_register_not_store_s(shop, client):
    client.force_login(shop.other.manager)
    assert client.get(reverse("stores:visit_list")).status_code == 200
    assert client.get(f"{reverse('stores:visit_list')}?store=x").status_code == 404


@time_machine.travel(datetime(2026, 11, 18, 0, 5, tzinfo=SH), tick=False)
def test_register_a_visitor_through_the_page(shop, client):
    # Just after midnight: the line of 23:55 belongs to the day before, which the register
    # shows when asked for it (explicit clock: the page's "today" is the travel date).
    client.force_login(shop.cm1)
    when = datetime(2026, 11, 17, 23, 55, tzinfo=SH)
    response = client.post(
        f"{reverse('stores:visit_new')}?store={shop.store.pk}",
        {
            "kind": "store",
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "source": "walk_in",
            "visitor_name": "李女士",
            "phone": "137 6688 0101",
            "community": "国贸",
            "occupation": "private",
            "focus_points": ["price", "design"],
            "intent_grade": "B",
        },
    )
    assert response.status_code == 302
    v = Visit.objects.get()
    assert v.focus_points == ["price", "design"] and v.customer_id and not v.is_incomplete
    assert v.is_late_entry, "entered after the end of the visit's day"
    assert "李女士" not in client.get(response.url).content.decode(), "today is the 18th"
    page = client.get(response.url + "&day=2026-11-17").content.decode()
    assert "李女士" in page


def test_a_refused_visitor_shows_the_reason_and_writes_nothing(shop, client):
    client.force_login(shop.cm1)
    when = datetime.now(SH) - timedelta(minutes=10)
    response = client.post(
        f"{reverse('stores:visit_new')}?store={shop.store.pk}",
        {
            "kind": "store",
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "source": "walk_in",
            "phone": "12ab",
            "intent_grade": "D",
        },
    )
    assert response.status_code == 400 and not Visit.objects.exists()
    assert "form-error" in response.content.decode()


def test_store_manager_decides_through_the_page(shop, to_check, client):
    client.force_login(shop.manager)
    url = reverse("stores:visit_check", args=[to_check.pk])
    response = client.post(url, {"source": "walk_in", "consultant": "", "note": "自然客流"})
    assert response.status_code == 302
    to_check.refresh_from_db()
    assert to_check.source_status == Visit.SourceStatus.DECIDED
    assert client.get(url).status_code == 200  # shows the decision


def test_consultant_announces_a_customer(shop, client):
    client.force_login(shop.consultant)
    response = client.post(
        reverse("stores:prereg_new"),
        {"name": "马丽", "gender": "female", "phone": "13766880012", "community": "望京花园"},
    )
    assert response.status_code == 302
    assert PreRegistration.objects.get().consultant_id == shop.consultant.pk
    assert "马丽" in client.get(reverse("stores:prereg_list")).content.decode()


def test_sign_off_last_week_through_the_page(shop, client):
    client.force_login(shop.cm1)
    today = datetime.now(SH).date()
    monday = today - timedelta(days=today.weekday() + 7)
    url = f"{reverse('stores:reconcile')}?store={shop.store.pk}&week={monday.isoformat()}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"market_manager": shop.org.manager_a.pk, "note": "无差异"})
    assert response.status_code == 302
    assert WeeklyReconciliation.objects.get().week_start == monday
    assert 'data-testid="signed"' in client.get(url).content.decode()


@pytest.mark.parametrize("query", ["", "?month=2026-03", "?month=9999-12", "?week=0001-01-01"])
def test_figures_and_reconcile_take_any_query(shop, client, query):
    client.force_login(shop.manager)
    assert client.get(reverse("stores:figures") + query).status_code == 200
    assert client.get(reverse("stores:reconcile") + query).status_code == 200
    day_query = query.replace("week", "day")
    assert client.get(reverse("stores:visit_list") + day_query).status_code == 200


def test_start_page_block_and_dashboard_panel(shop, to_check, client):
    client.force_login(shop.cm1)
    home = client.get(reverse("stores:home")).content.decode()
    assert 'data-testid="home-visitors"' in home and 'data-testid="today-visitors"' in home
    dashboard = client.get("/").content.decode()
    assert 'data-testid="store-figures-panel"' in dashboard
    client.force_login(shop.d1)
    assert 'data-testid="home-visitors"' not in client.get(reverse("stores:home")).content.decode()
    assert 'data-testid="store-figures-panel"' not in client.get("/").content.decode()


@pytest.mark.parametrize("light", [False, True])
def test_seeder_makes_the_demo_register_once(org, light):
    from stores.demo_visitors import STORE_NAME, seed_visitors
    from tests.stores.conftest import build_store

    assert seed_visitors(today=date(2026, 3, 11), users={}) == []
    s = build_store(org, name=STORE_NAME, prefix="demo")
    users = {
        "store.manager": s.manager,
        "store.cm1": s.cm1,
        "store.cm2": s.cm2,
        "store.hc1": s.consultant,
        "gm": org.gm,
    }
    lines = seed_visitors(today=date(2026, 3, 11), users=users, light=light)
    assert lines and Visit.objects.filter(store=s.store).count() >= (10 if light else 25)
    assert Visit.objects.filter(source_status=Visit.SourceStatus.TO_CHECK).count() == 1
    statuses = sorted(PreRegistration.objects.values_list("status", flat=True))
    assert statuses == ["matched", "waiting"]
    assert WeeklyReconciliation.objects.get().week_start == date(2026, 3, 2)
    assert Visit.objects.filter(customer__isnull=False).exists()
    assert seed_visitors(today=date(2026, 3, 11), users=users, light=light) == []


JUNK = ["ab\x00cd", "长" * 2100, "1234567890123456789012345", "1e308", "NaN", "9999-12-31", "²"]
FORMS = {
    "stores:visit_new": list(VISIT_FIELDS),
    "stores:visit_check": ["source", "consultant", "note"],
    "stores:prereg_new": ["consultant", "name", "gender", "phone", "community", "expected_on"],
    "stores:reconcile": ["market_manager", "note"],
}


@pytest.mark.parametrize("name", FORMS)
def test_junk_in_every_field_is_refused_without_a_server_error(shop, to_check, client, name):
    client.force_login(shop.org.gm)
    args = [to_check.pk] if name == "stores:visit_check" else []
    url = f"{reverse(name, args=args)}?store={shop.store.pk}"
    before = (Visit.objects.count(), PreRegistration.objects.count())
    for value in JUNK:
        response = client.post(url, dict.fromkeys(FORMS[name], value))
        assert response.status_code in (400, 404), (value[:20], response.status_code)
    assert (Visit.objects.count(), PreRegistration.objects.count()) == before
